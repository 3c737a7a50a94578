"""Domain events: a service announces a change it has made, and the listeners (the
integrations app's webhook outbox) write their rows inside the caller's transaction,
so an event commits or rolls back with its change.

The kernel holds only this port, so the apps that make changes (cases, compliance)
need not import the app that announces them (integrations sits above them in the
layers, .importlinter). A listener registers in its AppConfig.ready(); with none
registered, publishing costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

PROMISE_MADE = "promise.made"
PROMISE_BROKEN = "promise.broken"
PLAN_APPROVED = "plan.approved"
CASE_CLOSED = "case.closed"
RESTRICTION_RECORDED = "restriction.recorded"


@dataclass(frozen=True)
class Listener:
    # Whether the listener wants `event` at all: set-based callers ask first, so an
    # event nobody wants costs no read of the ids it would carry.
    wants: Callable[[str], bool]
    # Publish one changed row (`instance`) or many (`ids`, after a bulk update);
    # returns how many rows the listener wrote.
    publish: Callable[..., int]


_listeners: list[Listener] = []


def event_listener_register(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def event_wanted(event: str) -> bool:
    return any(listener.wants(event) for listener in _listeners)


def event_publish(event: str, *, instance=None, ids: Iterable[int] = ()) -> int:
    """Announce `event` for `instance`, or for the rows `ids` (set-based)."""
    ids = list(ids)
    if instance is None and not ids:
        return 0
    return sum(
        listener.publish(event, instance=instance, ids=ids) for listener in _listeners
    )
