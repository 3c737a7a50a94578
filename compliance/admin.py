"""Django admin for rule packs, holiday overrides, contact restrictions, what the
customer said (prior consent, inconvenient times and places) and the ledger.

The decision ledger and the contact-attempt ledger are evidence of what the gate
decided and what was done: the admin shows them and never adds, edits or deletes.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.masking import mask_contact
from core.admin import HistoryAdmin, ReadOnlyAdminMixin

from .floors import floor_breaches
from .models import (
    ContactAttempt,
    ContactPreference,
    ContactRestriction,
    Decision,
    HolidayOverride,
    LedgerAnchor,
    LedgerChainHead,
    PriorConsent,
    RulePack,
)
from .packs import merge_parameters, validate_parameters
from .services import rule_pack_update


class RulePackForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("reason for the change"),
        help_text=_("Kept in the rule pack's history with the new version."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = RulePack
        fields = ["parameters"]

    def clean_parameters(self):
        parameters = self.cleaned_data["parameters"]
        if not isinstance(parameters, dict):
            raise forms.ValidationError(_("Parameters must be a JSON object."))
        merged = merge_parameters(self.instance.parameters or {}, parameters)
        errors = validate_parameters(merged)
        if errors:
            raise forms.ValidationError(
                [
                    f"{path}: {message}"
                    for path, msgs in errors.items()
                    for message in msgs
                ]
            )
        # Beyond the law only through a draft with an approved override (configuration).
        breaches = floor_breaches(self.instance.code, merged)
        if breaches:
            raise forms.ValidationError(
                [f"{b.path}: {b.message} ({b.citation})" for b in breaches]
            )
        return parameters


@admin.register(RulePack)
class RulePackAdmin(HistoryAdmin):
    """Packs are shipped by a migration and changed only through `rule_pack_update`,
    which validates the parameters and bumps the version under a row lock: a decision
    cites (code, version), so two different rule sets must never share a version."""

    form = RulePackForm
    list_display = ["code", "name", "version", "updated_at"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "description", "version", "updated_at"]
    fields = [
        "code",
        "name",
        "description",
        "version",
        "updated_at",
        "parameters",
        "change_reason",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Decisions in the ledger cite the pack.
        return False

    def save_model(self, request, obj, form, change) -> None:
        updated = rule_pack_update(
            code=obj.code,
            parameters=form.cleaned_data["parameters"],
            user=request.user,
            reason=form.cleaned_data["change_reason"],
        )
        obj.version = updated.version
        obj.parameters = updated.parameters


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(HistoryAdmin):
    list_display = ["country", "date", "is_holiday", "name"]
    list_filter = ["country", "is_holiday"]
    search_fields = ["name"]


@admin.register(ContactRestriction)
class ContactRestrictionAdmin(HistoryAdmin):
    """No delete: a restriction is ended (with a reason, kept in its history), never
    removed; the gate's past decisions cite it."""

    list_display = [
        "customer",
        "kind",
        "channel",
        "starts_at",
        "ends_at",
        "source",
        "recorded_by",
    ]
    list_filter = ["kind", "channel", "source"]
    list_select_related = ["customer", "recorded_by"]
    search_fields = ["=customer__reference", "customer__full_name"]
    autocomplete_fields = ["customer", "loan", "recorded_by"]
    raw_id_fields = ["contact_point"]
    readonly_fields = ["created_at"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "evaluated_at",
        "customer",
        "channel",
        "purpose",
        "outcome",
        "allowed",
        "next_permitted_at",
        "rule_pack",
        "rule_pack_version",
    ]
    list_filter = ["outcome", "allowed", "channel", "purpose", "rule_pack"]
    list_select_related = ["customer"]
    search_fields = ["=customer__reference", "=case__reference"]
    show_full_result_count = False


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = [
        "at",
        "customer",
        "channel",
        "masked_contact",
        "third_party",
        "purpose",
        "allowed",
        "result",
        "source",
    ]
    list_filter = ["allowed", "result", "channel", "third_party", "source"]
    list_select_related = ["customer"]
    search_fields = ["=customer__reference", "=case__reference"]
    show_full_result_count = False

    @admin.display(description=_("contact"))
    def masked_contact(self, obj: ContactAttempt) -> str:
        kind = {"call": "phone", "sms": "phone", "email": "email"}
        return mask_contact(kind.get(obj.channel, "address"), obj.contact_value)

    def get_exclude(self, request, obj=None):
        # The dialled value is shown masked (masked_contact), as in the list.
        return ["contact_value"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_contact"]


@admin.register(LedgerChainHead)
class LedgerChainHeadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The decision chains' heads (compliance.chain): only writers move them."""

    list_display = ["shard", "last_seq", "last_hash", "updated_at"]


@admin.register(LedgerAnchor)
class LedgerAnchorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Daily anchors of the chains (compliance.chain.ledger_anchor)."""

    list_display = ["date", "shard", "head_seq", "head_id", "head_hash"]
    list_filter = ["shard"]


# What the customer said is recorded and revoked through compliance.services (the
# case page, the API): the admin shows it, with its history, and changes nothing.


@admin.register(PriorConsent)
class PriorConsentAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["given_at", "customer", "starts_at", "ends_at", "revoked_at"]
    list_filter = ["source"]
    list_select_related = ["customer"]
    search_fields = ["=customer__reference", "=case__reference"]


@admin.register(ContactPreference)
class ContactPreferenceAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["starts_at", "customer", "kind", "weekday", "revoked_at"]
    list_filter = ["kind", "source"]
    list_select_related = ["customer"]
    search_fields = ["=customer__reference"]
