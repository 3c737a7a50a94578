"""Escalation policies under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

POLICY = "escalation-policies/<slug:code>/<int:version>/"

urlpatterns = [
    path(
        "escalation-policies/",
        apis.PolicyListCreateApi.as_view(),
        name="escalation-policies",
    ),
    path(POLICY, apis.PolicyDetailApi.as_view(), name="escalation-policy-detail"),
    path(
        POLICY + "activate/",
        apis.PolicyActivateApi.as_view(),
        name="escalation-policy-activate",
    ),
    path(
        POLICY + "simulate/",
        apis.PolicySimulateApi.as_view(),
        name="escalation-policy-simulate",
    ),
    path(
        POLICY + "request-activation/",
        apis.PolicyActivationRequestApi.as_view(),
        name="escalation-policy-request-activation",
    ),
    path(
        "escalation-policies/<slug:code>/rollback/",
        apis.PolicyRollbackApi.as_view(),
        name="escalation-policy-rollback",
    ),
]
