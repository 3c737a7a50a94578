"""The case page and its actions."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:reference>/", views.case_detail, name="case-detail"),
    path("<str:reference>/reveal/", views.case_reveal, name="case-reveal"),
    path("<str:reference>/promise/", views.promise_create, name="case-promise"),
    path("<str:reference>/plan/", views.plan_create, name="case-plan"),
    path(
        "<str:reference>/restriction/", views.restriction_add, name="case-restriction"
    ),
]
