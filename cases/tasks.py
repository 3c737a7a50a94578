"""Daily jobs on the portfolio; each calls one set-based service."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def refresh_delinquency() -> dict:
    return services.delinquency_refresh()


@shared_task(ignore_result=True)
def refresh_promises_and_plans() -> dict:
    return {
        "promises": services.promise_refresh(),
        "plans": services.plan_refresh(),
        # Settlement offers lapse at their deadline (docs/decisions.md, record 48).
        "settlements": services.settlement_refresh(),
    }
