"""What simulated debtors do: a table of behaviours, each a weight and a few hooks.

A behaviour answers three questions the simulation asks: does the debtor pay today of
their own accord (`pays_today`), what happens when a collector calls (`on_call`), and
what they do when a message reaches them (`on_message`). Adding a behaviour (a debtor
who asks for a settlement, who pays a letter's amount, who wants a longer plan than
the product allows) is adding a row here with its hooks; the simulation's loop does
not change. Every draw comes from the debtor's own generator, seeded from the run's
seed and the customer, so a debtor does the same whatever the others do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from calls.models import CallLog

Outcome = CallLog.Outcome


@dataclass
class Debtor:
    customer_id: int
    behaviour: Behaviour
    rng: random.Random
    # The day they pay everything overdue (their own plan, or a promise they keep).
    pay_on: dt.date | None = None
    promises: int = 0
    replied_stop: bool = False
    number_changed: bool = False
    state: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What a call to the debtor comes to: the logged outcome and, for a promise,
    in how many days they promise to pay and whether they will."""

    outcome: str
    promise_in_days: int = 0
    keeps: bool = False
    callback_in_hours: int = 0
    restriction: str = ""


def _never(debtor: Debtor, today: dt.date) -> bool:
    return False


def _on_day_planned(debtor: Debtor, today: dt.date) -> bool:
    return debtor.pay_on is not None and debtor.pay_on <= today


def _no_answer(debtor: Debtor) -> Answer:
    return Answer(Outcome.NO_ANSWER)


def _wrong_number(debtor: Debtor) -> Answer:
    debtor.number_changed = True
    return Answer(Outcome.WRONG_NUMBER)


def _answers(rate: float, then: Callable[[Debtor], Answer]):
    def on_call(debtor: Debtor) -> Answer:
        if debtor.rng.random() >= rate:
            return Answer(debtor.rng.choice([Outcome.NO_ANSWER, Outcome.VOICEMAIL]))
        return then(debtor)

    return on_call


def _promise(*, keeps_from: int):
    """Promise to pay in 3-10 days; kept from the `keeps_from`-th promise on (1:
    always kept; 2: the first is broken, the second kept)."""

    def then(debtor: Debtor) -> Answer:
        debtor.promises += 1
        return Answer(
            Outcome.PROMISE_TO_PAY,
            promise_in_days=debtor.rng.randint(3, 10),
            keeps=debtor.promises >= keeps_from,
        )

    return then


def _callback_then_promise(debtor: Debtor) -> Answer:
    if not debtor.state.get("called_back"):
        debtor.state["called_back"] = True
        return Answer(Outcome.CALLBACK, callback_in_hours=debtor.rng.choice([2, 24]))
    return _promise(keeps_from=1)(debtor)


def _dispute(debtor: Debtor) -> Answer:
    return Answer(Outcome.DISPUTE, restriction="dispute")


def _refuse(debtor: Debtor) -> Answer:
    return Answer(Outcome.REFUSED)


def _pays_soon(debtor: Debtor) -> Answer:
    """Says they will pay, and do, within a week, without a promise recorded."""
    if debtor.pay_on is None:
        debtor.pay_on = debtor.state["today"] + dt.timedelta(
            days=debtor.rng.randint(1, 7)
        )
    return Answer(Outcome.OTHER)


def _reply_stop_to_sms(debtor: Debtor, channel: str) -> bool:
    """True: the debtor answers the message with STOP (an SMS opt-out)."""
    if channel == "sms" and not debtor.replied_stop:
        debtor.replied_stop = True
        return True
    return False


def _ignore(debtor: Debtor, channel: str) -> bool:
    return False


@dataclass(frozen=True)
class Behaviour:
    name: str
    weight: int
    on_call: Callable[[Debtor], Answer]
    pays_today: Callable[[Debtor, dt.date], bool] = _on_day_planned
    on_message: Callable[[Debtor, str], bool] = _ignore
    # Days after the case opens that the debtor pays of their own accord (None:
    # only when a call or a promise leads them to).
    pays_after: tuple[int, int] | None = None


BEHAVIOURS: list[Behaviour] = [
    Behaviour("pays", 20, _answers(0.5, _pays_soon), pays_after=(2, 25)),
    Behaviour("keeps_promise", 18, _answers(0.6, _promise(keeps_from=1))),
    Behaviour("breaks_promise", 14, _answers(0.6, _promise(keeps_from=2))),
    Behaviour("callback_then_promise", 6, _answers(0.7, _callback_then_promise)),
    Behaviour("disputes", 6, _answers(0.7, _dispute), pays_today=_never),
    Behaviour(
        "opts_out",
        8,
        _answers(0.3, _refuse),
        pays_today=_never,
        on_message=_reply_stop_to_sms,
    ),
    Behaviour("never_answers", 18, _no_answer, pays_today=_never),
    Behaviour("changes_number", 10, _wrong_number, pays_today=_never),
]
BY_NAME = {b.name: b for b in BEHAVIOURS}


def behaviour_draw(rng: random.Random) -> Behaviour:
    return rng.choices(BEHAVIOURS, [b.weight for b in BEHAVIOURS])[0]
