"""REST API for collector work (/api/v1/): cases, next case, calls, promises and
repayment plans. Thin views over the same services and selectors the pages use, so
the browser and an integration obey the same rules."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import services as case_services
from cases.access import NO_CASE, contact_point_for_customer, loan_of_customer
from cases.models import Case, ContactPoint, Loan
from cases.selectors import case_list_for_user
from core.api import errors, parse
from core.errors import not_found
from core.permissions import ROLE_PERMISSIONS

from . import selectors, services
from .models import CallLog
from .serializers import (
    CallInputSerializer,
    CallOutputSerializer,
    CaseDetailSerializer,
    CaseOutputSerializer,
    ClaimedCaseSerializer,
    PlanInputSerializer,
    PlanOutputSerializer,
    PromiseInputSerializer,
    PromiseOutputSerializer,
    SkipInputSerializer,
)


def _cases_for(user):
    return case_list_for_user(user=user).prefetch_related(
        Prefetch(
            "customer__contact_points", queryset=ContactPoint.objects.order_by("id")
        )
    )


def case_for(user, reference: str, *, field: str = "case") -> Case:
    """The case if `user` may see it, else 404 naming `field` (no existence leak)."""
    case = _cases_for(user).filter(reference=reference).first()
    if case is None:
        raise not_found(field, NO_CASE, reference)
    return case


class CaseFilter(django_filters.FilterSet):
    queue = django_filters.CharFilter(field_name="queue__code")
    bucket = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(choices=Case.Status.choices)
    assigned_to = django_filters.CharFilter(field_name="assigned_to__username")

    class Meta:
        model = Case
        fields = ["queue", "bucket", "status", "assigned_to"]


class CaseListApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "cases:read"}
    serializer_class = CaseOutputSerializer
    filterset_class = CaseFilter
    ordering_fields = ["priority", "overdue_amount", "max_days_past_due", "reference"]

    def get_queryset(self):
        return _cases_for(self.request.user).order_by("-priority", "reference")

    @extend_schema(
        operation_id="cases_list",
        summary="Cases you may see (PII masked)",
        responses={200: CaseOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CaseDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "cases:read"}

    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case with its customer (masked) and loans",
        responses={200: CaseDetailSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        case = case_for(request.user, reference, field="reference")
        return Response(CaseDetailSerializer(case).data)


class CaseNextApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "cases:write"}

    @extend_schema(
        operation_id="cases_next",
        summary="Claim the best case you may call now",
        request=None,
        responses={
            200: ClaimedCaseSerializer,
            204: OpenApiResponse(description="Nothing may be called now."),
            **errors(403),
        },
    )
    def post(self, request: Request) -> Response:
        task = services.call_task_claim_next(user=request.user)
        if task is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ClaimedCaseSerializer(task).data)


class CallFilter(django_filters.FilterSet):
    case = django_filters.CharFilter(field_name="case__reference")
    collector = django_filters.CharFilter(field_name="collector__username")
    outcome = django_filters.ChoiceFilter(choices=CallLog.Outcome.choices)
    attitude = django_filters.ChoiceFilter(choices=CallLog.Attitude.choices)
    started_at = django_filters.IsoDateTimeFromToRangeFilter(
        label="Started between: started_at_after, started_at_before (ISO 8601)"
    )

    class Meta:
        model = CallLog
        fields = ["case", "collector", "outcome", "attitude", "started_at"]


class CallListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "cases:read", "POST": "cases:write"}
    serializer_class = CallOutputSerializer
    filterset_class = CallFilter
    ordering_fields = ["started_at"]
    ordering = ["-started_at"]

    def get_queryset(self):
        return selectors.call_list_for_user(user=self.request.user)

    @extend_schema(
        operation_id="calls_list",
        summary="Calls on the cases you may see",
        responses={200: CallOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="calls_create",
        summary="Record a call (through the compliance gate)",
        description=(
            "The gate decides at `started_at`; a blocked contact point answers 400 "
            "naming the reason (the blocked attempt stays in the ledger). Disclosure "
            "without identity confirmation answers 400. A case another collector "
            "holds (a live claim from next case) answers 409 `claimed_by_other`: one "
            "caller per case."
        ),
        request=CallInputSerializer,
        responses={201: CallOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = parse(CallInputSerializer, request.data)
        case = case_for(request.user, data.pop("case"))
        point = contact_point_for_customer(
            customer=case.customer,
            value=data.pop("contact_point"),
            channels=("phone",),
            field="contact_point",
        )
        call = services.call_record(
            user=request.user, case=case, contact_point=point, **data
        )
        body = CallOutputSerializer(call).data
        return Response(body, status=status.HTTP_201_CREATED)


class PromiseCreateApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "cases:write"}

    @extend_schema(
        operation_id="promises_create",
        summary="Record a promise to pay",
        description=(
            "The date must fall within the case's promise horizon (its products' "
            "arrangement terms, the strictest of several); a later one answers 400 "
            "on `due_date` naming the horizon. A case with an arrangement in force "
            "answers 400 on `supersede` unless `supersede` is true (then the old one "
            "is cancelled). A customer who asked to cease communication: 409 "
            "`cease_communication`."
        ),
        request=PromiseInputSerializer,
        responses={201: PromiseOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = parse(PromiseInputSerializer, request.data)
        case = case_for(request.user, data["case"])
        loan: Loan | None = loan_of_customer(
            customer=case.customer, reference=data["loan"]
        )
        promise = case_services.promise_record(
            case=case,
            amount=data["amount"],
            due_date=data["due_date"],
            loan=loan,
            created_by=request.user,
            supersede=data["supersede"],
            supersede_reason=data["supersede_reason"],
        )
        body = PromiseOutputSerializer(promise).data
        return Response(body, status=status.HTTP_201_CREATED)


class PlanCreateApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "cases:write"}

    @extend_schema(
        operation_id="repayment_plans_create",
        summary="Propose a repayment plan (a supervisor approves it)",
        description=(
            "Checked as the plan calculator's preview is. Beyond the case's "
            "arrangement terms (instalments, length, first payment, smallest "
            "instalment) the plan needs a `reason` and waits for a supervisor "
            "(`outside_terms` lists why); beyond PLAN_MAX_INSTALMENTS or "
            "PLAN_MAX_DAYS it is refused. A case with an arrangement in force "
            "answers 400 on `supersede` unless `supersede` is true. A customer who "
            "asked to cease communication: 409 `cease_communication`."
        ),
        request=PlanInputSerializer,
        responses={201: PlanOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = parse(PlanInputSerializer, request.data)
        case = case_for(request.user, data["case"])
        plan = case_services.plan_propose(
            case=case,
            kind=data["kind"],
            instalments=[dict(item) for item in data["instalments"]],
            reason=data["reason"],
            proposed_by=request.user,
            requested_by_customer=data["requested_by_customer"],
            supersede=data["supersede"],
        )
        body = PlanOutputSerializer(plan).data
        return Response(body, status=status.HTTP_201_CREATED)


class CaseSkipApi(APIView):
    """Skip the case you hold (decision 43): the claim ends and the case waits
    CALL_SKIP_MINUTES for everyone; the reason is kept in its history."""

    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "cases:write"}

    @extend_schema(
        operation_id="cases_skip",
        summary="Skip a case you hold (with a reason)",
        description=(
            "409 `not_claimed` when you hold no live claim on the case (from "
            "`cases/next/`)."
        ),
        request=SkipInputSerializer,
        responses={200: CaseOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        # The case first: a case the caller may not see is 404 whatever the body.
        case = case_for(request.user, reference, field="reference")
        data = parse(SkipInputSerializer, request.data)
        services.case_skip(user=request.user, case=case, reason=data["reason"])
        return Response(CaseOutputSerializer(case_for(request.user, reference)).data)


class CaseReleaseApi(APIView):
    """Give the case you hold back to the queue at once (decision 43); its next
    action time is unchanged."""

    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "cases:write"}

    @extend_schema(
        operation_id="cases_release",
        summary="Release a case you hold back to the queue",
        description=(
            "409 `not_claimed` when you hold no live claim on the case (from "
            "`cases/next/`)."
        ),
        request=None,
        responses={200: CaseOutputSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = case_for(request.user, reference, field="reference")
        services.case_claim_release(user=request.user, case=case)
        return Response(CaseOutputSerializer(case_for(request.user, reference)).data)
