from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportRun


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=ImportRun.Kind.choices
    )
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    partial = forms.BooleanField(
        label=_("Load the valid rows even if some rows are bad"), required=False
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check and count, write nothing"), required=False
    )
