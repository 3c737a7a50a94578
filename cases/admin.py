"""Django admin for customers, loans, money, cases, queues and escalation policies.

The admin is the admins' fallback, not the main UI (DESIGN.md section 6). It is sized
for the reference portfolio: big foreign keys (customers, loans, cases) are picked with
autocomplete or a raw id, lists load their relations in one query, and the big lists do
not count the whole table twice. PII (national id, address, phone numbers and emails)
is masked in lists, change pages and history alike (`MaskedPiiAdminMixin`): full
values are seen only through the case page's audited reveal. The admin edits nothing
it cannot show; those fields change through the app's services.

Rows that only services may write (payments and their allocations, the amounts paid on
instalments, the delinquency figures) are read-only here, so an admin edit cannot
bypass allocation, idempotency or the delinquency refresh.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

from core.admin import HistoryAdmin, ReadOnlyAdminMixin

from .masking import mask_contact, mask_national_id
from .models import (
    ArrangementTerms,
    Case,
    ContactPoint,
    Customer,
    EscalationPolicy,
    EscalationStep,
    Instalment,
    Loan,
    Payment,
    PaymentAllocation,
    PromiseToPay,
    Recovery,
    RepaymentPlan,
    RepaymentPlanInstalment,
    SelfServiceEvent,
    SelfServiceLink,
    SettlementOffer,
    Team,
    WorkQueue,
    WriteOff,
)

admin.site.site_header = _("Collections case manager administration")
admin.site.site_title = _("Collections admin")
admin.site.index_title = _("Configuration and records")


class BucketListFilter(admin.SimpleListFilter):
    """Buckets from settings, so the filter costs no DISTINCT over a million loans."""

    title = _("bucket")
    parameter_name = "bucket"

    def lookups(self, request, model_admin):
        return [("", _("Current"))] + [
            (label, label) for _lo, _hi, label in settings.DPD_BUCKETS
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(bucket=value)

    def choices(self, changelist):
        # The "current" bucket is the empty string, which SimpleListFilter would
        # otherwise treat as "no filter".
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }


# A masker takes the row (or its historical record) and the value, and returns what
# the admin may show.
Masker = Callable[[object, str], str]


def _national_id_masked(obj, value: str) -> str:
    return mask_national_id(value) if value else ""


def _address_masked(obj, value: str) -> str:
    return mask_contact("address", value) if value else ""


def _contact_value_masked(obj, value: str) -> str:
    return mask_contact(obj.channel, value) if value else ""


class _MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The history list's "changes" column, with PII fields masked."""

    def __init__(self, model, record, *, pii: dict[str, Masker]):
        super().__init__(model, record)
        self.pii = pii

    def prepare_delta_change_value(self, change, value):
        if change.field in self.pii and isinstance(value, str):
            return self.pii[change.field](self.record, value)
        return super().prepare_delta_change_value(change, value)


class MaskedPiiAdminMixin:
    """Change pages (and simple-history's version pages, which reuse them) leave the
    PII fields of `pii_fields` out of the form and show them masked, read-only, by the
    admin's `masked_<field>` method; the history list masks them in its changes. The
    add page keeps them: typing a new value reveals nothing stored."""

    pii_fields: dict[str, Masker] = {}

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if obj is not None:
            excluded += [f for f in self.pii_fields if f not in excluded]
        return excluded

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += [f"masked_{name}" for name in self.pii_fields]
        return fields

    def get_historical_record_context_helper(self, request, historical_record):
        return _MaskedHistoryHelper(
            self.model,
            historical_record,
            pii=self.pii_fields,
        )


@admin.register(Team)
class TeamAdmin(HistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["supervisors", "members"]


@admin.register(ArrangementTerms)
class ArrangementTermsAdmin(HistoryAdmin):
    """Edited on the configuration pages (with a reason); read-only here."""

    list_display = [
        "product",
        "promise_max_days",
        "plan_max_instalments",
        "plan_max_days",
        "max_first_payment_days",
        "min_instalment",
        "updated_at",
    ]
    search_fields = ["product"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkQueue)
class WorkQueueAdmin(HistoryAdmin):
    list_display = ["code", "name", "team", "priority", "is_active"]
    list_filter = ["is_active", "team"]
    list_select_related = ["team"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}


class ContactPointInline(admin.TabularInline):
    """The customer's contact points, masked and view-only here: each opens its own
    page (add new ones there, or through the API and imports)."""

    model = ContactPoint
    extra = 0
    can_delete = False
    fields = [
        "channel",
        "masked_value",
        "relationship",
        "contact_name",
        "is_primary",
        "consent",
        "verified_at",
        "opted_out_at",
        "invalid_at",
        "refused_at",
    ]
    readonly_fields = ["masked_value", "opted_out_at", "refused_at"]
    show_change_link = True

    @admin.display(description=_("value"))
    def masked_value(self, obj: ContactPoint) -> str:
        return mask_contact(obj.channel, obj.value)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class LoanInline(admin.TabularInline):
    model = Loan
    extra = 0
    fields = [
        "reference",
        "product",
        "currency",
        "principal",
        "outstanding_balance",
        "overdue_amount",
        "days_past_due",
        "bucket",
        "status",
    ]
    readonly_fields = ["overdue_amount", "days_past_due", "bucket"]
    show_change_link = True
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(MaskedPiiAdminMixin, HistoryAdmin):
    list_display = [
        "reference",
        "full_name",
        "masked_national_id",
        "country",
        "region",
        "language",
    ]
    list_filter = ["country", "language"]
    # No search by national id: the admin's search is a GET, and its query string
    # lands in access logs (look a person up by reference, or POST
    # /api/v1/customers/search/).
    search_fields = ["=reference", "full_name"]
    readonly_fields = ["created_at", "updated_at"]
    pii_fields = {"national_id": _national_id_masked, "address": _address_masked}
    inlines = [ContactPointInline, LoanInline]
    show_full_result_count = False

    @admin.display(description=_("national id"))
    def masked_national_id(self, obj: Customer) -> str:
        return _national_id_masked(obj, obj.national_id)

    @admin.display(description=_("address"))
    def masked_address(self, obj: Customer) -> str:
        return _address_masked(obj, obj.address)


@admin.register(ContactPoint)
class ContactPointAdmin(MaskedPiiAdminMixin, HistoryAdmin):
    list_display = [
        "masked_value",
        "channel",
        "customer",
        "relationship",
        "is_primary",
        "consent",
        "verified_at",
        "opted_out_at",
        "invalid_at",
    ]
    list_filter = ["channel", "relationship", "consent", "is_primary"]
    list_select_related = ["customer"]
    # No search by number (a GET: it would land in access logs).
    search_fields = ["=customer__reference"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["created_at"]
    show_full_result_count = False
    pii_fields = {"value": _contact_value_masked}

    @admin.display(description=_("value"))
    def masked_value(self, obj: ContactPoint) -> str:
        return mask_contact(obj.channel, obj.value)


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    fields = ["sequence", "due_date", "amount_due", "amount_paid"]
    # Only payment allocation moves amount_paid.
    readonly_fields = ["amount_paid"]


@admin.register(Loan)
class LoanAdmin(HistoryAdmin):
    list_display = [
        "reference",
        "customer",
        "product",
        "outstanding_balance",
        "overdue_amount",
        "currency",
        "days_past_due",
        "bucket",
        "status",
    ]
    list_filter = ["status", BucketListFilter, "product"]
    list_select_related = ["customer"]
    search_fields = ["=reference", "=customer__reference"]
    autocomplete_fields = ["customer"]
    # Kept current by the delinquency refresh and payment recording.
    readonly_fields = [
        "overdue_amount",
        "days_past_due",
        "bucket",
        "created_at",
        "updated_at",
    ]
    inlines = [InstalmentInline]
    show_full_result_count = False


@admin.register(Instalment)
class InstalmentAdmin(HistoryAdmin):
    list_display = ["loan", "sequence", "due_date", "amount_due", "amount_paid"]
    list_select_related = ["loan"]
    search_fields = ["=loan__reference"]
    raw_id_fields = ["loan"]
    readonly_fields = ["amount_paid"]
    show_full_result_count = False


class PaymentAllocationInline(admin.TabularInline):
    model = PaymentAllocation
    extra = 0
    fields = ["instalment", "amount"]
    readonly_fields = ["instalment", "amount"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """Payments arrive through payment recording (the API or an import), which makes
    them idempotent by reference and allocates them; the admin only shows them."""

    list_display = [
        "reference",
        "loan",
        "amount",
        "currency",
        "received_at",
        "unallocated_amount",
    ]
    list_filter = ["currency"]
    list_select_related = ["loan"]
    search_fields = ["=reference", "=loan__reference"]
    inlines = [PaymentAllocationInline]
    show_full_result_count = False


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["payment", "instalment", "amount"]
    list_select_related = ["payment", "instalment"]
    search_fields = ["=payment__reference"]
    show_full_result_count = False


@admin.register(Case)
class CaseAdmin(HistoryAdmin):
    list_display = [
        "reference",
        "customer",
        "status",
        "queue",
        "assigned_to",
        "overdue_amount",
        "currency",
        "max_days_past_due",
        "bucket",
        "priority",
        "next_action_at",
    ]
    list_filter = ["status", BucketListFilter, "queue", "close_reason"]
    list_select_related = ["customer", "queue", "assigned_to"]
    search_fields = ["=reference", "=customer__reference", "customer__full_name"]
    autocomplete_fields = ["customer", "assigned_to"]
    raw_id_fields = ["stage"]
    # Figures come from the delinquency refresh; opening and closing from services.
    readonly_fields = [
        "overdue_amount",
        "currency",
        "max_days_past_due",
        "bucket",
        "opened_at",
        "closed_at",
        "last_contact_at",
        "last_reply_at",
    ]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        # Cases open when the delinquency refresh finds a customer in arrears.
        return False


@admin.register(PromiseToPay)
class PromiseToPayAdmin(HistoryAdmin):
    list_display = ["case", "amount", "currency", "due_date", "status", "made_at"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["=case__reference"]
    autocomplete_fields = ["case", "loan", "created_by"]
    raw_id_fields = ["call"]
    readonly_fields = ["resolved_at"]
    show_full_result_count = False


class RepaymentPlanInstalmentInline(admin.TabularInline):
    model = RepaymentPlanInstalment
    extra = 0
    fields = ["sequence", "due_date", "amount", "paid_amount"]
    readonly_fields = ["paid_amount"]


@admin.register(RepaymentPlan)
class RepaymentPlanAdmin(HistoryAdmin):
    list_display = [
        "reference",
        "case",
        "kind",
        "status",
        "total_amount",
        "currency",
        "requested_by_customer",
        "created_at",
    ]
    list_filter = ["status", "kind", "requested_by_customer"]
    list_select_related = ["case"]
    search_fields = ["=reference", "=case__reference"]
    autocomplete_fields = ["case", "proposed_by", "decided_by"]
    readonly_fields = ["created_at", "decided_at"]
    inlines = [RepaymentPlanInstalmentInline]


@admin.register(RepaymentPlanInstalment)
class RepaymentPlanInstalmentAdmin(HistoryAdmin):
    list_display = ["plan", "sequence", "due_date", "amount", "paid_amount"]
    list_select_related = ["plan"]
    search_fields = ["=plan__reference"]
    raw_id_fields = ["plan"]
    readonly_fields = ["paid_amount"]


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0
    fields = [
        "order",
        "name",
        "trigger",
        "trigger_days",
        "action",
        "template_code",
        "queue",
        "priority",
        "skip_while_promise",
        "skip_while_plan",
    ]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(HistoryAdmin):
    list_display = ["code", "version", "name", "status", "is_default", "created_at"]
    list_filter = ["status", "is_default"]
    search_fields = ["code", "name"]
    readonly_fields = ["created_at"]
    inlines = [EscalationStepInline]


@admin.register(EscalationStep)
class EscalationStepAdmin(HistoryAdmin):
    list_display = [
        "policy",
        "order",
        "name",
        "trigger",
        "trigger_days",
        "action",
        "template_code",
        "queue",
    ]
    list_filter = ["action", "trigger", "policy"]
    list_select_related = ["policy", "queue"]
    search_fields = ["name", "template_code", "policy__code"]


# Settlements, write-offs and recoveries move only through their services, under the
# approval authority matrix and four eyes (decision 48): the admin shows them.


@admin.register(SettlementOffer)
class SettlementOfferAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = [
        "reference",
        "case",
        "state",
        "balance",
        "amount",
        "currency",
        "deadline",
        "created_at",
    ]
    list_filter = ["state"]
    list_select_related = ["case"]
    search_fields = ["=reference", "=case__reference"]
    show_full_result_count = False


@admin.register(WriteOff)
class WriteOffAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["case", "amount", "balance", "currency", "written_off_at"]
    list_select_related = ["case"]
    search_fields = ["=case__reference"]
    show_full_result_count = False


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["write_off", "payment", "amount", "received_at"]
    list_select_related = ["write_off", "payment"]
    search_fields = ["=payment__reference", "=write_off__case__reference"]
    show_full_result_count = False


@admin.register(SelfServiceLink)
class SelfServiceLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: links are issued by the dispatcher and revoked with a reason
    (cases.services.self_service_link_revoke). The token's hash is not shown."""

    list_display = ["customer", "case", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["customer", "case"]
    exclude = ["token_hash"]
    search_fields = ["=customer__reference", "=case__reference"]
    show_full_result_count = False


@admin.register(SelfServiceEvent)
class SelfServiceEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "customer", "kind", "detail"]
    list_select_related = ["customer"]
    list_filter = ["kind"]
    search_fields = ["=customer__reference"]
    show_full_result_count = False
