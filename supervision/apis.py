"""REST API for supervisors (/api/v1/): call records, reviews, approvals, bulk
reassignment, follow-ups and the team report. The same selectors and services as
the pages: a row outside the caller's teams answers 404."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.models import CallLog, CallReview
from cases.access import NO_CASE
from cases.models import PromiseToPay, RepaymentPlan
from cases.selectors import case_list_for_user
from core.api import BOUNDED_YEAR_PATTERN, errors, parse, parse_query
from core.errors import not_found
from core.permissions import ROLE_PERMISSIONS
from core.roles import Role, user_has_role

from . import selectors, services
from .models import Approval, FollowUp
from .serializers import (
    ApprovalInputSerializer,
    ApprovalOutputSerializer,
    CallRecordSerializer,
    DecisionInputSerializer,
    FollowUpSerializer,
    FollowUpStatusSerializer,
    PeriodInputSerializer,
    PlanWaitingSerializer,
    ReassignInputSerializer,
    ReassignOutputSerializer,
    ReviewInputSerializer,
    ReviewOutputSerializer,
    TeamReportSerializer,
)

# The API's 404s for a reference (core.errors.not_found), one sentence per noun.
NO_CALL = gettext_lazy("No call with reference %(reference)r.")
NO_PLAN = gettext_lazy("No plan with reference %(reference)r.")
NO_APPROVAL = gettext_lazy("No approval with reference %(reference)r.")
NO_TEAM = gettext_lazy("No team with reference %(reference)r.")
NO_RESTRICTION = gettext_lazy("No restriction with reference %(reference)r.")
NO_PROMISE = gettext_lazy("No promise with reference %(reference)r.")
NO_FOLLOW_UP = gettext_lazy("No follow-up with reference %(reference)r.")


def require_supervisor(request: Request) -> None:
    if not user_has_role(request.user, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("Only supervisors and admins may do this."))


def _get(fetch, field: str, message, reference: str):
    try:
        return fetch()
    except Http404:
        raise not_found(field, message, reference) from None


# --------------------------------------------------------------------------------------
# Call records
# --------------------------------------------------------------------------------------


class CallRecordFilter(django_filters.FilterSet):
    collector = django_filters.CharFilter(field_name="collector__username")
    date_from = django_filters.DateFilter(method="filter_from")
    date_to = django_filters.DateFilter(method="filter_to")
    outcome = django_filters.CharFilter()
    attitude = django_filters.CharFilter()
    min_duration = django_filters.NumberFilter(
        field_name="duration_seconds", lookup_expr="gte"
    )
    max_duration = django_filters.NumberFilter(
        field_name="duration_seconds", lookup_expr="lte"
    )
    right_party_contact = django_filters.BooleanFilter()
    flagged = django_filters.BooleanFilter(method="filter_flagged")
    reviewed = django_filters.BooleanFilter()

    def filter_from(self, queryset, name, value):
        return queryset.filter(started_at__gte=selectors.day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(
            started_at__lt=selectors.day_start(value + dt.timedelta(days=1))
        )

    def filter_flagged(self, queryset, name, value):
        flagged = selectors.AUTO_FLAGGED | Q(violation=True)
        return queryset.filter(flagged) if value else queryset.exclude(flagged)


class CallRecordListApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "reports:read"}
    serializer_class = CallRecordSerializer
    filterset_class = CallRecordFilter
    ordering_fields = ["started_at", "duration_seconds"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CallLog.objects.none()
        require_supervisor(self.request)
        return selectors.call_list_for_supervisor(user=self.request.user)

    @extend_schema(
        operation_id="call_records_list",
        summary="Your teams' calls, with flags and review state",
        responses={200: CallRecordSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CallRecordDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "reports:read"}

    @extend_schema(
        operation_id="call_records_retrieve",
        summary="One call of your teams",
        responses={200: CallRecordSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        require_supervisor(request)
        call = _get(
            lambda: selectors.call_get_for_supervisor(
                user=request.user, reference=reference
            ),
            "reference",
            NO_CALL,
            reference,
        )
        return Response(CallRecordSerializer(call).data)


# --------------------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------------------


class ReviewListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = ReviewOutputSerializer
    ordering_fields = ["created_at", "score"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CallReview.objects.none()
        require_supervisor(self.request)
        calls = selectors.call_list_for_supervisor(user=self.request.user)
        queryset = CallReview.objects.filter(
            call_id__in=calls.order_by().values("pk")
        ).select_related("call__collector", "reviewer", "follow_up")
        call = self.request.query_params.get("call")
        if call:
            queryset = queryset.filter(call__reference=call)
        return queryset.order_by("-created_at")

    @extend_schema(
        operation_id="call_reviews_list",
        summary="Reviews of your teams' calls",
        parameters=[OpenApiParameter("call", str, description="Call reference.")],
        responses={200: ReviewOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="call_reviews_create",
        summary="Score a call; a violation opens a follow-up for the collector",
        request=ReviewInputSerializer,
        responses={201: ReviewOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        require_supervisor(request)
        data = parse(ReviewInputSerializer, request.data)
        reference = data.pop("call")
        call = _get(
            lambda: selectors.call_get_for_supervisor(
                user=request.user, reference=reference
            ),
            "call",
            NO_CALL,
            reference,
        )
        review = services.call_review_record(
            reviewer=request.user,
            call=call,
            criteria={name: data[name] for name in services.CRITERIA},
            score=data["score"],
            violation=data["violation"],
            comments=data["comments"],
            sampled=data["sampled"],
        )
        return Response(
            ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED
        )


# --------------------------------------------------------------------------------------
# Approvals
# --------------------------------------------------------------------------------------


class PlanWaitingListApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = PlanWaitingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return RepaymentPlan.objects.none()
        require_supervisor(self.request)
        wanted = self.request.query_params.get("status") or "proposed"
        return selectors.plans_for_supervisor(user=self.request.user, status=wanted)

    @extend_schema(
        operation_id="approvals_plans_list",
        summary="Repayment plans of your teams (default: those waiting)",
        parameters=[OpenApiParameter("status", str, description="Plan status.")],
        responses={200: PlanWaitingSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PlanDecideApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="approvals_plans_decide",
        summary="Approve or reject a proposed plan (a rejection needs a reason)",
        request=DecisionInputSerializer,
        responses={200: PlanWaitingSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        require_supervisor(request)
        data = parse(DecisionInputSerializer, request.data)
        plan = _get(
            lambda: selectors.plan_get_for_supervisor(
                user=request.user, reference=reference
            ),
            "reference",
            NO_PLAN,
            reference,
        )
        plan = services.plan_decide(
            user=request.user,
            plan=plan,
            approve=data["decision"] == "approve",
            reason=data["reason"],
        )
        plan = selectors.plan_get_for_supervisor(
            user=request.user, reference=plan.reference
        )
        return Response(PlanWaitingSerializer(plan).data)


class ApprovalListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = ApprovalOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Approval.objects.none()
        status_ = self.request.query_params.get("status") or None
        return selectors.approvals_for_supervisor(
            user=self.request.user, status=status_
        )

    @extend_schema(
        operation_id="approvals_list",
        summary="Exception requests on cases you may see",
        parameters=[OpenApiParameter("status", str, description="pending, ...")],
        responses={200: ApprovalOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="approvals_create",
        summary="Ask for a restriction removal, a compliance override or a promise",
        request=ApprovalInputSerializer,
        responses={201: ApprovalOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        from compliance.models import ContactRestriction

        data = parse(ApprovalInputSerializer, request.data)
        case = case_list_for_user(user=request.user).filter(reference=data["case"])
        case = case.first()
        if case is None:
            raise not_found("case", NO_CASE, data["case"])
        restriction = promise = None
        if data["restriction"] is not None:
            restriction = ContactRestriction.objects.filter(
                pk=data["restriction"], customer_id=case.customer_id
            ).first()
            if restriction is None:
                raise not_found("restriction", NO_RESTRICTION, data["restriction"])
        if data["promise"] is not None:
            promise = PromiseToPay.objects.filter(pk=data["promise"], case=case).first()
            if promise is None:
                raise not_found("promise", NO_PROMISE, data["promise"])
        approval = services.approval_request(
            user=request.user,
            case=case,
            kind=data["kind"],
            reason=data["reason"],
            restriction=restriction,
            promise=promise,
            rule_code=data["rule_code"],
            evidence=data["evidence"],
            expires_at=data["expires_at"],
        )
        return Response(
            ApprovalOutputSerializer(approval).data, status=status.HTTP_201_CREATED
        )


class ApprovalDecideApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="approvals_decide",
        summary="Approve or reject a request, with a reason",
        request=DecisionInputSerializer,
        responses={200: ApprovalOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        require_supervisor(request)
        data = parse(DecisionInputSerializer, request.data)
        approval = _get(
            lambda: selectors.approval_get_for_supervisor(
                user=request.user, reference=reference
            ),
            "reference",
            NO_APPROVAL,
            reference,
        )
        approval = services.approval_decide(
            user=request.user,
            approval=approval,
            approve=data["decision"] == "approve",
            reason=data["reason"],
        )
        return Response(ApprovalOutputSerializer(approval).data)


# --------------------------------------------------------------------------------------
# Reassignment and follow-ups
# --------------------------------------------------------------------------------------


class ReassignApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="case_reassignments_create",
        summary="Move cases to another collector or queue of your teams, with a reason",
        request=ReassignInputSerializer,
        responses={200: ReassignOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        require_supervisor(request)
        data = parse(ReassignInputSerializer, request.data)
        cases, missing = selectors.reassign_cases_for_user(
            user=request.user, references=data["cases"]
        )
        if missing:
            raise not_found("cases", NO_CASE, missing[0])
        moved = services.cases_reassign(
            user=request.user,
            cases=cases,
            reason=data["reason"],
            collector=data["collector"],
            queue=data["queue"],
            unassign=data["unassign"],
        )
        return Response({"moved": moved})


class FollowUpListApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = FollowUpSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return FollowUp.objects.none()
        wanted = self.request.query_params.get("status") or None
        return selectors.follow_ups_for_user(user=self.request.user, status=wanted)

    @extend_schema(
        operation_id="follow_ups_list",
        summary="Follow-ups: your own, or your teams' as a supervisor",
        parameters=[OpenApiParameter("status", str, description="open, ...")],
        responses={200: FollowUpSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FollowUpStatusApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="follow_ups_status",
        summary="Acknowledge (collector) or close (supervisor) a follow-up",
        request=FollowUpStatusSerializer,
        responses={200: FollowUpSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, reference: str) -> Response:
        data = parse(FollowUpStatusSerializer, request.data)
        follow_up = (
            selectors.follow_ups_for_user(user=request.user)
            .filter(reference=reference)
            .first()
        )
        if follow_up is None:
            raise not_found("reference", NO_FOLLOW_UP, reference)
        follow_up = services.follow_up_set_status(
            user=request.user, follow_up=follow_up, status=data["status"]
        )
        return Response(FollowUpSerializer(follow_up).data)


# --------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------


# A date as the period's fields take it (core.api.BoundedDateField).
BOUNDED_DATE = {"type": "string", "format": "date", "pattern": BOUNDED_YEAR_PATTERN}


class TeamReportApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "reports:read"}

    @extend_schema(
        operation_id="reports_team",
        summary="Team figures per collector for a period (the dashboard's numbers)",
        parameters=[
            OpenApiParameter(
                "start",
                BOUNDED_DATE,
                description="With no end: to today. At most a year before the end.",
            ),
            OpenApiParameter(
                "end", BOUNDED_DATE, description="With no start: the 30 days to it."
            ),
            OpenApiParameter(
                "days",
                {"type": "integer", "minimum": 1, "maximum": 366},
                description="Without start/end: last N (1 to 366).",
            ),
            OpenApiParameter("team", int, description="One of your teams (id)."),
        ],
        responses={200: TeamReportSerializer, **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        require_supervisor(request)
        data = parse_query(PeriodInputSerializer, request)
        period = data["period"] or selectors.Period.last_days(data["days"])
        team = None
        if data["team"] is not None:
            team = _get(
                lambda: selectors.team_get_for_user(
                    user=request.user, team_id=data["team"]
                ),
                "team",
                NO_TEAM,
                str(data["team"]),
            )
        board = selectors.team_dashboard_cached(
            user=request.user, period=period, team=team
        )
        body = {
            "start": period.start,
            "end": period.end,
            "team": team.name if team else None,
            "collectors": [r.as_dict() for r in board.rows],
            "total": {**board.total.as_dict(), "collector": "", "name": ""},
            "compliance_blocks_by_reason": board.blocks_by_reason,
            "roll_rates": board.roll_rates,
            "computed_at": board.computed_at,
        }
        return Response(TeamReportSerializer(body).data)
