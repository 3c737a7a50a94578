"""Escalation policies and work items under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

POLICY = "escalation-policies/<slug:code>/<int:version>/"
ITEM = "work-items/<str:reference>/"

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
    path("work-items/", apis.WorkItemListApi.as_view(), name="work-items"),
    path(ITEM, apis.WorkItemDetailApi.as_view(), name="work-item-detail"),
    path(ITEM + "decide/", apis.WorkItemDecideApi.as_view(), name="work-item-decide"),
    path(ITEM + "legal/", apis.WorkItemLegalApi.as_view(), name="work-item-legal"),
    path(
        ITEM + "close-legal/",
        apis.WorkItemLegalCloseApi.as_view(),
        name="work-item-legal-close",
    ),
    path(ITEM + "answer/", apis.WorkItemAnswerApi.as_view(), name="work-item-answer"),
]
