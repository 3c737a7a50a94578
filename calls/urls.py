"""The collector's pages: the queue, the case page and its actions, the guided call."""

from django.urls import path

from . import views

urlpatterns = [
    path("work/", views.queue, name="work-queue"),
    path("work/next/", views.next_case, name="work-next"),
    path("cases/<str:reference>/", views.case_detail, name="case-detail"),
    path("cases/<str:reference>/reveal/", views.case_reveal, name="case-reveal"),
    path(
        "cases/<str:reference>/letters/<str:letter>/",
        views.case_letter,
        name="case-letter",
    ),
    path("cases/<str:reference>/promise/", views.promise_create, name="case-promise"),
    path("cases/<str:reference>/plan/", views.plan_create, name="case-plan"),
    path(
        "cases/<str:reference>/restriction/",
        views.restriction_add,
        name="case-restriction",
    ),
    path(
        "cases/<str:reference>/preference/",
        views.preference_add,
        name="case-preference",
    ),
    path(
        "cases/<str:reference>/time-zone/",
        views.stated_time_zone_set,
        name="case-stated-time-zone",
    ),
    path(
        "cases/<str:reference>/statements/<str:kind>/<int:pk>/revoke/",
        views.statement_revoke,
        name="case-statement-revoke",
    ),
    path("cases/<str:reference>/skip/", views.case_skip, name="case-skip"),
    path("cases/<str:reference>/release/", views.case_release, name="case-release"),
    path(
        "cases/<str:reference>/take-over/",
        views.case_take_over,
        name="case-take-over",
    ),
    path("cases/<str:reference>/call/start/", views.call_start, name="call-start"),
    path("cases/<str:reference>/call/step/", views.call_step, name="call-step"),
    path("cases/<str:reference>/call/log/", views.call_log, name="call-log"),
]
