"""Configuration over the API (admins only): message templates, rule packs and their
drafts (simulate, activate), queues. Escalation policies are escalation.apis. Not
open to integration tokens."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import services as cases
from cases.models import ArrangementTerms
from compliance.services import rule_pack_update
from core.api import CHOSEN, errors, parse, time_param
from core.permissions import ROLE_PERMISSIONS, require_admin
from messaging import services as messaging
from messaging.models import MessageTemplate

from . import selectors, services
from .models import RulePackDraft

# --- templates ---


class TemplateOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    channel = serializers.CharField()
    language = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    html_body = serializers.CharField()
    created_at = serializers.DateTimeField()


class TemplateInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=50)
    channel = serializers.ChoiceField(choices=MessageTemplate.Channel.choices)
    language = serializers.ChoiceField(choices=["zh-hans", "en"])
    subject = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    body = serializers.CharField()
    html_body = serializers.CharField(required=False, allow_blank=True, default="")

    # messaging.template_draft_create's rule across fields: an email has a subject.
    schema_rules = {
        "anyOf": [
            {
                "properties": {
                    "channel": {
                        "enum": [
                            c
                            for c in MessageTemplate.Channel.values
                            if c != MessageTemplate.Channel.EMAIL
                        ]
                    }
                }
            },
            {"required": ["subject"], "properties": {"subject": CHOSEN}},
        ]
    }


class TemplateUpdateSerializer(serializers.Serializer):
    subject = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    body = serializers.CharField()
    html_body = serializers.CharField(required=False, allow_blank=True, default="")


class TemplateListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = TemplateOutputSerializer
    filterset_fields = ["code", "channel", "language", "status"]
    ordering_fields = ["code", "version", "created_at"]

    def get_queryset(self):
        return selectors.template_versions()

    @extend_schema(
        operation_id="templates_list",
        summary="Every version of every message template (admin)",
        responses={200: TemplateOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        require_admin(request)
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="templates_create",
        summary="A new draft version of a template (admin); unknown variables → 400",
        request=TemplateInputSerializer,
        responses={201: TemplateOutputSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        require_admin(request)
        data = parse(TemplateInputSerializer, request.data)
        template = messaging.template_draft_create(**data, user=request.user)
        return Response(
            TemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED
        )


class TemplateDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="templates_retrieve",
        responses={200: TemplateOutputSerializer, **errors(403, 404)},
    )
    def get(self, request, code, channel, language, version) -> Response:
        require_admin(request)
        template = selectors.template_get(
            code=code, channel=channel, language=language, version=version
        )
        return Response(TemplateOutputSerializer(template).data)

    @extend_schema(
        operation_id="templates_update",
        summary="Change a draft template (admin)",
        request=TemplateUpdateSerializer,
        responses={200: TemplateOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def put(self, request, code, channel, language, version) -> Response:
        require_admin(request)
        template = selectors.template_get(
            code=code, channel=channel, language=language, version=version
        )
        data = parse(TemplateUpdateSerializer, request.data)
        template = messaging.template_draft_update(
            template=template, **data, user=request.user
        )
        return Response(TemplateOutputSerializer(template).data)


class TemplateActivateApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="templates_activate",
        summary="Make a template version live; refused when the content lint fails",
        request=None,
        responses={200: TemplateOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request, code, channel, language, version) -> Response:
        require_admin(request)
        template = selectors.template_get(
            code=code, channel=channel, language=language, version=version
        )
        template = messaging.template_activate(template=template, user=request.user)
        return Response(TemplateOutputSerializer(template).data)


# --- rule packs ---


class RulePackOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    version = serializers.IntegerField()
    parameters = serializers.JSONField()
    updated_at = serializers.DateTimeField()


class RulePackUpdateSerializer(serializers.Serializer):
    parameters = serializers.JSONField(
        help_text="Merged over the current parameters: objects key by key."
    )
    reason = serializers.CharField(max_length=100)


class RulePackListApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = RulePackOutputSerializer
    filterset_fields = ["code"]
    ordering_fields = ["code", "version"]

    def get_queryset(self):
        from compliance.models import RulePack

        return RulePack.objects.order_by("code")

    @extend_schema(
        operation_id="rule_packs_list",
        summary="The compliance rule packs and their current version (admin)",
        responses={200: RulePackOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        require_admin(request)
        return super().get(request, *args, **kwargs)


class RulePackDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="rule_packs_retrieve",
        responses={200: RulePackOutputSerializer, **errors(403, 404)},
    )
    def get(self, request, code) -> Response:
        require_admin(request)
        return Response(
            RulePackOutputSerializer(selectors.rule_pack_get(code=code)).data
        )

    @extend_schema(
        operation_id="rule_packs_update",
        summary="Change parameters as a new version (admin); a window ending before "
        "it starts or a cap of zero → 400 naming the parameter; parameters beyond "
        "the legal floor → 400 (they need a draft with an approved override)",
        request=RulePackUpdateSerializer,
        responses={200: RulePackOutputSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request, code) -> Response:
        require_admin(request)
        selectors.rule_pack_get(code=code)
        data = parse(RulePackUpdateSerializer, request.data)
        pack = rule_pack_update(
            code=code,
            parameters=data["parameters"],
            reason=data["reason"],
            user=request.user,
        )
        return Response(RulePackOutputSerializer(pack).data)


# --- rule-pack drafts ---


class FloorBreachSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="The parameter, e.g. contact_window.end")
    kind = serializers.CharField(help_text="at_most, at_least, not_before, ...")
    limit = serializers.JSONField(help_text="The legal limit")
    proposed = serializers.JSONField(help_text="The draft's value")
    citation = serializers.CharField()
    message = serializers.CharField()


class RulePackDraftOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    number = serializers.IntegerField()
    base_version = serializers.IntegerField()
    parameters = serializers.JSONField()
    reason = serializers.CharField()
    status = serializers.CharField()
    activated_version = serializers.IntegerField(allow_null=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_at = serializers.DateTimeField()
    floor_breaches = FloorBreachSerializer(
        many=True,
        help_text="Where the draft goes beyond the law; empty when it stays within",
    )
    override_reason = serializers.CharField()
    override_approved_by = serializers.CharField(
        source="override_approved_by.username", default=None
    )
    override_approved_at = serializers.DateTimeField(allow_null=True)


class RulePackDraftInputSerializer(serializers.Serializer):
    parameters = serializers.JSONField(
        help_text="Merged over the live parameters (objects key by key) and "
        "validated as a rule-pack change is; the live pack does not change."
    )
    reason = serializers.CharField(max_length=100)
    override_reason = serializers.CharField(
        max_length=2000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Only for parameters beyond the legal floor: the legal review "
        "that allows them. Without it such a draft is refused (400 naming each "
        "parameter); with it, a second admin must approve the override.",
    )


class RulePackDraftListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = RulePackDraftOutputSerializer
    filterset_fields = ["status"]
    ordering_fields = ["number", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return RulePackDraft.objects.none()
        return selectors.rule_pack_drafts(code=self.kwargs["code"])

    @extend_schema(
        operation_id="rule_pack_drafts_list",
        summary="The drafts of a rule pack, newest first (admin)",
        responses={200: RulePackDraftOutputSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request, *args, **kwargs):
        require_admin(request)
        selectors.rule_pack_get(code=kwargs["code"])
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="rule_pack_drafts_create",
        summary="Save proposed parameters as a draft (admin); the live pack is "
        "unchanged. A window ending before it starts or a cap of zero → 400 naming "
        "the parameter",
        request=RulePackDraftInputSerializer,
        responses={201: RulePackDraftOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, code: str) -> Response:
        require_admin(request)
        selectors.rule_pack_get(code=code)
        data = parse(RulePackDraftInputSerializer, request.data)
        draft = services.rule_pack_draft_create(
            code=code,
            parameters=data["parameters"],
            reason=data["reason"],
            override_reason=data["override_reason"],
            user=request.user,
        )
        return Response(
            RulePackDraftOutputSerializer(draft).data, status=status.HTTP_201_CREATED
        )


class RulePackDraftDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="rule_pack_drafts_retrieve",
        responses={200: RulePackDraftOutputSerializer, **errors(403, 404)},
    )
    def get(self, request, code, number) -> Response:
        require_admin(request)
        draft = selectors.rule_pack_draft_get(code=code, number=number)
        return Response(RulePackDraftOutputSerializer(draft).data)


class RulePackDraftSimulateApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="rule_pack_drafts_simulate",
        summary="What the live escalation policies would create and the gate block "
        "at `at` with this draft in place of the live pack, next to the live pack's "
        "figures; writes nothing (admin)",
        parameters=[
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="default: now")
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403, 404)},
    )
    def get(self, request, code, number) -> Response:
        require_admin(request)
        draft = selectors.rule_pack_draft_get(code=code, number=number)
        simulation = selectors.rule_pack_simulation(draft=draft, at=time_param(request))
        return Response(simulation.as_dict())


class RulePackDraftActivateApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="rule_pack_drafts_activate",
        summary="Make the draft live as the pack's next version, with the draft's "
        "reason (admin); 409 when the pack changed since the draft was made, or "
        "when the draft goes beyond the legal floor and its override is not "
        "approved",
        request=None,
        responses={200: RulePackOutputSerializer, **errors(403, 404, 409)},
    )
    def post(self, request, code, number) -> Response:
        require_admin(request)
        draft = selectors.rule_pack_draft_get(code=code, number=number)
        pack = services.rule_pack_draft_activate(draft=draft, user=request.user)
        return Response(RulePackOutputSerializer(pack).data)


class RulePackDraftApproveOverrideApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="rule_pack_drafts_approve_override",
        summary="Approve a draft's legal-review override (admin, not the draft's "
        "author: 403); 409 when there is none or it is already approved",
        request=None,
        responses={200: RulePackDraftOutputSerializer, **errors(403, 404, 409)},
    )
    def post(self, request, code, number) -> Response:
        require_admin(request)
        draft = selectors.rule_pack_draft_get(code=code, number=number)
        draft = services.rule_pack_draft_approve_override(
            draft=draft, user=request.user
        )
        return Response(RulePackDraftOutputSerializer(draft).data)


class RulePackDraftDiscardApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="rule_pack_drafts_discard",
        summary="Set a draft aside; it stays for the record (admin)",
        request=None,
        responses={200: RulePackDraftOutputSerializer, **errors(403, 404, 409)},
    )
    def post(self, request, code, number) -> Response:
        require_admin(request)
        draft = selectors.rule_pack_draft_get(code=code, number=number)
        draft = services.rule_pack_draft_discard(draft=draft, user=request.user)
        return Response(RulePackDraftOutputSerializer(draft).data)


# --- queues ---


def _criteria_schema() -> dict:
    """What `cases.services.queue_criteria_q` accepts, as the schema states it: the
    four criteria and nothing else, buckets by their configured labels."""
    text_list = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "buckets": {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": [label for _low, _high, label in settings.DPD_BUCKETS],
                },
            },
            "min_overdue": {
                "type": "string",
                "pattern": r"^-?\d{1,12}(?:\.\d{0,2})?$",
                "description": "Cases owing at least this much.",
            },
            "products": text_list,
            "regions": text_list,
        },
    }


@extend_schema_field(_criteria_schema())
class QueueCriteriaField(serializers.JSONField):
    """A queue's criteria: checked by the service (which names what is wrong)."""


class QueueSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=50)
    name = serializers.CharField(max_length=100)
    team = serializers.CharField(
        source="team.name", required=False, allow_null=True, default=None
    )
    criteria = QueueCriteriaField(required=False, default=dict)
    priority = serializers.IntegerField(min_value=0, max_value=32767, default=100)
    is_active = serializers.BooleanField(default=True)


# The request's own component, so the schema states what a request may carry (a
# name not blank) apart from what an answer shows.
class QueueInputSerializer(QueueSerializer):
    pass


class QueueUpdateSerializer(QueueInputSerializer):
    code = None


def _queue_fields(data: dict) -> dict:
    team = (data.pop("team", None) or {}).get("name")
    if team:
        data["team"] = selectors.team_get_or_error(name=team)
    else:
        data["team"] = None
    return data


class QueueListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    serializer_class = QueueSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["code", "priority"]

    def get_queryset(self):
        return selectors.queue_list()

    @extend_schema(
        operation_id="queues_list",
        summary="Work queues with their criteria and team (admin)",
        responses={200: QueueSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        require_admin(request)
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="queues_create",
        request=QueueInputSerializer,
        responses={201: QueueSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        require_admin(request)
        data = _queue_fields(dict(parse(QueueInputSerializer, request.data)))
        queue = cases.queue_save(user=request.user, **data)
        return Response(QueueSerializer(queue).data, status=status.HTTP_201_CREATED)


class QueueDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="queues_retrieve",
        responses={200: QueueSerializer, **errors(403, 404)},
    )
    def get(self, request, code) -> Response:
        require_admin(request)
        return Response(QueueSerializer(selectors.queue_get(code=code)).data)

    @extend_schema(
        operation_id="queues_update",
        request=QueueUpdateSerializer,
        responses={200: QueueSerializer, **errors(400, 403, 404)},
    )
    def put(self, request, code) -> Response:
        require_admin(request)
        queue = selectors.queue_get(code=code)
        data = _queue_fields(dict(parse(QueueUpdateSerializer, request.data)))
        queue = cases.queue_save(queue=queue, user=request.user, **data)
        return Response(QueueSerializer(queue).data)


# --- arrangement terms (decision 46) ---


class ArrangementTermsSerializer(serializers.Serializer):
    product = serializers.CharField(read_only=True)
    promise_max_days = serializers.IntegerField(min_value=1, max_value=36500)
    plan_max_instalments = serializers.IntegerField(min_value=1, max_value=10000)
    plan_max_days = serializers.IntegerField(min_value=1, max_value=36500)
    max_first_payment_days = serializers.IntegerField(min_value=1, max_value=36500)
    min_instalment = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0
    )
    own = serializers.BooleanField(
        read_only=True, help_text="False: the product has the defaults (settings)."
    )
    loans = serializers.IntegerField(read_only=True)


class ArrangementTermsUpdateSerializer(ArrangementTermsSerializer):
    reason = serializers.CharField(
        max_length=80, write_only=True, help_text="Kept in the history."
    )


def _terms_body(line) -> dict:
    terms = line.terms
    return ArrangementTermsSerializer(
        {
            "product": line.product,
            "promise_max_days": terms.promise_max_days,
            "plan_max_instalments": terms.plan_max_instalments,
            "plan_max_days": terms.plan_max_days,
            "max_first_payment_days": terms.max_first_payment_days,
            "min_instalment": terms.min_instalment,
            "own": line.own is not None,
            "loans": line.loans,
        }
    ).data


class ArrangementTermsRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArrangementTerms
        fields = [
            "product",
            "promise_max_days",
            "plan_max_instalments",
            "plan_max_days",
            "max_first_payment_days",
            "min_instalment",
            "updated_at",
        ]


class ArrangementTermsListApi(generics.ListAPIView):
    """The products with terms of their own (as stored; a setting lowered since caps
    them when they are applied). `GET .../<product>/` gives any product's terms in
    force, the defaults included."""

    permission_classes = ROLE_PERMISSIONS
    serializer_class = ArrangementTermsRowSerializer
    filterset_fields = ["product"]
    ordering_fields = ["product", "updated_at"]
    ordering = ["product"]

    def get_queryset(self):
        return ArrangementTerms.objects.order_by("product")

    @extend_schema(
        operation_id="arrangement_terms_list",
        summary="Products with arrangement terms of their own (admin)",
        responses={200: ArrangementTermsRowSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        require_admin(request)
        return super().get(request, *args, **kwargs)


class ArrangementTermsDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS

    @extend_schema(
        operation_id="arrangement_terms_retrieve",
        responses={200: ArrangementTermsSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, product: str) -> Response:
        require_admin(request)
        return Response(_terms_body(selectors.arrangement_terms_get(product=product)))

    @extend_schema(
        operation_id="arrangement_terms_update",
        summary="Set a product's arrangement terms (admin), with a reason",
        description=(
            "No term above its setting (PROMISE_MAX_DAYS, PLAN_MAX_INSTALMENTS, "
            "PLAN_MAX_DAYS): 400 naming the field."
        ),
        request=ArrangementTermsUpdateSerializer,
        responses={200: ArrangementTermsSerializer, **errors(400, 403, 404)},
    )
    def put(self, request: Request, product: str) -> Response:
        require_admin(request)
        selectors.arrangement_terms_get(product=product)
        data = dict(parse(ArrangementTermsUpdateSerializer, request.data))
        cases.arrangement_terms_save(
            product=product,
            user=request.user,
            reason=data.pop("reason"),
            **data,
        )
        return Response(_terms_body(selectors.arrangement_terms_get(product=product)))
