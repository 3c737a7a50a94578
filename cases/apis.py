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
from core.permissions import ROLE_PERMISSIONS, require_admin

from . import access, services, services_intake
from .models import Customer, Loan
from .serializers import (
    CustomerInputSerializer,
    CustomerOutputSerializer,
    LoanInputSerializer,
    LoanOutputSerializer,
    PaymentInputSerializer,
    PaymentOutputSerializer,
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
