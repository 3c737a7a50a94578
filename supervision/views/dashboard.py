"""The team dashboard and its CSV exports."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from compliance.labels import reason_label
from core.roles import role_required

from .. import selectors
from ..forms import PeriodForm
from .common import SUPERVISORS, csv_response

COLLECTOR_COLUMNS = [
    "collector",
    "name",
    "attempts",
    "right_party_contacts",
    "promises",
    "promises_kept",
    "promises_broken",
    "promise_kept_rate",
    "amount_collected",
    "plans_agreed",
    "average_handling_seconds",
    "reviews",
    "qa_score",
    "compliance_blocks",
    "flagged_calls",
]


def dashboard_for_request(request) -> tuple[PeriodForm, selectors.Dashboard]:
    teams = selectors.teams_for_user(user=request.user)
    form = PeriodForm(request.GET or None, teams=teams)
    team = None
    if form.is_valid() and form.cleaned_data.get("team"):
        team = selectors.team_get_for_user(
            user=request.user, team_id=form.cleaned_data["team"]
        )
    dashboard = selectors.team_dashboard_cached(
        user=request.user, period=form.period(), team=team
    )
    return form, dashboard


@role_required(*SUPERVISORS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, board = dashboard_for_request(request)
    table = request.GET.get("table")
    if request.GET.get("format") == "csv":
        return dashboard_csv(board, table or "collectors")
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    context = {
        "form": form,
        "board": board,
        "rows": [r.as_dict() for r in board.rows],
        "total": board.total.as_dict(),
        "query": query.urlencode(),
        # The chart's labels in the reader's language, not reason codes.
        "blocks_labelled": {
            reason_label(code): n for code, n in board.blocks_by_reason.items()
        },
        "chart_labels": {
            "attempts": _("Attempts"),
            "rpc": _("Right-party contacts"),
            "promises": _("Promises"),
            "qa": _("QA score"),
            "kept": _("Promise kept rate (%)"),
            "blocks": _("Blocked attempts"),
        },
    }
    return render(request, "supervision/dashboard.html", context)


def dashboard_csv(board: selectors.Dashboard, table: str) -> HttpResponse:
    stamp = f"{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}"
    if table == "collectors":
        rows = [r.as_dict() for r in board.rows]
        total = board.total.as_dict()
        total.update(collector="TOTAL", name="")
        return csv_response(
            f"team-{stamp}.csv",
            COLLECTOR_COLUMNS,
            (
                ["" if row[c] is None else row[c] for c in COLLECTOR_COLUMNS]
                for row in [*rows, total]
            ),
        )
    if table == "blocks":
        return csv_response(
            f"blocks-{stamp}.csv",
            ["reason", "blocked_attempts", "reason_label"],
            (
                [code, n, reason_label(code)]
                for code, n in board.blocks_by_reason.items()
            ),
        )
    if table == "rolls":
        rolls = board.roll_rates
        columns = rolls.get("columns", [])
        return csv_response(
            f"roll-rates-{stamp}.csv",
            [
                "from_bucket",
                "cases",
                *[f"to_{c}" for c in columns],
                "roll_forward_rate",
            ],
            (
                [
                    r["bucket"],
                    r["cases"],
                    *[r["to"][c] for c in columns],
                    r["roll_forward_rate"],
                ]
                for r in rolls.get("rows", [])
            ),
        )
    raise Http404("No such table.")
