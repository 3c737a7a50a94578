"""The journey simulation (`manage.py simulate_journey`, docs/escalation.md "Journey
simulation"): the real sweep, dispatcher, refreshes, claims and call logging, day by
day, with simulated debtors (`behaviours`) and collectors, and the invariants that
must hold every day (`invariants`)."""

from .invariants import INVARIANTS, Violation
from .simulation import Day, JourneyConfig, JourneyResult, journey_run

__all__ = [
    "INVARIANTS",
    "Day",
    "JourneyConfig",
    "JourneyResult",
    "Violation",
    "journey_run",
]
