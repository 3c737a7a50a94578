"""Escalation policies over the API (admins only), all under
/api/v1/escalation-policies/: versioned drafts, simulation, activation (and its
request, when a second admin must approve), rollback. Each endpoint calls the one
service (`escalation.services`) or selector the configuration pages call too, and
declares the scope an integration token needs (policies:read / policies:write).

Work items under /api/v1/work-items/ (supervisors and admins): list, detail, a
review's decision, a legal case's record and close, a write-off's answer."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import EscalationPolicy, EscalationStep
from core.api import errors, parse, parse_query, time_param
from core.errors import ApplicationError
from core.permissions import ROLE_PERMISSIONS, require_admin
from core.roles import Role, user_has_role

from . import selectors, services, work_items
from .models import WorkItem
from .simulation import policy_simulation


class StepSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=100)
    trigger = serializers.ChoiceField(choices=EscalationStep.Trigger.choices)
    trigger_days = serializers.IntegerField(min_value=0, max_value=3650)
    action = serializers.ChoiceField(choices=EscalationStep.Action.choices)
    template = serializers.CharField(
        source="template_code", required=False, allow_blank=True, default=""
    )
    queue = serializers.CharField(
        source="queue.code", read_only=True, required=False, allow_null=True
    )
    priority = serializers.IntegerField(required=False, default=0)
    skip_while_promise = serializers.BooleanField(required=False, default=True)
    skip_while_plan = serializers.BooleanField(required=False, default=True)
    on_unusable = serializers.ChoiceField(
        choices=EscalationStep.OnUnusable.choices, required=False, default="skip"
    )
    substitute_action = serializers.ChoiceField(
        choices=EscalationStep.SUBSTITUTE_ACTIONS,
        required=False,
        allow_blank=True,
        default="",
    )
    substitute_template = serializers.CharField(
        source="substitute_template_code",
        required=False,
        allow_blank=True,
        default="",
    )


class StepInputSerializer(StepSerializer):
    template = serializers.CharField(required=False, allow_blank=True, default="")
    substitute_template = serializers.CharField(
        required=False, allow_blank=True, default=""
    )
    queue = serializers.CharField(required=False, allow_blank=True, default="")


class PolicyInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=50)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    steps = StepInputSerializer(many=True)


class PolicyUpdateSerializer(PolicyInputSerializer):
    code = None


class PolicyOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    is_default = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    steps = StepSerializer(many=True)


def _policy(code: str, version: int) -> EscalationPolicy:
    return selectors.policy_get(code=code, version=version)


def _steps(data: dict) -> list[services.StepInput]:
    return [services.StepInput(**step) for step in data.pop("steps")]


class PolicyFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(choices=EscalationPolicy.Status.choices)
    is_default = django_filters.BooleanFilter()

    class Meta:
        model = EscalationPolicy
        fields = ["code", "status", "is_default"]


class PolicyListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "policies:read", "POST": "policies:write"}
    serializer_class = PolicyOutputSerializer
    filterset_class = PolicyFilter
    ordering_fields = ["code", "version", "created_at"]
    ordering = ["code", "-version"]

    def get_queryset(self):
        return EscalationPolicy.objects.prefetch_related("steps__queue")

    @extend_schema(
        operation_id="escalation_policies_list",
        summary="Every version of every escalation policy (admin)",
        responses={200: PolicyOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        require_admin(request)
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="escalation_policies_create",
        summary="Create a draft (a new version when the code exists) (admin)",
        description=(
            "Rules across the steps, which the schema cannot state: orders are "
            "positive and unique; the first step is triggered by days past due; "
            "days-past-due triggers rise with the order; an after-previous step "
            "waits at least a day; a message step names a template of its channel; "
            "only a step set to substitute names a substitute action. Each broken "
            "rule is a 400 naming `steps[i].field`."
        ),
        request=PolicyInputSerializer,
        responses={201: PolicyOutputSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        require_admin(request)
        data = parse(PolicyInputSerializer, request.data)
        steps = _steps(data)
        policy = services.policy_create(**data, steps=steps, user=request.user)
        body = PolicyOutputSerializer(_policy(policy.code, policy.version)).data
        return Response(body, status=status.HTTP_201_CREATED)


class PolicyDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {
        "GET": "policies:read",
        "PUT": "policies:write",
        "DELETE": "policies:write",
    }

    @extend_schema(
        operation_id="escalation_policies_retrieve",
        responses={200: PolicyOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, code: str, version: int) -> Response:
        require_admin(request)
        return Response(PolicyOutputSerializer(_policy(code, version)).data)

    @extend_schema(
        operation_id="escalation_policies_update",
        summary="Replace a draft's name, description and steps (admin)",
        request=PolicyUpdateSerializer,
        responses={200: PolicyOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def put(self, request: Request, code: str, version: int) -> Response:
        require_admin(request)
        policy = _policy(code, version)
        data = parse(PolicyUpdateSerializer, request.data)
        steps = _steps(data)
        services.policy_update(policy=policy, **data, steps=steps, user=request.user)
        return Response(PolicyOutputSerializer(_policy(code, version)).data)

    @extend_schema(
        operation_id="escalation_policies_destroy",
        summary="Delete a draft (admin)",
        responses={204: None, **errors(403, 404, 409)},
    )
    def delete(self, request: Request, code: str, version: int) -> Response:
        require_admin(request)
        services.policy_delete(policy=_policy(code, version))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyActivateApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "policies:write"}

    @extend_schema(
        operation_id="escalation_policies_activate",
        summary="Make a draft live; the active version it replaces is retired (admin)",
        request=None,
        responses={200: PolicyOutputSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, code: str, version: int) -> Response:
        require_admin(request)
        services.policy_activate(policy=_policy(code, version), user=request.user)
        return Response(PolicyOutputSerializer(_policy(code, version)).data)


class PolicySimulateApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "policies:read"}

    @extend_schema(
        operation_id="escalation_policies_simulate",
        summary="What this version would do at `at`, compared with the live version; "
        "writes nothing (admin)",
        parameters=[
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="default: now")
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403, 404)},
    )
    def get(self, request: Request, code: str, version: int) -> Response:
        require_admin(request)
        policy = _policy(code, version)
        simulation = policy_simulation(policy=policy, at=time_param(request))
        return Response(simulation.as_dict())


class PolicyActivationRequestApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "policies:write"}

    @extend_schema(
        operation_id="escalation_policies_request_activation",
        summary="Ask a second admin to activate this draft (when approval is on)",
        request=None,
        responses={200: PolicyOutputSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, code: str, version: int) -> Response:
        require_admin(request)
        services.policy_activation_request(
            policy=_policy(code, version), user=request.user
        )
        return Response(PolicyOutputSerializer(_policy(code, version)).data)


class PolicyRollbackApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "policies:write"}

    @extend_schema(
        operation_id="escalation_policies_rollback",
        summary="Make the previous version live again, as a new version (admin)",
        request=None,
        responses={200: PolicyOutputSerializer, **errors(403, 409)},
    )
    def post(self, request: Request, code: str) -> Response:
        require_admin(request)
        policy = services.policy_rollback(code=code, user=request.user)
        return Response(PolicyOutputSerializer(_policy(code, policy.version)).data)


# --- work items (docs/decisions.md, record 41) -------------------------------------
# Supervisors (their teams' items) and admins (all); collectors get 403. The same
# services as the worklist and legal-queue pages. Not open to integration tokens.


def _require_supervisor(request: Request) -> None:
    if not user_has_role(request.user, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("Only supervisors and admins work on work items."))


class WorkItemOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    case = serializers.CharField(source="case.reference")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    reason = serializers.CharField()
    due_at = serializers.DateTimeField()
    priority = serializers.IntegerField()
    outcome = serializers.CharField()
    notes = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    decided_by = serializers.CharField(
        source="decided_by.username", allow_null=True, default=None
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    legal_firm = serializers.CharField()
    court_reference = serializers.CharField()
    filed_on = serializers.DateField(allow_null=True)
    hearing_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    legal_costs = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    hold_active = serializers.SerializerMethodField()
    settlement = serializers.SerializerMethodField()

    def get_settlement(self, item) -> dict | None:
        offer = item.settlement
        if offer is None:
            return None
        return {
            "reference": offer.reference,
            "state": offer.state,
            "balance": str(offer.balance),
            "amount": str(offer.amount),
            "discount": str(offer.discount),
            "discount_percent": str(offer.discount_percent),
            "deadline": offer.deadline.isoformat(),
        }

    def get_hold_active(self, item) -> bool:
        hold = item.hold
        return bool(hold) and (hold.ends_at is None or hold.ends_at > timezone.now())


class ReviewDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=work_items.REVIEW_DECISIONS)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    hold_until = serializers.DateField(required=False, allow_null=True, default=None)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class LegalCaseSerializer(serializers.Serializer):
    legal_firm = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    court_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    filed_on = serializers.DateField(required=False, allow_null=True, default=None)
    hearing_on = serializers.DateField(required=False, allow_null=True, default=None)
    legal_costs = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class LegalCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=work_items.LEGAL_OUTCOMES)
    notes = serializers.CharField()
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)
    lift_hold = serializers.BooleanField(required=False, default=False)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=["approve", "reject", "record", "communicate"]
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    via = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


def _item(request: Request, reference: str) -> WorkItem:
    _require_supervisor(request)
    return selectors.work_item_get_for_user(user=request.user, reference=reference)


def _item_response(item: WorkItem) -> Response:
    item = WorkItem.objects.select_related(
        "case", "team", "decided_by", "hold", "settlement"
    ).get(pk=item.pk)
    return Response(WorkItemOutputSerializer(item).data)


class WorkItemQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WorkItem.Kind.values, required=False)
    state = serializers.ChoiceField(choices=["open", "all"], default="open")


class WorkItemListApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = WorkItemOutputSerializer

    def get_queryset(self):
        # Unknown kinds and states are a 400 naming the parameter, not "all".
        query = parse_query(WorkItemQuerySerializer, self.request)
        kind = query.get("kind")
        return selectors.work_items_for_user(
            user=self.request.user,
            kinds=[kind] if kind else None,
            open_only=query["state"] != "all",
        )

    @extend_schema(
        operation_id="work_items_list",
        summary="Open work items the caller can complete (supervisors, admins)",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=WorkItem.Kind.values),
            OpenApiParameter("state", OpenApiTypes.STR, enum=["open", "all"]),
        ],
        responses={200: WorkItemOutputSerializer(many=True), **errors(400, 403)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        _require_supervisor(request)
        return super().get(request, *args, **kwargs)


class WorkItemDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="work_items_retrieve",
        summary="One work item",
        responses={200: WorkItemOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        return _item_response(_item(request, reference))


class WorkItemDecideApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="work_items_decide",
        summary="A supervisor's decision on a review: continue, hold, refer to legal, "
        "offer a settlement, request a write-off",
        request=ReviewDecisionSerializer,
        responses={200: WorkItemOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        item = _item(request, reference)
        data = parse(ReviewDecisionSerializer, request.data)
        result = work_items.review_decide(item=item, user=request.user, **data)
        return _item_response(result)


class WorkItemLegalApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="work_items_legal_update",
        summary="Record the legal case of a referral: firm, court reference, dates, "
        "costs",
        request=LegalCaseSerializer,
        responses={200: WorkItemOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        item = _item(request, reference)
        data = parse(LegalCaseSerializer, request.data)
        return _item_response(
            work_items.legal_case_update(item=item, user=request.user, **data)
        )


class WorkItemLegalCloseApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="work_items_legal_close",
        summary="Close a legal case with its outcome (optionally lifting the hold)",
        request=LegalCloseSerializer,
        responses={200: WorkItemOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        item = _item(request, reference)
        data = parse(LegalCloseSerializer, request.data)
        return _item_response(
            work_items.legal_case_close(item=item, user=request.user, **data)
        )


class WorkItemAnswerApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="work_items_answer",
        summary="Approve or reject a write-off or a settlement offer (under the "
        "approval authority matrix, never by the requester); record an approved "
        "offer as communicated",
        request=AnswerSerializer,
        responses={200: WorkItemOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        item = _item(request, reference)
        data = parse(AnswerSerializer, request.data)
        if item.kind == WorkItem.Kind.SETTLEMENT_OFFER and item.settlement_id:
            if data["answer"] == "communicate":
                result = work_items.settlement_communicated(
                    item=item, user=request.user, via=data["via"], notes=data["notes"]
                )
            elif data["answer"] == "record":
                raise ApplicationError(
                    _("Approve, reject or communicate a settlement offer."),
                    errors={"answer": [_("Use approve, reject or communicate.")]},
                )
            else:
                result = work_items.settlement_decide(
                    item=item,
                    user=request.user,
                    approve=data["answer"] == "approve",
                    notes=data["notes"],
                )
        elif item.kind == WorkItem.Kind.WRITE_OFF:
            if data["answer"] in ("record", "communicate"):
                raise ApplicationError(
                    _("Approve or reject a write-off."),
                    errors={"answer": [_("Use approve or reject.")]},
                )
            result = work_items.write_off_decide(
                item=item,
                user=request.user,
                approve=data["answer"] == "approve",
                notes=data["notes"],
            )
        else:
            result = work_items.work_item_record(
                item=item, user=request.user, notes=data["notes"]
            )
        return _item_response(result)
