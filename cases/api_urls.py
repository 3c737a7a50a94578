"""Customers, loans and payments under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis, policy_apis

urlpatterns = [
    path("customers/", apis.CustomerListCreateApi.as_view(), name="customers"),
    path(
        "customers/<str:reference>/",
        apis.CustomerDetailApi.as_view(),
        name="customer-detail",
    ),
    path("loans/", apis.LoanListCreateApi.as_view(), name="loans"),
    path("loans/<str:reference>/", apis.LoanDetailApi.as_view(), name="loan-detail"),
    path("payments/", apis.PaymentCreateApi.as_view(), name="payments"),
    path(
        "escalation-policies/",
        policy_apis.PolicyListCreateApi.as_view(),
        name="escalation-policies",
    ),
    path(
        "escalation-policies/<slug:code>/<int:version>/",
        policy_apis.PolicyDetailApi.as_view(),
        name="escalation-policy-detail",
    ),
    path(
        "escalation-policies/<slug:code>/<int:version>/activate/",
        policy_apis.PolicyActivateApi.as_view(),
        name="escalation-policy-activate",
    ),
]
