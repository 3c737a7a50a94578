"""Browser pages of the supervision app (under /supervisor/)."""

from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("calls/", views.call_list, name="calls"),
    path("calls/sample/", views.qa_sample, name="qa-sample"),
    path("calls/<str:reference>/", views.call_detail, name="call-detail"),
    path("calls/<str:reference>/review/", views.call_review, name="call-review"),
    path(
        "calls/<str:reference>/recording/",
        views.call_recording,
        name="call-recording",
    ),
    path("approvals/", views.approvals, name="approvals"),
    path(
        "approvals/plans/<str:reference>/",
        views.plan_decide,
        name="plan-decide",
    ),
    path("approvals/<str:reference>/", views.approval_decide, name="approval-decide"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reassign/", views.reassign, name="reassign"),
    path("follow-ups/", views.follow_ups, name="follow-ups"),
    path("work-items/", views.work_items, name="work-items"),
    path("work-items/<str:reference>/", views.work_item, name="work-item"),
    path("legal/", views.legal_queue, name="legal-queue"),
    path("legal/<str:reference>/", views.legal_case, name="legal-case"),
    path(
        "follow-ups/<str:reference>/",
        views.follow_up_status,
        name="follow-up-status",
    ),
]
