"""Letters: rendered to PDF by the dispatcher, sent in the print vendor's batch.

The letter rung's outbox row goes through the dispatcher like any other message: it
is claimed, re-checked with the gate at send time (its decision and attempt written
first, decision 33), its template rendered, and then handed to `letter_produce`
(OUTBOX_CHANNEL_SENDERS["letter"]), which draws the PDF and stores it with the case.
Nothing has left the bank then: the row becomes "rendered" and its attempt stays
pending (counted by the caps). The daily `print_batch_cut` puts the day's rendered
letters into one zip for the print vendor, with a manifest, and only then are the
rows and their attempts recorded as sent (decision 47).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from compliance.ledger import ledger_complete_many
from compliance.models import ContactAttempt

from .. import sms
from ..letters import LetterContent, letter_pdf
from ..models import DocumentDownload, Letter, OutboundMessage, PrintBatch

logger = logging.getLogger(__name__)
# The outcome a letter sender reports: produced, not yet sent (messaging.outbox).
RENDERED = "rendered"
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = (
    "letter",
    "case",
    "recipient",
    "postal_address",
    "language",
    "pages",
    "sha256",
    "file",
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def letter_produce(message: OutboundMessage) -> sms.SendResult:
    """The outbox's letter sender: draw the row's rendered text as a PDF and keep it
    with the case (a Letter), reporting "rendered" with the letter's reference.

    Safe to run twice for one row: a row whose letter exists already (its worker
    died before recording the outcome, and the lease put it back) reuses it, so a
    message never has two letters. Runs in the dispatcher's own thread
    (`runs_in_dispatcher`), since it writes to the database and draws on the CPU."""
    existing = Letter.objects.filter(message_id=message.pk).first()
    if existing is not None:
        return sms.SendResult(RENDERED, provider_message_id=existing.reference)
    now = timezone.now()
    language = (
        message.template.language
        if message.template is not None
        else message.customer.language
    )
    letter = Letter(
        message=message,
        case_id=message.case_id,
        customer_id=message.customer_id,
        language=language,
        recipient_name=message.customer.full_name,
        postal_address=message.contact_point.value,
        rendered_at=now,
    )
    pdf = letter_pdf(
        LetterContent(
            reference=letter.reference,
            case_reference=message.case.reference if message.case else "",
            language=language,
            recipient_name=letter.recipient_name,
            postal_address=letter.postal_address,
            subject=message.subject,
            body=message.body,
            date=timezone.localdate(now),
        )
    )
    letter.sha256 = _sha256(pdf.content)
    letter.size_bytes = len(pdf.content)
    letter.page_count = pdf.page_count
    letter.file.save(f"{letter.reference}.pdf", ContentFile(pdf.content), save=False)
    letter._change_reason = "Rendered by the dispatcher after the send-time re-check"
    letter.save()
    return sms.SendResult(RENDERED, provider_message_id=letter.reference)


letter_produce.runs_in_dispatcher = True


@dataclass
class BatchReport:
    batch: PrintBatch | None
    letters: int
    # Letters whose file is missing or no longer matches its checksum: left out,
    # still waiting, for a person to look at.
    refused: list[str]


def _batch_letters():
    """The rendered letters no batch has taken yet (letter_unbatched_idx)."""
    return (
        Letter.objects.filter(
            batch__isnull=True, message__status=OutboundMessage.Status.RENDERED
        )
        .select_related("case", "message")
        .order_by("rendered_at", "pk")
    )


def print_batch_pending_count() -> int:
    """How many letters the next batch would take."""
    return _batch_letters().count()


def print_batch_cut(*, now: datetime | None = None, user=None) -> BatchReport:
    """Put every rendered letter not yet in a batch into a new print batch: a zip of
    their PDFs and `manifest.csv` (letter, case, recipient, postal address, language,
    pages, SHA-256, file name), kept in the private letter storage. The letters'
    outbox rows become "sent" and their ledger attempts are settled as sent, in the
    same transaction: a letter counts as sent from the moment it is in a batch.

    No letters: no batch. Run twice, the second run takes nothing of the first (the
    letters are locked while the batch is cut, and then carry their batch). A letter
    whose file is missing or whose content no longer matches its checksum is left
    out and logged. `user` is whoever cut the batch by hand (None: the daily job)."""
    now = now or timezone.now()
    with transaction.atomic():
        letters = list(_batch_letters().select_for_update(of=("self",)))
        chosen, refused, files = [], [], []
        for letter in letters:
            try:
                with letter.file.open("rb") as handle:
                    data = handle.read()
            except (FileNotFoundError, ValueError):
                data = None
            if data is None or _sha256(data) != letter.sha256:
                logger.error(
                    "letter %s left out of the print batch: its file is missing "
                    "or does not match its checksum",
                    letter.reference,
                )
                refused.append(letter.reference)
                continue
            chosen.append(letter)
            files.append(data)
        if not chosen:
            return BatchReport(batch=None, letters=0, refused=refused)
        batch = PrintBatch(created_at=now, created_by=user, letter_count=len(chosen))
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
                manifest = io.StringIO()
                writer = csv.writer(manifest)
                writer.writerow(MANIFEST_COLUMNS)
                for letter, data in zip(chosen, files, strict=True):
                    name = f"{letter.reference}.pdf"
                    archive.writestr(name, data)
                    writer.writerow(
                        (
                            letter.reference,
                            letter.case.reference,
                            letter.recipient_name,
                            letter.postal_address,
                            letter.language,
                            letter.page_count,
                            letter.sha256,
                            name,
                        )
                    )
                # With a byte-order mark: the vendor's spreadsheet then reads the
                # Chinese names and addresses as UTF-8.
                archive.writestr(MANIFEST_NAME, manifest.getvalue().encode("utf-8-sig"))
            spool.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: spool.read(1 << 20), b""):
                digest.update(chunk)
            batch.sha256 = digest.hexdigest()
            batch.size_bytes = spool.tell()
            spool.seek(0)
            batch.file.save(f"{batch.reference}.zip", File(spool), save=False)
        batch._change_reason = (
            "Cut by hand" if user is not None else "Cut by the daily print job"
        )
        batch.save()
        for letter in chosen:
            letter.batch = batch
        bulk_update_with_history(
            chosen,
            Letter,
            ["batch"],
            default_user=user,
            default_change_reason=f"Put in print batch {batch.reference}",
        )
        message_ids = [letter.message_id for letter in chosen]
        OutboundMessage.objects.filter(
            pk__in=message_ids, status=OutboundMessage.Status.RENDERED
        ).update(status=OutboundMessage.Status.SENT, sent_at=now, last_error="")
        ledger_complete_many(
            attempt_ids=[
                letter.message.contact_attempt_id
                for letter in chosen
                if letter.message.contact_attempt_id
            ],
            result=ContactAttempt.Result.SENT,
            completed_at=now,
        )
    return BatchReport(batch=batch, letters=len(chosen), refused=refused)


def letter_download_record(*, user, letter: Letter) -> None:
    """Audit a download of `letter` (it shows the full name and address). The caller
    has checked that `user` may see the letter's case."""
    DocumentDownload.objects.create(user=user, letter=letter)


def print_batch_download_record(*, user, batch: PrintBatch) -> None:
    """Audit a download of `batch`. The caller has checked that `user` is an admin."""
    DocumentDownload.objects.create(user=user, batch=batch)
