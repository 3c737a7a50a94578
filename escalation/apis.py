"""Escalation policies over the API (admins only), all under
/api/v1/escalation-policies/: versioned drafts, simulation, activation (and its
request, when a second admin must approve), rollback. Each endpoint calls the one
service (`escalation.services`) or selector the configuration pages call too, and
declares the scope an integration token needs (policies:read / policies:write)."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import EscalationPolicy, EscalationStep
from core.api import errors, parse, time_param
from core.permissions import ROLE_PERMISSIONS, require_admin

from . import selectors, services
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
