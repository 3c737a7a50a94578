"""Writes for integrations: issuing and revoking tokens, webhook subscriptions."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from core.history import history_note, history_save

from .destinations import url_problem
from .models import IntegrationToken, WebhookSubscription
from .scopes import SCOPES

TOKEN_PREFIX = "cmi_"
RATE_RE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


@dataclass(frozen=True)
class IssuedToken:
    token: IntegrationToken
    secret: str  # the whole bearer value; shown once, never stored


def secret_hash(value: str) -> str:
    """SHA-256 of the bearer value. A token carries 256 random bits, so a fast hash
    is enough: there is nothing to brute-force (unlike a password)."""
    return hashlib.sha256(value.encode()).hexdigest()


def token_parse(value: str) -> tuple[str, str] | None:
    """(prefix, whole value) of a well-formed bearer value, else None."""
    if not value.startswith(TOKEN_PREFIX):
        return None
    rest = value[len(TOKEN_PREFIX) :]
    prefix, sep, secret = rest.partition("_")
    if not sep or len(prefix) != 12 or len(secret) < 32:
        return None
    return prefix, value


def token_matches(token: IntegrationToken, value: str) -> bool:
    return hmac.compare_digest(token.secret_hash, secret_hash(value))


def _scopes_clean(scopes) -> list[str]:
    if not isinstance(scopes, list | tuple) or not scopes:
        raise ApplicationError(
            _("Give at least one scope."),
            errors={"scopes": [_("Give at least one scope.")]},
        )
    unknown = sorted({s for s in scopes if s not in SCOPES})
    if unknown:
        message = _("Unknown scopes: %(unknown)s. Choose from %(known)s.") % {
            "unknown": ", ".join(map(str, unknown)),
            "known": ", ".join(SCOPES),
        }
        raise ApplicationError(message, errors={"scopes": [message]})
    return sorted(set(scopes))


def token_create(
    *,
    name: str,
    user,
    scopes: list[str],
    created_by=None,
    expires_at: dt.datetime | None = None,
    rate: str = "",
) -> IssuedToken:
    """Issue a token acting as `user` with `scopes`; the secret is returned once."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Name the integration.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if rate and not RATE_RE.match(rate):
        errors["rate"] = [_("Write the rate as a number per period, e.g. 600/min.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    scopes = _scopes_clean(scopes)
    prefix = secrets.token_hex(6)
    value = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = IntegrationToken(
        name=name,
        user=user,
        created_by=created_by,
        prefix=prefix,
        secret_hash=secret_hash(value),
        scopes=scopes,
        expires_at=expires_at,
        rate=rate or "",
    )
    history_note(token, reason="issued", user=created_by)
    with transaction.atomic():
        token.save()
    return IssuedToken(token=token, secret=value)


def token_revoke(*, token: IntegrationToken, user=None) -> IntegrationToken:
    """Revoke a token at once; refuses (409) one already revoked."""
    with transaction.atomic():
        token = IntegrationToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            message = _("This token was already revoked.")
            raise ConflictError(
                message, code="already_revoked", errors={"revoked_at": [message]}
            )
        token.revoked_at = timezone.now()
        token.revoked_by = user
        history_save(
            token,
            reason="revoked",
            user=user,
            update_fields=["revoked_at", "revoked_by"],
        )
    return token


def token_touch(*, token: IntegrationToken, now: dt.datetime, every: int) -> None:
    """Record that the token was used, at most once per `every` seconds: a write per
    request would make every API call a database write (and a lock on SQLite)."""
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() < every:
        return
    IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --------------------------------------------------------------------------------------
# Webhook subscriptions
# --------------------------------------------------------------------------------------


def _subscription_check(
    *, url: str | None, events: list[str] | None, secret: str | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if url is not None:
        # https to public addresses only, unless WEBHOOK_ALLOWED_HOSTS names the
        # host (integrations.destinations; checked again before every delivery).
        problem = url_problem(url)
        if problem:
            errors["url"] = [problem]
    if events is not None:
        if not isinstance(events, list | tuple) or not events:
            errors["events"] = [_("Subscribe to at least one event.")]
        else:
            unknown = sorted({e for e in events if e not in WebhookSubscription.Event})
            if unknown:
                errors["events"] = [
                    _("Unknown events: %(unknown)s. Choose from %(known)s.")
                    % {
                        "unknown": ", ".join(map(str, unknown)),
                        "known": ", ".join(WebhookSubscription.Event.values),
                    }
                ]
    if secret is not None and len(secret) < 16:
        errors["secret"] = [_("Use a secret of at least 16 characters.")]
    return errors


def subscription_create(
    *,
    name: str,
    url: str,
    events: list[str],
    secret: str = "",
    active: bool = True,
    user=None,
) -> WebhookSubscription:
    """Subscribe `url` to `events`; without a secret one is generated (returned on
    the row, shown to the caller once by the API)."""
    name = (name or "").strip()
    errors = _subscription_check(url=url, events=events, secret=secret or None)
    if not name:
        errors["name"] = [_("Name the subscription.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    subscription = WebhookSubscription(
        reference=f"WH{secrets.token_hex(5).upper()}",
        name=name,
        url=url,
        secret=secret or f"whsec_{secrets.token_urlsafe(32)}",
        events=sorted(set(events)),
        active=active,
        created_by=user,
    )
    history_note(subscription, reason="created", user=user)
    with transaction.atomic():
        subscription.save()
    return subscription


def subscription_update(
    *, subscription: WebhookSubscription, user=None, **changes
) -> WebhookSubscription:
    """Change name, url, events, secret or active; only the keys given."""
    allowed = {"name", "url", "events", "secret", "active"}
    changes = {k: v for k, v in changes.items() if k in allowed}
    errors = _subscription_check(
        url=changes.get("url"),
        events=changes.get("events"),
        secret=changes.get("secret"),
    )
    if "name" in changes and not (changes["name"] or "").strip():
        errors["name"] = [_("Name the subscription.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"]))
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=subscription.pk
        )
        for key, value in changes.items():
            setattr(subscription, key, value)
        history_save(
            subscription, reason="changed: " + ", ".join(sorted(changes)), user=user
        )
    return subscription


def subscription_deactivate(
    *, subscription: WebhookSubscription, user=None
) -> WebhookSubscription:
    """Stop delivering to a subscription. Rows are kept (deliveries refer to them);
    deliveries still queued are cancelled by the dispatcher when it reaches them."""
    return subscription_update(subscription=subscription, user=user, active=False)


def deliveries_redeliver(
    *, subscription: WebhookSubscription, delivery: str = "", user=None
) -> int:
    """Queue dead (or cancelled) deliveries of `subscription` again, at once and with
    a fresh attempt count: after the receiver is fixed. One delivery by its key, or
    every dead one. Returns how many were queued."""
    from messaging.models import OutboundMessage

    if not subscription.active:
        message = _("Switch the subscription on first.")
        raise ConflictError(message, code="inactive", errors={"active": [message]})
    rows = OutboundMessage.objects.filter(
        webhook_subscription=subscription, channel=OutboundMessage.Channel.WEBHOOK
    )
    if delivery:
        rows = rows.filter(
            idempotency_key=delivery,
            status__in=[OutboundMessage.Status.DEAD, OutboundMessage.Status.CANCELLED],
        )
    else:
        rows = rows.filter(status=OutboundMessage.Status.DEAD)
    who = getattr(user, "username", None) or "system"
    return rows.update(
        status=OutboundMessage.Status.PENDING,
        attempts=0,
        send_after=timezone.now(),
        last_error=f"redelivery requested by {who}",
    )
