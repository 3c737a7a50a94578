"""Django admin for integration tokens and webhook subscriptions.

Tokens are issued with the "Issue token" form (the secret is shown once, in the
confirmation message) and revoked with an action; the hash and prefix are never
editable. Subscriptions are edited in place; their deliveries are outbox rows
(Messaging → Outbound messages, channel "Webhook event").
"""

import secrets

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin

from . import services
from .destinations import url_problem
from .models import IntegrationToken, WebhookSubscription
from .scopes import scope_choices


class TokenIssueForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = IntegrationToken
        fields = ["name", "user", "scopes", "expires_at", "rate"]

    def clean_rate(self):
        rate = self.cleaned_data.get("rate") or ""
        if rate and not services.RATE_RE.match(rate):
            raise forms.ValidationError(_("Write the rate as e.g. 600/min."))
        return rate


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(HistoryAdmin):
    list_display = [
        "name",
        "prefix",
        "user",
        "scope_list",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "=prefix", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    readonly_fields = [
        "prefix",
        "scopes",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: IntegrationToken) -> str:
        return ", ".join(obj.scopes or [])

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TokenIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["prefix", "created_by", "created_at", "last_used_at"]
        return [*self.readonly_fields, "user", "expires_at", "name", "rate"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "user", "scopes", "expires_at", "rate"]
        return [
            "name",
            "prefix",
            "user",
            "scopes",
            "rate",
            "created_by",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked_by",
        ]

    def save_model(self, request, obj, form, change):
        if change:
            return
        issued = services.token_create(
            name=form.cleaned_data["name"],
            user=form.cleaned_data["user"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
            expires_at=form.cleaned_data.get("expires_at"),
            rate=form.cleaned_data.get("rate") or "",
        )
        obj.pk = issued.token.pk
        obj.prefix = issued.token.prefix
        messages.warning(
            request,
            _("Copy the token now, it is not shown again: %(secret)s")
            % {"secret": issued.secret},
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(token=token, user=request.user)
            count += 1
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=WebhookSubscription.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        min_length=16,
        max_length=128,
        help_text=_("Leave empty to generate one (new) or keep the current one."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["secret"] = ""  # never echo the secret back

    def clean_url(self):
        # The service's rule (https, public addresses), shown under the field.
        url = self.cleaned_data.get("url") or ""
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_secret(self):
        secret = self.cleaned_data.get("secret") or ""
        if secret:
            return secret
        if self.instance.pk:
            return self.instance.secret
        return f"whsec_{secrets.token_urlsafe(32)}"


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(HistoryAdmin):
    form = SubscriptionForm
    list_display = ["name", "reference", "url", "event_list", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "=reference", "url"]
    readonly_fields = ["reference", "created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            services.subscription_update(
                subscription=WebhookSubscription.objects.get(pk=obj.pk),
                user=request.user,
                **data,
            )
            return
        created = services.subscription_create(user=request.user, **data)
        obj.pk = created.pk
        messages.warning(
            request,
            _("Signing secret (shown once): %(secret)s") % {"secret": created.secret},
        )

    @admin.display(description=_("events"))
    def event_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events or [])

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deliveries refer to it; switch it off instead.
        return False
