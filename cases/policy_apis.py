"""Escalation policies over the API (admins only): versioned drafts, activation."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import errors, parse
from core.permissions import ROLE_PERMISSIONS, require_admin

from . import policies
from .models import EscalationPolicy, EscalationStep


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


class StepInputSerializer(StepSerializer):
    template = serializers.CharField(required=False, allow_blank=True, default="")
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
    policy = (
        EscalationPolicy.objects.prefetch_related("steps__queue")
        .filter(code=code, version=version)
        .first()
    )
    if policy is None:
        raise Http404("No such policy version.")
    return policy


def _steps(data: dict) -> list[policies.StepInput]:
    return [policies.StepInput(**step) for step in data.pop("steps")]


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
        policy = policies.policy_create(**data, steps=steps, user=request.user)
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
        policies.policy_update(policy=policy, **data, steps=steps, user=request.user)
        return Response(PolicyOutputSerializer(_policy(code, version)).data)

    @extend_schema(
        operation_id="escalation_policies_destroy",
        summary="Delete a draft (admin)",
        responses={204: None, **errors(403, 404, 409)},
    )
    def delete(self, request: Request, code: str, version: int) -> Response:
        require_admin(request)
        policies.policy_delete(policy=_policy(code, version))
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
        policies.policy_activate(policy=_policy(code, version), user=request.user)
        return Response(PolicyOutputSerializer(_policy(code, version)).data)
