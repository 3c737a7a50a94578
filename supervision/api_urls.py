"""API endpoints of the supervision app under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

urlpatterns = [
    path("call-records/", apis.CallRecordListApi.as_view(), name="call-records"),
    path(
        "call-records/<str:reference>/",
        apis.CallRecordDetailApi.as_view(),
        name="call-record-detail",
    ),
    path("call-reviews/", apis.ReviewListCreateApi.as_view(), name="call-reviews"),
    path("approvals/plans/", apis.PlanWaitingListApi.as_view(), name="approval-plans"),
    path(
        "approvals/plans/<str:reference>/decide/",
        apis.PlanDecideApi.as_view(),
        name="approval-plan-decide",
    ),
    path("approvals/", apis.ApprovalListCreateApi.as_view(), name="approvals"),
    path(
        "approvals/<str:reference>/decide/",
        apis.ApprovalDecideApi.as_view(),
        name="approval-decide",
    ),
    path("case-reassignments/", apis.ReassignApi.as_view(), name="case-reassignments"),
    path("follow-ups/", apis.FollowUpListApi.as_view(), name="follow-ups"),
    path(
        "follow-ups/<str:reference>/status/",
        apis.FollowUpStatusApi.as_view(),
        name="follow-up-status",
    ),
    path("reports/team/", apis.TeamReportApi.as_view(), name="reports-team"),
]
