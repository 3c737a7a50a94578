"""Collector work under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

urlpatterns = [
    path("cases/", apis.CaseListApi.as_view(), name="cases"),
    # Before cases/<reference>/: "next" is an action, not a case reference.
    path("cases/next/", apis.CaseNextApi.as_view(), name="case-next"),
    path("cases/<str:reference>/", apis.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<str:reference>/skip/", apis.CaseSkipApi.as_view(), name="case-skip"),
    path(
        "cases/<str:reference>/release/",
        apis.CaseReleaseApi.as_view(),
        name="case-release",
    ),
    path("calls/", apis.CallListCreateApi.as_view(), name="calls"),
    path("promises/", apis.PromiseCreateApi.as_view(), name="promises"),
    path("repayment-plans/", apis.PlanCreateApi.as_view(), name="repayment-plans"),
]
