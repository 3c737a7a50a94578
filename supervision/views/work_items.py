"""The supervisor's worklist (reviews, disputes, settlement offers, write-offs) and
the legal queue (legal referrals and the legal cases they become). Views parse and
call one service of escalation.work_items; the selectors scope to the user's teams
(admins: all) and answer 404 outside them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import ApplicationError
from core.roles import role_required
from escalation import selectors as escalation_selectors
from escalation import work_items as services
from escalation.models import WorkItem

from ..forms import (
    LegalCaseForm,
    LegalCloseForm,
    ReviewDecisionForm,
    WorkItemAnswerForm,
)
from .common import SUPERVISORS

Kind = WorkItem.Kind
WORKLIST_KINDS = (
    Kind.SUPERVISOR_REVIEW,
    Kind.DISPUTE_REVIEW,
    Kind.SETTLEMENT_OFFER,
    Kind.WRITE_OFF,
)
LEGAL_KINDS = (Kind.LEGAL_REFERRAL,)


def _list(request: HttpRequest, *, kinds, template: str) -> HttpResponse:
    kind = request.GET.get("kind", "")
    shown = (kind,) if kind in kinds else kinds
    open_only = request.GET.get("state") != "all"
    items = escalation_selectors.work_items_for_user(
        user=request.user, kinds=shown, open_only=open_only
    )
    return render(
        request,
        template,
        {
            "items": items[:200],
            "kinds": [(k.value, k.label) for k in kinds],
            "kind": kind,
            "open_only": open_only,
        },
    )


@role_required(*SUPERVISORS)
@require_GET
def work_items(request: HttpRequest) -> HttpResponse:
    return _list(request, kinds=WORKLIST_KINDS, template="supervision/work_items.html")


@role_required(*SUPERVISORS)
@require_GET
def legal_queue(request: HttpRequest) -> HttpResponse:
    return _list(request, kinds=LEGAL_KINDS, template="supervision/legal_queue.html")


def _form_errors(form, exc: ApplicationError) -> None:
    for field, errors in (exc.errors or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.errors:
        form.add_error(None, exc.message)


@role_required(*SUPERVISORS)
def work_item(request: HttpRequest, reference: str) -> HttpResponse:
    item = escalation_selectors.work_item_get_for_user(
        user=request.user, reference=reference, kinds=WORKLIST_KINDS
    )
    decide = ReviewDecisionForm(prefix="decide")
    answer = WorkItemAnswerForm(prefix="answer")
    if request.method == "POST":
        try:
            if item.kind in (Kind.SUPERVISOR_REVIEW, Kind.DISPUTE_REVIEW):
                decide = ReviewDecisionForm(request.POST, prefix="decide")
                if decide.is_valid():
                    data = decide.cleaned_data
                    result = services.review_decide(
                        item=item,
                        user=request.user,
                        decision=data["decision"],
                        notes=data["notes"],
                        hold_until=data["hold_until"],
                        amount=data["amount"],
                        deadline=data["deadline"],
                    )
                    messages.success(request, _("Decision recorded."))
                    if result.kind == Kind.LEGAL_REFERRAL:
                        return redirect("supervision:legal-case", result.reference)
                    return redirect("supervision:work-items")
            else:
                answer = WorkItemAnswerForm(request.POST, prefix="answer")
                if answer.is_valid():
                    data = answer.cleaned_data
                    if item.kind == Kind.SETTLEMENT_OFFER and item.settlement_id:
                        _settlement_answer(request, item, data)
                    elif item.kind == Kind.WRITE_OFF:
                        services.write_off_decide(
                            item=item,
                            user=request.user,
                            approve=data["answer"] == "approve",
                            notes=data["notes"],
                        )
                    else:
                        services.work_item_record(
                            item=item, user=request.user, notes=data["notes"]
                        )
                    messages.success(request, _("Work item completed."))
                    return redirect("supervision:work-items")
        except ApplicationError as exc:
            _form_errors(
                decide
                if item.kind in (Kind.SUPERVISOR_REVIEW, Kind.DISPUTE_REVIEW)
                else answer,
                exc,
            )
    return render(
        request,
        "supervision/work_item.html",
        {
            "item": item,
            "decide": decide,
            "answer": answer,
            **_money_context(request, item),
            "can_complete": services.work_item_can_complete(
                user=request.user, item=item
            ),
            "history": item.history.select_related("history_user")[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


def _settlement_answer(request: HttpRequest, item: WorkItem, data: dict) -> None:
    if data["answer"] == "communicate":
        services.settlement_communicated(
            item=item, user=request.user, via=data["via"], notes=data["notes"]
        )
    elif data["answer"] in ("approve", "reject"):
        services.settlement_decide(
            item=item,
            user=request.user,
            approve=data["answer"] == "approve",
            notes=data["notes"],
        )
    else:
        raise ApplicationError(
            _("Approve, reject or record the offer as communicated."),
            errors={"answer": [_("Choose an answer.")]},
        )


def _money_context(request: HttpRequest, item: WorkItem) -> dict:
    """A settlement's or write-off's figures, and who may approve it (record 48)."""
    if item.kind not in (Kind.SETTLEMENT_OFFER, Kind.WRITE_OFF) or (
        item.kind == Kind.SETTLEMENT_OFFER and item.settlement_id is None
    ):
        return {}
    context = {
        "offer": item.settlement if item.kind == Kind.SETTLEMENT_OFFER else None,
        "can_approve": services.work_item_can_approve(user=request.user, item=item),
        "approvers": services.approvers(item=item) if item.is_open else [],
    }
    if item.kind == Kind.WRITE_OFF and item.amount is not None:
        balance = services.case_balance(item.case)
        context["balance"] = balance
        context["write_off_percent"] = services.percent_of(item.amount, balance)
    return context


@role_required(*SUPERVISORS)
def legal_case(request: HttpRequest, reference: str) -> HttpResponse:
    item = escalation_selectors.work_item_get_for_user(
        user=request.user, reference=reference, kinds=LEGAL_KINDS
    )
    update = LegalCaseForm(
        prefix="legal",
        initial={
            "legal_firm": item.legal_firm,
            "court_reference": item.court_reference,
            "filed_on": item.filed_on,
            "hearing_on": item.hearing_on,
            "legal_costs": item.legal_costs,
        },
    )
    close = LegalCloseForm(prefix="close")
    if request.method == "POST":
        closing = "close-outcome" in request.POST
        form = (
            LegalCloseForm(request.POST, prefix="close")
            if closing
            else LegalCaseForm(request.POST, prefix="legal")
        )
        if closing:
            close = form
        else:
            update = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if closing:
                    services.legal_case_close(
                        item=item,
                        user=request.user,
                        outcome=data["outcome"],
                        notes=data["notes"],
                        closed_on=data["closed_on"],
                        lift_hold=data["lift_hold"],
                    )
                    messages.success(request, _("Legal case closed."))
                    return redirect("supervision:legal-queue")
                services.legal_case_update(item=item, user=request.user, **data)
                messages.success(request, _("Legal case updated."))
                return redirect("supervision:legal-case", item.reference)
            except ApplicationError as exc:
                _form_errors(form, exc)
    return render(
        request,
        "supervision/legal_case.html",
        {
            "item": item,
            "update": update,
            "close": close,
            "can_complete": services.work_item_can_complete(
                user=request.user, item=item
            ),
            "history": item.history.select_related("history_user")[:20],
        },
        status=400 if request.method == "POST" else 200,
    )
