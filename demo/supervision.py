"""Demo data for the supervisor's workspace, called by `seed_demo` after the calls,
promises and plans exist: a short generated recording on recent calls, a few flagged
calls (content lint; disclosure before identity), some reviews, compliance blocks,
a pending restriction-removal request, and two bucket snapshots (a week ago and
today) so roll rates and the cure rate have something to show.

It draws from its own random generator, so the rest of the seed is unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import struct
import wave

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from calls.models import CallLog, CallReview
from calls.recordings import recording_storage
from cases.models import Case
from compliance.models import ContactAttempt, ContactRestriction, Decision
from compliance.reasons import render
from compliance.rules.base import Block
from supervision.models import Approval, BucketSnapshot
from supervision.services import bucket_snapshot_take, payment_credits_take

RECORDING_NAME = "demo/demo-call.wav"  # in the recordings storage (RECORDINGS_ROOT)
FLAGGED_NOTES = [
    "Told the customer we would send the police to arrest him if he does not pay.",
    "你再不还钱我们就去你单位闹，让你同事都知道。",
]


def demo_wav(seconds: float = 4.0, rate: int = 8000) -> bytes:
    """A short mono WAV: a dial tone, a pause, then two "voices" (tones) taking
    turns, enough for the audio player to show a real recording."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        t = n / rate
        if t < 0.8:
            value = 0.3 * (
                math.sin(2 * math.pi * 350 * t) + math.sin(2 * math.pi * 440 * t)
            )
        elif t < 1.2:
            value = 0.0
        else:
            turn = int((t - 1.2) / 0.7) % 2
            pitch = 220 if turn == 0 else 330
            value = (
                0.4 * math.sin(2 * math.pi * pitch * t) * (0.6 + 0.4 * math.sin(7 * t))
            )
        frames += struct.pack("<h", int(max(-1.0, min(1.0, value)) * 32767 * 0.5))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def _bucket_for(dpd: int) -> str:
    for low, high, label in settings.DPD_BUCKETS:
        if dpd >= low and (high is None or dpd <= high):
            return label
    return ""


def seed(*, users: dict, open_cases: list[Case], now: dt.datetime, seed: int) -> dict:
    rng = random.Random(seed + 6)
    supervisor = users["supervisor"]
    team_collectors = [users["collector"], users["collector2"]]
    storage = recording_storage()
    if not storage.exists(RECORDING_NAME):
        storage.save(RECORDING_NAME, ContentFile(demo_wav()))

    recent = list(
        CallLog.objects.filter(
            collector__in=team_collectors,
            right_party_contact=True,
            started_at__gte=now - dt.timedelta(days=14),
        ).order_by("started_at", "reference")
    )
    rng.shuffle(recent)
    with_recording = recent[:40]
    for call in with_recording:
        call.recording.name = RECORDING_NAME
        call.recording_content_type = "audio/wav"
        call.identity_confirmed_at = call.started_at + dt.timedelta(seconds=20)
        call.disclosed_at = call.started_at + dt.timedelta(seconds=45)
    # Flags: notes the content lint rejects, and a dialer report whose disclosure
    # came before the identity check.
    lint = with_recording[:2]
    for call, notes in zip(lint, FLAGGED_NOTES, strict=False):
        call.notes, call.notes_flagged = notes, True
    for call in with_recording[2:4]:
        call.disclosed_at = call.started_at + dt.timedelta(seconds=10)
        call.identity_confirmed_at = call.started_at + dt.timedelta(seconds=50)
    CallLog.objects.bulk_update(
        with_recording,
        [
            "recording",
            "recording_content_type",
            "identity_confirmed_at",
            "disclosed_at",
            "notes",
            "notes_flagged",
        ],
    )
    # Some calls already reviewed, so the QA score shows (the rest wait).
    reviews = []
    for call in with_recording[10:16]:
        met = rng.sample(
            [
                "accurate_amounts",
                "professional_tone",
                "options_offered",
                "notes_complete",
            ],
            k=rng.randint(2, 4),
        )
        criteria = {"identity_before_disclosure": True, "no_threats": True}
        criteria.update(dict.fromkeys(met, True))
        reviews.append(
            CallReview(
                call=call,
                reviewer=supervisor,
                score=round(100 * len(criteria) / 6),
                comments="Demo review.",
                **criteria,
            )
        )
    CallReview.objects.bulk_create(reviews)

    # Compliance blocks: collectors who tried outside the window or on a dispute.
    team_ids = set(supervisor.supervised_teams.values_list("pk", flat=True))
    team_cases = [c for c in open_cases if c.queue and c.queue.team_id in team_ids]
    blocks = 0
    for n, case in enumerate(team_cases[:8]):
        code = "contact_window" if n % 3 else "dispute_hold"
        at = now - dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 10))
        if code == "contact_window":
            # A late-evening try, after the cn pack's 08:00-22:00 window.
            at = timezone.localtime(at).replace(hour=22, minute=rng.randint(5, 55))
        actor = team_collectors[n % 2]
        decision = Decision.objects.create(
            customer_id=case.customer_id,
            case=case,
            channel="call",
            proposed_at=at,
            allowed=False,
            outcome="defer" if code == "contact_window" else "deny",
            reasons=[_demo_reason(code, at)],
            rule_pack="cn",
            rule_pack_version=1,
            actor=actor,
        )
        ContactAttempt.objects.create(
            customer_id=case.customer_id,
            case=case,
            channel="call",
            at=at,
            allowed=False,
            result=ContactAttempt.Result.BLOCKED,
            decision=decision,
            source="collector",
            actor=actor,
        )
        blocks += 1

    # A restriction removal waiting for the supervisor.
    requests = 0
    restriction = (
        ContactRestriction.objects.filter(
            customer__cases__in=team_cases, ends_at__isnull=True
        )
        .select_related("customer")
        .first()
    )
    if restriction is not None:
        case = Case.objects.filter(customer=restriction.customer).first()
        Approval.objects.create(
            reference="AP-DEMO0001",
            kind=Approval.Kind.RESTRICTION_REMOVAL,
            case=case,
            restriction=restriction,
            reason="Customer withdrew the request in writing (letter of 3 days ago).",
            requested_by=users["collector"],
        )
        requests = 1

    # Bucket snapshots: a week ago (from today's days past due) and today.
    week_ago = timezone.localdate(now) - dt.timedelta(days=7)
    BucketSnapshot.objects.bulk_create(
        [
            BucketSnapshot(
                day=week_ago,
                case=case,
                bucket=_bucket_for(max(case.max_days_past_due - 7, 0))
                if rng.random() < 0.85
                else _bucket_for(max(case.max_days_past_due - 37, 0)),
                overdue_amount=case.overdue_amount,
            )
            for case in open_cases
        ],
        ignore_conflicts=True,
    )
    bucket_snapshot_take(day=timezone.localdate(now))
    credited = payment_credits_take(since=now - dt.timedelta(days=90))
    return {
        "calls with recordings": len(with_recording),
        "flagged calls": len(lint) + 2,
        "reviews": len(reviews),
        "compliance blocks": blocks,
        "approval requests": requests,
        "payment credits": credited,
    }


def _demo_reason(code: str, at: dt.datetime) -> dict:
    """The reason the gate itself would have written (its words in both languages)."""
    zone = timezone.get_current_timezone()
    if code == "contact_window":
        block = Block(
            kind="defer",
            code=code,
            rule=code,
            params={
                "local_time": timezone.localtime(at),
                "start": "08:00",
                "end": "22:00",
                "tz": zone.key,
            },
        )
        next_at = timezone.localtime(at).replace(hour=8, minute=0) + dt.timedelta(
            days=1
        )
    else:
        block = Block(
            kind="deny",
            code=code,
            rule=code,
            params={"since": timezone.localdate(at) - dt.timedelta(days=3)},
        )
        next_at = None
    return render(block, pack_code="cn", next_at=next_at, zone=zone)
