"""The arrangement terms pages: every product seen in loans with its promise and
plan limits, editable with a reason kept in history (decision 46)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases import services as cases
from core.errors import ApplicationError
from core.roles import Role, role_required

from .. import forms, selectors

admin_only = role_required(Role.ADMIN)


def _ceilings() -> dict:
    return {
        "promise_max_days": settings.PROMISE_MAX_DAYS,
        "plan_max_instalments": settings.PLAN_MAX_INSTALMENTS,
        "plan_max_days": settings.PLAN_MAX_DAYS,
    }


@admin_only
def arrangement_terms_list(request: HttpRequest) -> HttpResponse:
    context = {
        "products": selectors.arrangement_terms_list(),
        "defaults": cases.terms_default(),
    }
    return render(request, "configuration/arrangement_terms_list.html", context)


@admin_only
def arrangement_terms_edit(request: HttpRequest, product: str) -> HttpResponse:
    line = selectors.arrangement_terms_get(product=product)
    terms = line.terms
    initial = {
        "promise_max_days": terms.promise_max_days,
        "plan_max_instalments": terms.plan_max_instalments,
        "plan_max_days": terms.plan_max_days,
        "max_first_payment_days": terms.max_first_payment_days,
        "min_instalment": terms.min_instalment,
    }
    form = forms.ArrangementTermsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                cases.arrangement_terms_save(
                    product=product,
                    user=request.user,
                    reason=data.pop("reason"),
                    **data,
                )
            except ApplicationError as exc:
                forms.apply_errors(form, exc, {})
                status = 400
            else:
                messages.success(
                    request,
                    _("Terms of %(product)s saved.") % {"product": product},
                )
                return redirect("configuration:arrangement-terms")
        else:
            status = 400
    context = {
        "line": line,
        "form": form,
        "ceilings": _ceilings(),
        "history": selectors.arrangement_terms_history(product=product),
    }
    return render(
        request, "configuration/arrangement_terms_form.html", context, status=status
    )
