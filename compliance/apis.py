"""REST API for the compliance gate: the check, restrictions, what the customer said
(prior consent, inconvenient times and places) and the contact ledger.

Any role may use these for the customers they may see (cases.access); a customer
they may not see answers 404 like one that does not exist. `compliance/check/`
evaluates and writes nothing; recording happens through `contact_request` elsewhere.
"""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access
from cases.models import ContactPoint
from cases.selectors import case_get_for_user
from core.api import errors, parse
from core.errors import ApplicationError
from core.permissions import ROLE_PERMISSIONS

from . import access as compliance_access
from . import restrictions, services
from .models import (
    ATTEMPT_CHANNELS,
    Channel,
    ContactAttempt,
    ContactPreference,
    ContactRestriction,
)
from .rules.base import POINT_KIND_FOR_CHANNEL
from .serializers import (
    EXTERNAL_OUTCOMES,
    ComplianceCheckInputSerializer,
    ContactAttemptInputSerializer,
    ContactAttemptOutputSerializer,
    ContactPreferenceInputSerializer,
    ContactPreferenceOutputSerializer,
    DecisionSerializer,
    PriorConsentInputSerializer,
    PriorConsentOutputSerializer,
    RestrictionEndInputSerializer,
    RestrictionInputSerializer,
    RestrictionOutputSerializer,
    RevokeInputSerializer,
)

# The API's 404s for an id (core.errors.not_found), one sentence per noun.
NO_RESTRICTION = gettext_lazy("No restriction with reference %(reference)r.")
NO_PRIOR_CONSENT = gettext_lazy("No prior consent with reference %(reference)r.")
NO_CONTACT_PREFERENCE = gettext_lazy(
    "No contact preference with reference %(reference)r."
)


@contextmanager
def errors_renamed(**names: str):
    """Report a service's field errors under the API's field names (the ledger calls
    it `result`, the API contract `outcome`)."""
    try:
        yield
    except ApplicationError as exc:
        exc.errors = {names.get(k, k): v for k, v in (exc.errors or {}).items()}
        raise


# --------------------------------------------------------------------------------------
# Compliance check
# --------------------------------------------------------------------------------------


def _named_point(customer, given: str, channel: str) -> ContactPoint | str:
    """The contact point a client names by its public id (`cp_…`), else the value
    as given: outputs show values masked, so the id is how a client refers back."""
    if given and access.PUBLIC_ID.fullmatch(given.strip()):
        return access.contact_point_for_customer(
            customer=customer,
            value=given,
            channels=(POINT_KIND_FOR_CHANNEL[channel],),
            field="contact_point",
        )
    return given


class ComplianceCheckApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "compliance:check"}

    @extend_schema(
        operation_id="compliance_check",
        summary="May we contact this customer now? (writes nothing)",
        description=(
            "Evaluates the proposed contact against the customer's rule pack and "
            "answers 200 with the decision whether allowed or not. Nothing is "
            "recorded in the ledger."
        ),
        request=ComplianceCheckInputSerializer,
        responses={200: DecisionSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ComplianceCheckInputSerializer, request.data)
        customer = access.customer_get_for_user(
            user=request.user, reference=data["customer"]
        )
        case = None
        if data["case"]:
            try:
                case = case_get_for_user(user=request.user, reference=data["case"])
            except Http404:
                raise access.not_found("case", access.NO_CASE, data["case"]) from None
            if case.customer_id != customer.pk:
                message = _("Case %(ref)s is not this customer's.") % {
                    "ref": case.reference
                }
                raise ApplicationError(message, errors={"case": [message]})
        decision = services.contact_evaluate(
            customer=customer,
            channel=data["channel"],
            contact_point=_named_point(customer, data["contact_point"], data["channel"])
            or None,
            at=data["at"],
            purpose=data["purpose"],
            case=case,
            loan=access.loan_of_customer(customer=customer, reference=data["loan"]),
        )
        return Response(decision.to_dict())


# --------------------------------------------------------------------------------------
# Restrictions
# --------------------------------------------------------------------------------------


class RestrictionFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__reference")
    kind = django_filters.ChoiceFilter(choices=ContactRestriction.Kind.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    active = django_filters.BooleanFilter(method="filter_active", label="In force now")

    class Meta:
        model = ContactRestriction
        fields = ["customer", "kind", "channel", "active"]

    def filter_active(self, queryset, name, value):
        now = timezone.now()
        in_force = Q(starts_at__lte=now) & (
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )
        return queryset.filter(in_force) if value else queryset.exclude(in_force)


class RestrictionListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "compliance:read", "POST": "compliance:write"}
    serializer_class = RestrictionOutputSerializer
    filterset_class = RestrictionFilter
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return compliance_access.restriction_list_for_user(user=self.request.user)

    @extend_schema(
        operation_id="restrictions_list",
        summary="Contact restrictions of the customers you may see",
        responses={200: RestrictionOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="restrictions_create",
        summary="Record a contact restriction (who and why are kept)",
        request=RestrictionInputSerializer,
        responses={201: RestrictionOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = parse(RestrictionInputSerializer, request.data)
        customer = access.customer_get_for_user(
            user=request.user, reference=data["customer"]
        )
        point = None
        if data["contact_point"]:
            kinds = (
                (POINT_KIND_FOR_CHANNEL[data["channel"]],)
                if data["channel"]
                else tuple(ContactPoint.Channel.values)
            )
            point = access.contact_point_for_customer(
                customer=customer,
                value=data["contact_point"],
                channels=kinds,
                field="contact_point",
            )
        restriction = restrictions.restriction_create(
            customer=customer,
            kind=data["kind"],
            reason=data["reason"],
            actor=request.user,
            channel=data["channel"],
            contact_point=point,
            loan=access.loan_of_customer(customer=customer, reference=data["loan"]),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            source=data["source"],
        )
        restriction = compliance_access.restriction_list_for_user(
            user=request.user
        ).get(pk=restriction.pk)
        return Response(
            RestrictionOutputSerializer(restriction).data,
            status=status.HTTP_201_CREATED,
        )


class RestrictionEndApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "compliance:write"}

    @extend_schema(
        operation_id="restrictions_end",
        summary="End a restriction now, saying why",
        request=RestrictionEndInputSerializer,
        responses={200: RestrictionOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(RestrictionEndInputSerializer, request.data)
        restriction = (
            compliance_access.restriction_list_for_user(user=request.user)
            .filter(pk=pk)
            .first()
        )
        if restriction is None:
            raise access.not_found("id", NO_RESTRICTION, pk)
        restrictions.restriction_end(
            restriction=restriction, reason=data["reason"], actor=request.user
        )
        restriction = compliance_access.restriction_list_for_user(
            user=request.user
        ).get(pk=pk)
        return Response(RestrictionOutputSerializer(restriction).data)


# --------------------------------------------------------------------------------------
# Contact attempts
# --------------------------------------------------------------------------------------


class ContactAttemptFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__reference")
    case = django_filters.CharFilter(field_name="case__reference")
    loan = django_filters.CharFilter(field_name="loan__reference")
    channel = django_filters.ChoiceFilter(choices=ATTEMPT_CHANNELS)
    outcome = django_filters.ChoiceFilter(
        field_name="result", choices=ContactAttempt.Result.choices
    )
    # `result` is the ledger's own name for the outcome; both are accepted.
    result = django_filters.ChoiceFilter(choices=ContactAttempt.Result.choices)
    allowed = django_filters.BooleanFilter()
    source = django_filters.CharFilter()
    at = django_filters.IsoDateTimeFromToRangeFilter(
        label="Time range: at_after, at_before (ISO 8601)"
    )

    class Meta:
        model = ContactAttempt
        fields = [
            "customer",
            "case",
            "loan",
            "channel",
            "outcome",
            "result",
            "allowed",
            "source",
            "at",
        ]


class ContactAttemptListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "compliance:read", "POST": "compliance:write"}
    serializer_class = ContactAttemptOutputSerializer
    filterset_class = ContactAttemptFilter
    ordering_fields = ["at"]

    def get_queryset(self):
        return compliance_access.contact_attempt_list_for_user(user=self.request.user)

    @extend_schema(
        operation_id="contact_attempts_list",
        summary="The contact ledger, filterable",
        responses={200: ContactAttemptOutputSerializer(many=True), **errors(400, 403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="contact_attempts_create",
        summary="Record an attempt made outside this system",
        description=(
            "An external dialer or agency reports an attempt so that shared counters "
            f"(caps, cooldowns) stay right. Outcomes: {', '.join(EXTERNAL_OUTCOMES)}."
        ),
        request=ContactAttemptInputSerializer,
        responses={
            201: OpenApiResponse(ContactAttemptOutputSerializer),
            **errors(400, 403, 404),
        },
    )
    def post(self, request: Request) -> Response:
        data = parse(ContactAttemptInputSerializer, request.data)
        customer = access.customer_get_for_user(
            user=request.user, reference=data["customer"]
        )
        point = _named_point(customer, data["contact_point"], data["channel"])
        with errors_renamed(result="outcome"):
            attempt = services.contact_attempt_record_external(
                customer=customer,
                channel=data["channel"],
                contact_value=point.value if isinstance(point, ContactPoint) else point,
                at=data["at"],
                result=data["outcome"],
                loan=access.loan_of_customer(customer=customer, reference=data["loan"]),
                source=data["source"],
                actor=request.user,
                received_at=timezone.now(),
            )
        attempt = self.get_queryset().get(pk=attempt.pk)
        return Response(
            ContactAttemptOutputSerializer(attempt).data,
            status=status.HTTP_201_CREATED,
        )


# --------------------------------------------------------------------------------------
# What the customer said: prior consent, inconvenient times and places (issue 16)
# --------------------------------------------------------------------------------------


def _case_of_customer(*, user, customer, reference: str):
    if not reference:
        return None
    try:
        case = case_get_for_user(user=user, reference=reference)
    except Http404:
        raise access.not_found("case", access.NO_CASE, reference) from None
    if case.customer_id != customer.pk:
        message = _("Case %(ref)s is not this customer's.") % {"ref": case.reference}
        raise ApplicationError(message, errors={"case": [message]})
    return case


class StatementFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__reference")


class PriorConsentListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "compliance:read", "POST": "compliance:write"}
    serializer_class = PriorConsentOutputSerializer
    filterset_class = StatementFilter
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return compliance_access.prior_consent_list_for_user(user=self.request.user)

    @extend_schema(
        operation_id="prior_consents_list",
        summary="Prior consents to calls of the customers you may see",
        responses={200: PriorConsentOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="prior_consents_create",
        summary="Record a customer's prior consent to calls (Reg F §1006.14(b)(3)(i))",
        description=(
            "Calls placed in the period (at most 7 days after the consent is given) "
            "about the debt are not counted toward the 7-in-7 presumption or the "
            "post-conversation cooldown under the us pack; the consent ends at "
            "`ends_at`, on revocation or at the next conversation about the debt. "
            "The cn and uk packs record it and lift nothing."
        ),
        request=PriorConsentInputSerializer,
        responses={201: PriorConsentOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = parse(PriorConsentInputSerializer, request.data)
        customer = access.customer_get_for_user(
            user=request.user, reference=data["customer"]
        )
        consent = services.prior_consent_record(
            customer=customer,
            case=_case_of_customer(
                user=request.user, customer=customer, reference=data["case"]
            ),
            loan=access.loan_of_customer(customer=customer, reference=data["loan"]),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
            evidence=data["evidence"],
            source="api",
            actor=request.user,
        )
        consent = self.get_queryset().get(pk=consent.pk)
        return Response(
            PriorConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED
        )


class PriorConsentRevokeApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "compliance:write"}

    @extend_schema(
        operation_id="prior_consents_revoke",
        summary="Revoke a prior consent, saying why",
        request=RevokeInputSerializer,
        responses={200: PriorConsentOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(RevokeInputSerializer, request.data)
        visible = compliance_access.prior_consent_list_for_user(user=request.user)
        consent = visible.filter(pk=pk).first()
        if consent is None:
            raise access.not_found("id", NO_PRIOR_CONSENT, pk)
        services.prior_consent_revoke(
            consent=consent, reason=data["reason"], actor=request.user
        )
        return Response(PriorConsentOutputSerializer(visible.get(pk=pk)).data)


class ContactPreferenceFilter(StatementFilter):
    kind = django_filters.ChoiceFilter(choices=ContactPreference.Kind.choices)


class ContactPreferenceListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "compliance:read", "POST": "compliance:write"}
    serializer_class = ContactPreferenceOutputSerializer
    filterset_class = ContactPreferenceFilter
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return compliance_access.contact_preference_list_for_user(
            user=self.request.user
        )

    @extend_schema(
        operation_id="contact_preferences_list",
        summary="Times and places the customers you may see said are inconvenient",
        responses={200: ContactPreferenceOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="contact_preferences_create",
        summary="Record when, where and how the customer wants to be contacted",
        description=(
            "Kinds: inconvenient_hours (weekday or every day, start_time-end_time in "
            "the customer's local clock, 00:00 ending at midnight), inconvenient_day "
            "(weekday), not_at_work (the employer prohibits contact: blocks work "
            "numbers and addresses), not_at_home (the home landline and visits), "
            "preferred_hours (contact only then on that weekday or every day: the "
            "rest of the day is inconvenient; never wider than the pack's window), "
            "preferred_channel (`channel`: reminders use it first where the rung "
            "offers it as its substitute; a new one ends the last). The gate applies "
            "the times and places in every pack (Reg F §1006.6(b)(1), (b)(3); cn "
            "'unless agreed'; CONC 7.9.4R)."
        ),
        request=ContactPreferenceInputSerializer,
        responses={201: ContactPreferenceOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ContactPreferenceInputSerializer, request.data)
        customer = access.customer_get_for_user(
            user=request.user, reference=data["customer"]
        )
        point = None
        if data["contact_point"]:
            point = access.contact_point_for_customer(
                customer=customer,
                value=data["contact_point"],
                channels=tuple(ContactPoint.Channel.values),
                field="contact_point",
            )
        preference = services.contact_preference_record(
            customer=customer,
            kind=data["kind"],
            channel=data["channel"],
            weekday=data["weekday"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            contact_point=point,
            reason=data["reason"],
            source="api",
            actor=request.user,
        )
        preference = self.get_queryset().get(pk=preference.pk)
        return Response(
            ContactPreferenceOutputSerializer(preference).data,
            status=status.HTTP_201_CREATED,
        )


class ContactPreferenceRevokeApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "compliance:write"}

    @extend_schema(
        operation_id="contact_preferences_revoke",
        summary="Revoke a stated inconvenient time or place, saying why",
        request=RevokeInputSerializer,
        responses={
            200: ContactPreferenceOutputSerializer,
            **errors(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(RevokeInputSerializer, request.data)
        visible = compliance_access.contact_preference_list_for_user(user=request.user)
        preference = visible.filter(pk=pk).first()
        if preference is None:
            raise access.not_found("id", NO_CONTACT_PREFERENCE, pk)
        services.contact_preference_revoke(
            preference=preference, reason=data["reason"], actor=request.user
        )
        return Response(ContactPreferenceOutputSerializer(visible.get(pk=pk)).data)
