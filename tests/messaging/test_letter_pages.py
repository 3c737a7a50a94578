"""The case page's letters and their download, and the admins' print batches page
(decision 47): role-checked, scoped to the case's team, and every download audited."""

import csv
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.urls import reverse

from compliance.models import ContactAttempt
from messaging import services, sms
from messaging.models import DocumentDownload, OutboundMessage, PrintBatch
from messaging.tasks import cut_print_batch
from tests.cases.factories import CaseFactory, ContactPointFactory, UserFactory
from tests.messaging.factories import OutboundMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def letters_root(settings, tmp_path):
    settings.LETTERS_ROOT = tmp_path / "letters"


@pytest.fixture
def letter(queue):
    case = CaseFactory(queue=queue)
    address = ContactPointFactory(
        customer=case.customer, channel="address", value="上海市黄浦区南京东路1号"
    )
    OutboundMessageFactory(
        channel="letter",
        case=case,
        contact_point=address,
        subject="逾期通知",
        body="请尽快还款。",
        send_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    report = services.outbox_dispatch(backend=sms.LocmemBackend())
    assert report.rendered == 1
    return case.letters.get()


def test_the_case_page_lists_the_letter_with_its_download_link(
    client, collector, letter
):
    client.force_login(collector)

    page = client.get(reverse("case-detail", args=[letter.case.reference]))

    url = reverse("case-letter", args=[letter.case.reference, letter.reference])
    assert url in page.content.decode()


def test_a_collector_of_the_team_downloads_the_letter_and_is_recorded(
    client, collector, letter
):
    client.force_login(collector)
    url = reverse("case-letter", args=[letter.case.reference, letter.reference])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == letter.file.open("rb").read()
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert DocumentDownload.objects.get().user == collector


def test_a_collector_of_another_team_cannot_download_the_letter(
    client, outsider, letter
):
    client.force_login(outsider)
    url = reverse("case-letter", args=[letter.case.reference, letter.reference])

    assert client.get(url).status_code == 404
    assert not DocumentDownload.objects.exists()


def test_a_letter_is_not_found_under_another_case(client, collector, letter, queue):
    other = CaseFactory(queue=queue)
    client.force_login(collector)

    url = reverse("case-letter", args=[other.reference, letter.reference])

    assert client.get(url).status_code == 404


def test_an_admin_cuts_and_downloads_a_batch_and_the_download_is_recorded(
    client, letter
):
    admin = UserFactory(roles=["admin"])
    client.force_login(admin)

    page = client.get(reverse("configuration:print-batches"))
    assert page.status_code == 200
    client.post(reverse("configuration:print-batch-cut"))
    batch = PrintBatch.objects.get()
    response = client.get(
        reverse("configuration:print-batch-download", args=[batch.reference])
    )

    assert batch.created_by == admin and batch.letter_count == 1
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert f"{letter.reference}.pdf" in archive.namelist()
    assert DocumentDownload.objects.get(batch=batch).user == admin
    assert (
        batch.reference
        in client.get(reverse("configuration:print-batches")).content.decode()
    )


@pytest.mark.parametrize("persona", ["collector", "supervisor"])
def test_only_admins_reach_the_print_batches(client, request, persona, letter):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("configuration:print-batches")).status_code == 403
    assert client.post(reverse("configuration:print-batch-cut")).status_code == 403
    assert not PrintBatch.objects.exists()


def test_a_letter_downloaded_from_the_case_page_is_the_one_in_the_days_print_batch(
    client, collector, letter
):
    """Issue 17, done when: a letter PDF is downloaded from the case page and appears
    in the day's vendor batch, the same file (checksum) and listed in the manifest."""
    client.force_login(collector)
    case_page = client.get(reverse("case-detail", args=[letter.case.reference]))
    url = reverse("case-letter", args=[letter.case.reference, letter.reference])
    assert url in case_page.content.decode()
    downloaded = b"".join(client.get(url).streaming_content)
    checksum = hashlib.sha256(downloaded).hexdigest()
    assert downloaded.startswith(b"%PDF-") and checksum == letter.sha256
    # Drawn, not yet sent: only a batch sends it.
    assert letter.message.status == OutboundMessage.Status.RENDERED

    cut_print_batch()  # the daily job

    batch = PrintBatch.objects.get()
    admin = UserFactory(roles=["admin"])
    client.force_login(admin)
    response = client.get(
        reverse("configuration:print-batch-download", args=[batch.reference])
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    in_batch = archive.read(f"{letter.reference}.pdf")
    assert hashlib.sha256(in_batch).hexdigest() == checksum
    rows = list(
        csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")))
    )
    assert [(r["letter"], r["case"]) for r in rows] == [
        (letter.reference, letter.case.reference)
    ]
    assert rows[0]["sha256"] == checksum
    letter.message.refresh_from_db()
    assert letter.message.status == OutboundMessage.Status.SENT
    attempt = ContactAttempt.objects.get(pk=letter.message.contact_attempt_id)
    assert attempt.result == ContactAttempt.Result.SENT
    assert DocumentDownload.objects.filter(letter=letter, user=collector).exists()
