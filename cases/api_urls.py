"""Customers, loans and payments under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

urlpatterns = [
    path("customers/", apis.CustomerListCreateApi.as_view(), name="customers"),
    # Before the detail route, which would take "search" for a reference.
    path(
        "customers/search/", apis.CustomerSearchApi.as_view(), name="customers-search"
    ),
    path(
        "customers/<str:reference>/",
        apis.CustomerDetailApi.as_view(),
        name="customer-detail",
    ),
    path(
        "customers/<str:reference>/stated-time-zone/",
        apis.CustomerStatedTimeZoneApi.as_view(),
        name="customer-stated-time-zone",
    ),
    path("loans/", apis.LoanListCreateApi.as_view(), name="loans"),
    path("loans/<str:reference>/", apis.LoanDetailApi.as_view(), name="loan-detail"),
    path("payments/", apis.PaymentCreateApi.as_view(), name="payments"),
]
