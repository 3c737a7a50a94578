"""The debtor's self-service page (issue 21, decision 50): `/s/<token>/` from a link
in a reminder. No password: the link opens an identity check, and nothing before the
check says that a debt exists. After it, for SELF_SERVICE_SESSION_MINUTES, the page
shows what the customer owes and why, and lets them promise to pay, dispute a loan,
and say when and how they may be contacted; each through the same service a
collector's action uses, with source "customer self-service", and each recorded as a
self-service event on the case timeline.

An unknown, expired or revoked token gets the same 404 page: nobody learns which.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases import services as cases
from cases.models import Case, SelfServiceEvent
from compliance.models import ContactPreference, ContactRestriction, StatementSource
from compliance.restrictions import restriction_create
from compliance.services import (
    contact_attempt_record_inbound,
    contact_preference_record,
    contact_preference_revoke,
)
from core.errors import ApplicationError
from core.forms import form_errors
from escalation.models import WorkItem
from escalation.work_items import work_item_open

from . import forms, selectors

SOURCE = StatementSource.CUSTOMER_SELF_SERVICE
Kind = SelfServiceEvent.Kind
LANGUAGES = {"zh-hans", "en"}


def _render(request, template: str, context: dict | None = None, status: int = 200):
    context = {
        "bank": settings.LETTER_BANK_NAME,
        "bank_zh": settings.LETTER_BANK_NAME_ZH,
        **(context or {}),
    }
    return render(request, template, context, status=status)


def _session_minutes() -> int:
    return int(getattr(settings, "SELF_SERVICE_SESSION_MINUTES", 30))


def _verified(request: HttpRequest, link) -> bool:
    at = request.session.get("self_service", {}).get(str(link.pk))
    if not at:
        return False
    since = dt.datetime.fromisoformat(at)
    return timezone.now() - since < dt.timedelta(minutes=_session_minutes())


def _language(request: HttpRequest, link) -> str:
    """The customer's language, unless they chose the other on the page."""
    chosen = request.GET.get("lang") or request.session.get("self_service_lang")
    if chosen in LANGUAGES:
        request.session["self_service_lang"] = chosen
        return chosen
    return link.customer.language or settings.LANGUAGE_CODE


def self_service_view(view):
    """Resolve the link (else the one 404 page), speak the customer's language, and
    keep the page out of caches and the token out of Referer headers to other sites
    (same-origin: "no-referrer" makes browsers send `Origin: null`, which fails the
    CSRF check)."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str, *args, **kwargs):
        link = cases.self_service_link_get(token)
        if link is None:
            response = _render(request, "portal/invalid.html", status=404)
        else:
            with translation.override(_language(request, link)):
                response = view(request, link, *args, token=token, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _case(link) -> Case | None:
    if link.case_id and link.case.status == Case.Status.OPEN:
        return link.case
    return Case.objects.open().filter(customer_id=link.customer_id).first()


@self_service_view
def self_service(request: HttpRequest, link, *, token: str) -> HttpResponse:
    opened = request.session.setdefault("self_service_opened", [])
    if link.pk not in opened:
        cases.self_service_event(link, Kind.OPENED)
        opened.append(link.pk)
        request.session.modified = True
    if not _verified(request, link):
        return _identity(request, link, token)
    return _page(request, link, token)


def _identity(request: HttpRequest, link, token: str) -> HttpResponse:
    form = forms.IdentityForm(
        request.POST or None, question=cases.identity_question(link.customer)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                cases.self_service_check(link=link, answer=form.answer_text())
            except ApplicationError as exc:
                form_errors(form, exc)
                status = exc.status
            else:
                request.session.setdefault("self_service", {})[str(link.pk)] = (
                    timezone.now().isoformat()
                )
                request.session.modified = True
                _ledger(link, "visit")
                return redirect("portal:self-service", token=token)
        else:
            status = 400
    context = {"form": form, "token": token, "hotline": settings.COLLECTIONS_HOTLINE}
    return _render(request, "portal/identity.html", context, status=status)


def _page(request, link, token: str, *, status: int = 200, **forms_given):
    case = _case(link)
    account = selectors.self_service_account(customer=link.customer, case=case)
    context = {
        "token": token,
        "account": account,
        "case": case,
        "hotline": settings.COLLECTIONS_HOTLINE,
        "how_to_pay": _how_to_pay(),
        "promise_form": forms_given.get("promise_form") or forms.PromiseForm(),
        "plan_form": forms_given.get("plan_form") or forms.PlanRequestForm(),
        "dispute_form": forms_given.get("dispute_form")
        or forms.DisputeForm(loans=account.loans_overdue),
        "preference_form": forms_given.get("preference_form") or forms.PreferenceForm(),
        "stated": selectors.self_service_statements(customer=link.customer),
    }
    return _render(request, "portal/page.html", context, status=status)


def _how_to_pay() -> str:
    zh = (translation.get_language() or "").startswith("zh")
    name = "SELF_SERVICE_HOW_TO_PAY_ZH" if zh else "SELF_SERVICE_HOW_TO_PAY"
    return getattr(settings, name, "")


def self_service_action(view):
    """A POST from the page, for a customer who passed the check (else back to it)."""

    @wraps(view)
    def verified_only(request: HttpRequest, link, *, token: str, **kwargs):
        if not _verified(request, link):
            return redirect("portal:self-service", token=token)
        return view(request, link, token=token, **kwargs)

    return require_POST(self_service_view(verified_only))


def _ledger(link, what: str, *, loan_id: int | None = None) -> None:
    """A contact the customer made, in the ledger beside every contact we made: the
    visit once the identity is confirmed, and each thing done on the page (issue 21,
    item 7). Opening the link and failed checks are not: whoever opened it may not
    be the customer; they are on the timeline as self-service events."""
    case = _case(link)
    contact_attempt_record_inbound(
        customer_id=link.customer_id,
        case_id=case.pk if case else None,
        loan_id=loan_id,
        at=timezone.now(),
        source=f"{SOURCE}:{what}",
    )


def _done(request, link, token: str, kind: str, detail: str, message: str, **ledger):
    """Record what the customer did, thank them, and show the page again."""
    cases.self_service_event(link, kind, detail)
    _ledger(link, kind, **ledger)
    messages.success(request, message)
    return redirect("portal:self-service", token=token)


@self_service_action
def self_service_promise(request: HttpRequest, link, *, token: str) -> HttpResponse:
    form = forms.PromiseForm(request.POST)
    case = _case(link)
    if case is None:
        messages.info(request, _("There is nothing overdue to arrange."))
        return redirect("portal:self-service", token=token)
    if form.is_valid():
        data = form.cleaned_data
        try:
            promise = cases.promise_record(
                case=case, amount=data["amount"], due_date=data["due_date"]
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            return _done(
                request,
                link,
                token,
                Kind.PROMISE,
                str(promise),
                _("Thank you: we have recorded your promise to pay."),
            )
    return _page(request, link, token, status=400, promise_form=form)


@self_service_action
def self_service_dispute(request: HttpRequest, link, *, token: str) -> HttpResponse:
    account = selectors.self_service_account(customer=link.customer, case=_case(link))
    form = forms.DisputeForm(request.POST, loans=account.loans_overdue)
    if form.is_valid():
        loan = next(
            x for x in account.loans_overdue if x.reference == form.cleaned_data["loan"]
        )
        reason = form.cleaned_data["reason"]
        try:
            restriction_create(
                customer=link.customer,
                kind=ContactRestriction.Kind.DISPUTE,
                loan=loan,
                reason=reason,
                source=SOURCE,
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            case = _case(link)
            if case is not None:
                work_item_open(
                    case=case,
                    kind=WorkItem.Kind.DISPUTE_REVIEW,
                    reason=f"Disputed on the self-service page ({loan.reference})",
                )
            return _done(
                request,
                link,
                token,
                Kind.DISPUTE,
                f"{loan.reference}: {reason}",
                _(
                    "Thank you: we will look into it and write to you. We do not "
                    "ask you to pay this loan while we check."
                ),
                loan_id=loan.pk,
            )
    return _page(request, link, token, status=400, dispute_form=form)


@self_service_action
def self_service_preference(request: HttpRequest, link, *, token: str) -> HttpResponse:
    form = forms.PreferenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        weekday = int(data["weekday"]) if data["weekday"] not in ("", None) else None
        if data["kind"] in forms.OPT_OUTS:
            return _opt_out(request, link, token, forms.OPT_OUTS[data["kind"]], form)
        try:
            preference = contact_preference_record(
                customer=link.customer,
                kind=data["kind"],
                channel=data["channel"],
                reason=_("Stated on the self-service page"),
                source=SOURCE,
                weekday=weekday,
                start_time=data["start_time"],
                end_time=data["end_time"],
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            return _done(
                request,
                link,
                token,
                Kind.PREFERENCE,
                preference.get_kind_display(),
                _("Thank you: we will respect this."),
            )
    return _page(request, link, token, status=400, preference_form=form)


@self_service_action
def self_service_preference_withdraw(
    request: HttpRequest, link, *, token: str, pk: int
) -> HttpResponse:
    """The customer takes back something they told us (a time, a place, hours or a
    channel): it binds nothing from now; only their own statements are found."""
    preference = ContactPreference.objects.filter(
        pk=pk, customer_id=link.customer_id
    ).first()
    if preference is not None:
        try:
            contact_preference_revoke(
                preference=preference, reason=_("Withdrawn on the self-service page")
            )
        except ApplicationError:  # already revoked or ended
            preference = None
    if preference is None:
        messages.info(request, _("That is no longer in force."))
        return redirect("portal:self-service", token=token)
    return _done(
        request,
        link,
        token,
        Kind.PREFERENCE,
        f"withdrawn: {preference.get_kind_display()}",
        _("Done: we no longer apply it."),
    )


@self_service_action
def self_service_plan(request: HttpRequest, link, *, token: str) -> HttpResponse:
    """A repayment plan over what is overdue, through the collectors' calculator and
    proposal: within the auto-approval limits it is active at once (and holds the
    ladder); otherwise it waits for a supervisor with the customer's reason."""
    form = forms.PlanRequestForm(request.POST)
    case = _case(link)
    if case is None:
        messages.info(request, _("There is nothing overdue to arrange."))
        return redirect("portal:self-service", token=token)
    if form.is_valid():
        data = form.cleaned_data
        count = data["count"]
        kind = "deferral" if count == 1 else "instalments"
        try:
            schedule = cases.plan_schedule_preview(
                case=case,
                total=case.overdue_amount,
                count=count,
                first_due_date=data["first_due_date"],
                kind=kind,
                reason=data["reason"],
            )
            plan = cases.plan_propose(
                case=case,
                kind=kind,
                instalments=schedule.rows,
                reason=data["reason"],
                requested_by_customer=True,
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            if plan.status == plan.Status.ACTIVE:
                text = _(
                    "Your repayment plan is agreed: the first payment is due on "
                    "%(date)s."
                ) % {"date": schedule.rows[0]["due_date"]}
            else:
                text = _("Thank you: we will look at your request and let you know.")
            detail = f"{plan.reference} ({plan.get_status_display()})"
            return _done(request, link, token, Kind.PLAN, detail, text)
    return _page(request, link, token, status=400, plan_form=form)


def _opt_out(request, link, token: str, channel: str, form) -> HttpResponse:
    """The customer opts out of SMS or email: a channel opt-out restriction, which
    the gate applies to every later message on that channel."""
    try:
        restriction_create(
            customer=link.customer,
            kind=ContactRestriction.Kind.CHANNEL_OPT_OUT,
            channel=channel,
            reason=_("Opted out on the self-service page"),
            source=SOURCE,
        )
    except ApplicationError as exc:
        form_errors(form, exc)
        return _page(request, link, token, status=400, preference_form=form)
    return _done(
        request,
        link,
        token,
        Kind.PREFERENCE,
        f"opt-out: {channel}",
        _("Thank you: we will respect this."),
    )
