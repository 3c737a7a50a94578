"""What an import's report calls each count (ImportRun.counts keys), in both
languages; a key not listed is shown as words."""

from django.utils.translation import gettext_lazy as _

from core.labels import code_as_words

COUNT_LABELS = {
    "customers_created": _("Customers created"),
    "customers_updated": _("Customers updated"),
    "contact_points_created": _("Contact points added"),
    "loans_created": _("Loans created"),
    "loans_updated": _("Loans updated"),
    "instalments_created": _("Instalments created"),
    "instalments_updated": _("Instalments updated"),
    "instalments_deleted": _("Instalments removed"),
    "payments_created": _("Payments recorded"),
    "payments_already_recorded": _("Payments already recorded (skipped)"),
    "cases_opened": _("Cases opened"),
    "cases_refreshed": _("Cases refreshed"),
    "cases_closed": _("Cases closed"),
    "cases_queued": _("Cases put in a queue"),
}


def count_label(key: str) -> str:
    label = COUNT_LABELS.get(key)
    return str(label) if label is not None else code_as_words(key)
