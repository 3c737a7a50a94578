"""The case's next action time in the call queue (decision 42): every logged call
sets `Case.next_call_at` from its outcome, and "Next case" never hands the case out
before it.

- nobody reached (no answer, voicemail, not connected, wrong number, third party):
  retry after CALL_RETRY_MINUTES;
- a conversation: after the pack's post-conversation cooldown where the pack has one
  for calls (us: 7 days, the conversation day being day 1), else after
  CALL_AFTER_CONVERSATION_HOURS;
- a callback: at the agreed time;
- a promise or plan agreed in the call: held longer by the arrangement itself
  (`cases.services.next_call`), which never shortens what is set here.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from cases.models import Case
from compliance.rules.base import start_of_day
from compliance.services.rule_packs import pack_compiled_for

from ..models import CallLog

Outcome = CallLog.Outcome

NOT_REACHED = frozenset(
    {
        Outcome.NOT_CONNECTED,
        Outcome.NO_ANSWER,
        Outcome.VOICEMAIL,
        Outcome.WRONG_NUMBER,
        Outcome.THIRD_PARTY,
    }
)


def _after_conversation(case: Case, at: dt.datetime) -> dt.datetime:
    pack = pack_compiled_for(case.customer)
    if pack.cooldown_enabled and "call" in pack.cooldown_channels:
        # The rule's own arithmetic (compliance.rules.frequency): the next call is
        # at the start of the local day conversation day + N.
        day = at.astimezone(pack.zone).date() + dt.timedelta(days=pack.cooldown_days)
        return start_of_day(day, pack.zone)
    return at + dt.timedelta(hours=settings.CALL_AFTER_CONVERSATION_HOURS)


def next_call_for_outcome(
    *, case: Case, outcome: str, at: dt.datetime, callback_at: dt.datetime | None
) -> tuple[dt.datetime, str]:
    """When the queue may hand the case out again after a call with `outcome` that
    ended at `at`, and why."""
    if callback_at is not None:
        return callback_at, Case.NextCall.CALLBACK
    if outcome in NOT_REACHED:
        retry = at + dt.timedelta(minutes=settings.CALL_RETRY_MINUTES)
        return retry, Case.NextCall.NO_ANSWER
    return _after_conversation(case, at), Case.NextCall.CONVERSATION


def case_next_call_set(
    *, case: Case, outcome: str, at: dt.datetime, callback_at: dt.datetime | None
) -> None:
    """Set the case's next call time after a logged call; a boost from a broken
    arrangement ends (the call dealt with it). The caller is inside the call's
    transaction."""
    when, reason = next_call_for_outcome(
        case=case, outcome=outcome, at=at, callback_at=callback_at
    )
    Case.objects.filter(pk=case.pk).update(
        next_call_at=when, next_call_reason=reason, call_boost=0
    )
    case.next_call_at, case.next_call_reason, case.call_boost = when, reason, 0
