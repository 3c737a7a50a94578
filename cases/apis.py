"""REST API for customers, loans and payments (/api/v1/).

Thin views: parse with an input serializer, fetch with an access selector (which
decides visibility), call one service, answer with an output serializer. Creating
customers, loans and payments is for admins (and integration tokens of admin users);
collectors and supervisors read the customers and loans of the cases they may see.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import errors, parse
from core.errors import ApplicationError
from core.parsers import JSONParser
from core.permissions import ROLE_PERMISSIONS, require_admin

from . import access, services, services_intake
from .models import Customer, Loan
from .serializers import (
    CustomerInputSerializer,
    CustomerOutputSerializer,
    CustomerSearchInputSerializer,
    CustomerSearchPageSerializer,
    LoanInputSerializer,
    LoanOutputSerializer,
    PaymentInputSerializer,
    PaymentOutputSerializer,
    StatedTimeZoneInputSerializer,
)

# --------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------


class CustomerFilter(django_filters.FilterSet):
    reference = django_filters.CharFilter()
    country = django_filters.CharFilter()
    region = django_filters.CharFilter()
    language = django_filters.CharFilter()
    created_at = django_filters.IsoDateTimeFromToRangeFilter(
        label="Created between: created_at_after, created_at_before (ISO 8601)"
    )

    class Meta:
        model = Customer
        fields = ["reference", "country", "region", "language", "created_at"]


# Query parameters that would carry a person's identifiers into access logs: the list
# refuses them, naming the POST search instead of silently ignoring them (a client
# that sent them would believe it had filtered).
PII_PARAMETERS = ("phone", "national_id", "email", "contact_point", "value", "address")
SEARCH_PATH = "/api/v1/customers/search/"


def _refuse_pii_parameters(request: Request) -> None:
    sent = [name for name in PII_PARAMETERS if name in request.query_params]
    if sent:
        message = (
            "Personal identifiers are not accepted in the query string, where access "
            f"logs keep them: send them in the JSON body of POST {SEARCH_PATH}."
        )
        raise ApplicationError(message, errors={name: [message] for name in sent})


class CustomerListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "customers:read", "POST": "customers:write"}
    serializer_class = CustomerOutputSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["reference", "created_at"]
    ordering = ["reference"]

    def get_queryset(self):
        return access.customer_list_for_user(user=self.request.user)

    @extend_schema(
        operation_id="customers_list",
        summary="Customers you may see (PII masked)",
        responses={200: CustomerOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        _refuse_pii_parameters(request)
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="customers_create",
        summary="Create a customer with contact points (admin)",
        request=CustomerInputSerializer,
        responses={201: CustomerOutputSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        require_admin(request)
        data = parse(CustomerInputSerializer, request.data)
        points = [
            services_intake.ContactPointInput(**point)
            for point in data.pop("contact_points")
        ]
        customer = services_intake.customer_create(
            **data, contact_points=points, actor=request.user
        )
        customer = access.customer_get_for_user(
            user=request.user, reference=customer.reference
        )
        body = CustomerOutputSerializer(customer).data
        return Response(body, status=status.HTTP_201_CREATED)


class CustomerSearchApi(generics.GenericAPIView):
    """Search by phone, national id or email, sent in the body (issue 15, item 8):
    a URL is written to access logs, a body is not. Paged like the list, with
    `limit` and `offset` in the query string (they carry no personal data)."""

    permission_classes = ROLE_PERMISSIONS
    # A search reads; the POST is only its transport.
    required_scopes = {"POST": "customers:read"}
    serializer_class = CustomerOutputSerializer
    filter_backends: list = []
    # JSON only: a form-encoded body is what a browser's GET form would turn into.
    parser_classes = [JSONParser]
    # limit and offset in the query string (integrations.schema.AutoSchema).
    schema_paginated = True

    @extend_schema(
        operation_id="customers_search",
        summary="Find customers by phone, national id or email (PII masked)",
        description=(
            "Exact matches on every identifier given, among the customers you may "
            "see. The identifiers go in the body so they stay out of access logs; "
            "to page, POST the same body to `next`."
        ),
        request=CustomerSearchInputSerializer,
        responses={
            200: CustomerSearchPageSerializer,
            **errors(400, 403),
        },
    )
    def post(self, request: Request) -> Response:
        data = parse(CustomerSearchInputSerializer, request.data)
        customers = access.customer_search_for_user(user=request.user, **data)
        page = self.paginate_queryset(customers)
        return self.get_paginated_response(
            CustomerOutputSerializer(page, many=True).data
        )


class CustomerDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "customers:read"}

    @extend_schema(
        operation_id="customers_retrieve",
        summary="One customer (PII masked)",
        responses={200: CustomerOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        customer = access.customer_get_for_user(
            user=request.user, reference=reference, field="reference"
        )
        return Response(CustomerOutputSerializer(customer).data)


class CustomerStatedTimeZoneApi(APIView):
    """The zone a customer stated (issue 16 item 1): it overrides the zone the
    bank holds, the address and every phone number in the contact window."""

    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "customers:write"}
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="customers_stated_time_zone",
        summary="Record the time zone the customer stated (blank clears it)",
        request=StatedTimeZoneInputSerializer,
        responses={200: CustomerOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, reference: str) -> Response:
        customer = access.customer_get_for_user(
            user=request.user, reference=reference, field="reference"
        )
        data = parse(StatedTimeZoneInputSerializer, request.data)
        services.customer_stated_zone_set(
            customer=customer,
            time_zone=data["time_zone"],
            reason=data["reason"],
            actor=request.user,
            source="api",
        )
        customer = access.customer_get_for_user(
            user=request.user, reference=reference, field="reference"
        )
        return Response(CustomerOutputSerializer(customer).data)


# --------------------------------------------------------------------------------------
# Loans
# --------------------------------------------------------------------------------------


class LoanFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__reference")
    status = django_filters.ChoiceFilter(choices=Loan.Status.choices)
    bucket = django_filters.CharFilter()
    product = django_filters.CharFilter()
    currency = django_filters.CharFilter()
    min_days_past_due = django_filters.NumberFilter(
        field_name="days_past_due", lookup_expr="gte"
    )

    class Meta:
        model = Loan
        fields = ["customer", "status", "bucket", "product", "currency"]


class LoanListCreateApi(generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "customers:read", "POST": "customers:write"}
    serializer_class = LoanOutputSerializer
    filterset_class = LoanFilter
    ordering_fields = ["reference", "days_past_due", "overdue_amount"]
    ordering = ["reference"]

    def get_queryset(self):
        return access.loan_list_for_user(user=self.request.user)

    @extend_schema(
        operation_id="loans_list",
        summary="Loans of the customers you may see",
        responses={200: LoanOutputSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="loans_create",
        summary="Create a loan with its repayment schedule (admin)",
        request=LoanInputSerializer,
        responses={201: LoanOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        require_admin(request)
        data = parse(LoanInputSerializer, request.data)
        customer = access.customer_get_for_user(
            user=request.user, reference=data.pop("customer")
        )
        schedule = [
            services_intake.InstalmentInput(**item) for item in data.pop("instalments")
        ]
        loan = services_intake.loan_create(
            **data, customer=customer, instalments=schedule, actor=request.user
        )
        loan = access.loan_get_for_user(user=request.user, reference=loan.reference)
        body = LoanOutputSerializer(loan).data
        return Response(body, status=status.HTTP_201_CREATED)


class LoanDetailApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "customers:read"}

    @extend_schema(
        operation_id="loans_retrieve",
        summary="One loan with balance, arrears and schedule",
        responses={200: LoanOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        loan = access.loan_get_for_user(
            user=request.user, reference=reference, field="reference"
        )
        return Response(LoanOutputSerializer(loan).data)


# --------------------------------------------------------------------------------------
# Payments
# --------------------------------------------------------------------------------------


class PaymentCreateApi(APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "payments:write"}

    @extend_schema(
        operation_id="payments_create",
        summary="Record a payment (admin); idempotent by reference",
        description=(
            "201 when recorded; the same body again answers 200 with the same payment "
            "(counted once); the same reference with a different loan, amount or "
            "currency answers 409."
        ),
        request=PaymentInputSerializer,
        responses={
            201: PaymentOutputSerializer,
            200: OpenApiResponse(
                PaymentOutputSerializer, description="Already recorded: the same one."
            ),
            **errors(400, 403, 404, 409),
        },
    )
    def post(self, request: Request) -> Response:
        require_admin(request)
        data = parse(PaymentInputSerializer, request.data)
        loan = access.loan_get_for_user(user=request.user, reference=data.pop("loan"))
        payment, created = services.payment_record(
            **data, loan=loan, recorded_by=request.user
        )
        return Response(
            PaymentOutputSerializer(payment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
