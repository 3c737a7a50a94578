"""The compliance gate's API under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

urlpatterns = [
    path(
        "compliance/check/", apis.ComplianceCheckApi.as_view(), name="compliance-check"
    ),
    path("restrictions/", apis.RestrictionListCreateApi.as_view(), name="restrictions"),
    path(
        "restrictions/<int:pk>/end/",
        apis.RestrictionEndApi.as_view(),
        name="restriction-end",
    ),
    path(
        "contact-attempts/",
        apis.ContactAttemptListCreateApi.as_view(),
        name="contact-attempts",
    ),
]
