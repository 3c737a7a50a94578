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
        "prior-consents/",
        apis.PriorConsentListCreateApi.as_view(),
        name="prior-consents",
    ),
    path(
        "prior-consents/<int:pk>/revoke/",
        apis.PriorConsentRevokeApi.as_view(),
        name="prior-consent-revoke",
    ),
    path(
        "contact-preferences/",
        apis.ContactPreferenceListCreateApi.as_view(),
        name="contact-preferences",
    ),
    path(
        "contact-preferences/<int:pk>/revoke/",
        apis.ContactPreferenceRevokeApi.as_view(),
        name="contact-preference-revoke",
    ),
    path(
        "contact-attempts/",
        apis.ContactAttemptListCreateApi.as_view(),
        name="contact-attempts",
    ),
]
