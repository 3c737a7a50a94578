"""Browser pages of the configuration app (admins only)."""

from django.urls import path

from . import views

app_name = "configuration"

POLICY = "policies/<slug:code>/v<int:version>/"
DRAFT = "rule-packs/<slug:code>/drafts/<int:number>/"
TEMPLATE = "templates/<slug:code>/<slug:channel>/<str:language>/v<int:version>/"

urlpatterns = [
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_create, name="policy-create"),
    path(
        "policies/<slug:code>/rollback/", views.policy_rollback, name="policy-rollback"
    ),
    path(POLICY, views.policy_detail, name="policy"),
    path(POLICY + "edit/", views.policy_edit, name="policy-edit"),
    path(POLICY + "copy/", views.policy_copy, name="policy-copy"),
    path(POLICY + "simulate/", views.policy_simulate, name="policy-simulate"),
    path(POLICY + "activate/", views.policy_activate, name="policy-activate"),
    path(POLICY + "request/", views.policy_request, name="policy-request"),
    path(POLICY + "delete/", views.policy_delete, name="policy-delete"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/preview/", views.template_preview, name="template-preview"),
    path(TEMPLATE, views.template_edit, name="template"),
    path(
        TEMPLATE + "activate/", views.template_activate_view, name="template-activate"
    ),
    path("rule-packs/", views.rule_pack_list, name="rule-packs"),
    path("rule-packs/<slug:code>/", views.rule_pack_edit, name="rule-pack"),
    path(DRAFT, views.rule_pack_draft_detail, name="rule-pack-draft"),
    path(
        DRAFT + "simulate/",
        views.rule_pack_draft_simulate,
        name="rule-pack-draft-simulate",
    ),
    path(
        DRAFT + "activate/",
        views.rule_pack_draft_activate,
        name="rule-pack-draft-activate",
    ),
    path(
        DRAFT + "approve-override/",
        views.rule_pack_draft_approve_override,
        name="rule-pack-draft-approve-override",
    ),
    path(
        DRAFT + "discard/",
        views.rule_pack_draft_discard,
        name="rule-pack-draft-discard",
    ),
    path("holidays/", views.holiday_list, name="holidays"),
    path("print-batches/", views.print_batch_list, name="print-batches"),
    path("print-batches/cut/", views.print_batch_cut, name="print-batch-cut"),
    path(
        "print-batches/<str:reference>/download/",
        views.print_batch_download,
        name="print-batch-download",
    ),
    path("queues/", views.queue_list, name="queues"),
    path("queues/new/", views.queue_edit, name="queue-create"),
    path("queues/<slug:code>/", views.queue_edit, name="queue"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_edit, name="team-create"),
    path("teams/<str:name>/", views.team_edit, name="team"),
    path(
        "arrangement-terms/",
        views.arrangement_terms_list,
        name="arrangement-terms",
    ),
    path(
        "arrangement-terms/<str:product>/",
        views.arrangement_terms_edit,
        name="arrangement-terms-edit",
    ),
    path(
        "approval-authority/",
        views.approval_authority,
        name="approval-authority",
    ),
    path("as-of/", views.as_of, name="as-of"),
]
