"""/metrics in Prometheus format: requests, latency and database queries by view
(django-prometheus), the product's counters (core.metrics), and state read at
scrape time: the outbox backlog, the age of the oldest due message, the Celery queue
depth and the heartbeat's age.

Guarded: with METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`;
without it, only addresses in METRICS_ALLOWED_NETWORKS (loopback by default) may
read it. Metrics name no person, but reveal volumes and backlogs to anyone.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from compliance.models import LedgerAnchor
from core.models import Heartbeat
from messaging.models import OutboundMessage

from .celery import app as celery_app

Status = OutboundMessage.Status
# The states that still need something to happen; each count is served by a partial
# index (outbox_due_idx, outbox_sending_idx, outbox_unknown_idx), so a scrape never
# scans the whole outbox.
BACKLOG = [Status.PENDING, Status.FAILED, Status.SENDING, Status.UNKNOWN]


class StateCollector:
    """Gauges computed from the database and the broker when Prometheus scrapes."""

    def collect(self):
        now = timezone.now()
        backlog = GaugeMetricFamily(
            "collections_outbox_backlog",
            "Outbox rows not yet settled, by status.",
            labels=["status"],
        )
        counts = dict(
            OutboundMessage.objects.filter(status__in=BACKLOG)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for status in BACKLOG:
            backlog.add_metric([status], counts.get(status, 0))
        yield backlog

        oldest = OutboundMessage.objects.filter(
            status__in=[Status.PENDING, Status.FAILED], send_after__lte=now
        ).aggregate(at=Min("send_after"))["at"]
        yield GaugeMetricFamily(
            "collections_outbox_oldest_due_seconds",
            "How long the oldest due, unsent outbox row has waited (0: none waits).",
            value=(now - oldest).total_seconds() if oldest else 0,
        )

        depth = _queue_depth()
        if depth is not None:
            yield GaugeMetricFamily(
                "collections_celery_queue_depth",
                "Tasks waiting in the Celery broker's default queue.",
                value=depth,
            )

        beats = GaugeMetricFamily(
            "collections_heartbeat_age_seconds",
            "Seconds since each background heartbeat (core.tasks.heartbeat).",
            labels=["name"],
        )
        for beat in Heartbeat.objects.all():
            beats.add_metric([beat.name], (now - beat.seen_at).total_seconds())
        yield beats

        yield from _ledger_anchors(now)


def _ledger_anchors(now):
    """The decision chains' latest anchors (compliance.chain.ledger_anchor): the
    head link and hash of each shard, and the anchor's age (an alert when the daily
    anchor stops). One small table, read whole."""
    latest: dict[int, LedgerAnchor] = {}
    for anchor in LedgerAnchor.objects.order_by("date"):
        latest[anchor.shard] = anchor
    seqs = GaugeMetricFamily(
        "collections_ledger_anchor_head_seq",
        "The decision chain's head link at its latest daily anchor, by shard.",
        labels=["shard"],
    )
    info = GaugeMetricFamily(
        "collections_ledger_anchor_info",
        "The latest daily anchor of each decision chain: its date and head hash "
        "(value 1); a scraper keeps them outside the database.",
        labels=["shard", "date", "head_hash"],
    )
    for shard, anchor in sorted(latest.items()):
        seqs.add_metric([str(shard)], anchor.head_seq)
        info.add_metric([str(shard), anchor.date.isoformat(), anchor.head_hash], 1)
    yield seqs
    yield info
    newest = max((a.created_at for a in latest.values()), default=None)
    # Always exported (without a sample until the first anchor), so the alert on a
    # stale anchor has its series from the first scrape on.
    age = GaugeMetricFamily(
        "collections_ledger_anchor_age_seconds",
        "Seconds since the newest decision-chain anchor was written.",
    )
    if newest is not None:
        age.add_metric([], (now - newest).total_seconds())
    yield age


def _queue_depth() -> int | None:
    """Tasks waiting: LLEN of the default queue on Redis, the message files of the
    filesystem broker (make run); None when the broker does not answer."""
    if not settings.REDIS_URL:
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        try:
            return sum(1 for name in os.listdir(folder) if name.endswith(".msg"))
        except OSError:
            return None
    queue = celery_app.conf.task_default_queue
    try:
        with celery_app.connection_for_read() as conn:
            return conn.default_channel.client.llen(queue)
    except Exception:  # noqa: BLE001 - a scrape must not fail on a broker hiccup
        return None


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.CollectorRegistry()
        registry.register(_ProcessRegistry())
    registry.register(StateCollector())
    return registry


class _ProcessRegistry:
    """This process's own metrics (no multiprocess directory)."""

    def collect(self):
        yield from prometheus_client.REGISTRY.collect()


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    body = prometheus_client.generate_latest(_registry())
    response = HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
