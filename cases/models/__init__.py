"""Customers, their loans and money, and the collection cases built on them."""

from ._common import ZERO, money_field
from .arrangements import ArrangementTerms
from .cases import (
    Case,
    CaseQuerySet,
    PromiseToPay,
    RepaymentPlan,
    RepaymentPlanInstalment,
)
from .loans import Instalment, Loan, Payment, PaymentAllocation
from .people import ContactPoint, Customer, Team, WorkQueue
from .policies import EscalationPolicy, EscalationStep
from .self_service import SelfServiceEvent, SelfServiceLink
from .settlements import Recovery, SettlementOffer, WriteOff, percent_of

__all__ = [
    "ZERO",
    "money_field",
    "Team",
    "WorkQueue",
    "Customer",
    "ContactPoint",
    "Loan",
    "Instalment",
    "Payment",
    "PaymentAllocation",
    "CaseQuerySet",
    "Case",
    "PromiseToPay",
    "RepaymentPlan",
    "RepaymentPlanInstalment",
    "ArrangementTerms",
    "EscalationPolicy",
    "EscalationStep",
    "SettlementOffer",
    "WriteOff",
    "Recovery",
    "SelfServiceEvent",
    "SelfServiceLink",
    "percent_of",
]
