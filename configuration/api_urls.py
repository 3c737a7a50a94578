"""API endpoints of the configuration app under /api/v1/ (namespace "api"); the
escalation policies' are in escalation.api_urls."""

from django.urls import path

from . import apis

DRAFT = "rule-packs/<slug:code>/drafts/<int:number>/"
TEMPLATE = "templates/<slug:code>/<slug:channel>/<str:language>/<int:version>/"

urlpatterns = [
    path("templates/", apis.TemplateListCreateApi.as_view(), name="templates"),
    path(TEMPLATE, apis.TemplateDetailApi.as_view(), name="template-detail"),
    path(
        TEMPLATE + "activate/",
        apis.TemplateActivateApi.as_view(),
        name="template-activate",
    ),
    path("rule-packs/", apis.RulePackListApi.as_view(), name="rule-packs"),
    path(
        "rule-packs/<slug:code>/",
        apis.RulePackDetailApi.as_view(),
        name="rule-pack-detail",
    ),
    path(
        "rule-packs/<slug:code>/drafts/",
        apis.RulePackDraftListCreateApi.as_view(),
        name="rule-pack-drafts",
    ),
    path(DRAFT, apis.RulePackDraftDetailApi.as_view(), name="rule-pack-draft-detail"),
    path(
        DRAFT + "simulate/",
        apis.RulePackDraftSimulateApi.as_view(),
        name="rule-pack-draft-simulate",
    ),
    path(
        DRAFT + "activate/",
        apis.RulePackDraftActivateApi.as_view(),
        name="rule-pack-draft-activate",
    ),
    path(
        DRAFT + "approve-override/",
        apis.RulePackDraftApproveOverrideApi.as_view(),
        name="rule-pack-draft-approve-override",
    ),
    path(
        DRAFT + "discard/",
        apis.RulePackDraftDiscardApi.as_view(),
        name="rule-pack-draft-discard",
    ),
    path(
        "arrangement-terms/",
        apis.ArrangementTermsListApi.as_view(),
        name="arrangement-terms",
    ),
    path(
        "arrangement-terms/<str:product>/",
        apis.ArrangementTermsDetailApi.as_view(),
        name="arrangement-terms-detail",
    ),
    path("queues/", apis.QueueListCreateApi.as_view(), name="queues"),
    path("queues/<slug:code>/", apis.QueueDetailApi.as_view(), name="queue-detail"),
]
