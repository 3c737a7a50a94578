"""Call recordings are audio, checked by their content, within a size limit, and
kept outside the media URL space (issue 15, finding 1: stored XSS through an
uploaded "recording")."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls import services
from calls.models import CallLog
from compliance.models import ContactAttempt
from core.errors import ApplicationError
from demo.supervision import demo_wav

pytestmark = pytest.mark.django_db

HTML = (
    b"<!doctype html><html><body>"
    b'<script src="/supervisor/calls/CL-1/recording/"></script></body></html>'
)
SCRIPT = b"fetch('/api/v1/customers/').then(r => r.text()).then(alert);\n"


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    return tmp_path


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def log_with(web, case, phone, upload):
    web.post(f"/cases/{case.reference}/call/start/", {"contact_point": phone.pk})
    return web.post(
        f"/cases/{case.reference}/call/log/",
        {"outcome": "voicemail", "attitude": "unknown", "recording": upload},
    )


def test_an_html_page_named_wav_is_refused_naming_the_recording(
    web, case, phone, storage
):
    upload = SimpleUploadedFile("call.wav", HTML, content_type="audio/wav")

    response = log_with(web, case, phone, upload)

    assert response.status_code == 400
    assert "Recording" in response.text
    assert "audio" in response.text
    assert not CallLog.objects.exists()
    assert not list(storage.rglob("*.wav")) and not list(storage.rglob("*.html"))


def test_a_script_named_mp3_is_refused(web, case, phone, storage):
    upload = SimpleUploadedFile("call.mp3", SCRIPT, content_type="audio/mpeg")

    response = log_with(web, case, phone, upload)

    assert response.status_code == 400
    assert not CallLog.objects.exists()


def test_a_recording_over_the_size_limit_is_refused(
    web, case, phone, storage, settings
):
    settings.RECORDING_MAX_BYTES = 1000
    upload = SimpleUploadedFile("call.wav", demo_wav(seconds=0.5), "audio/wav")

    response = log_with(web, case, phone, upload)

    assert response.status_code == 400
    assert "1000" in response.text or "1,000" in response.text
    assert not CallLog.objects.exists()


def test_a_real_wav_is_accepted_stored_outside_media_with_its_type(
    web, case, phone, storage, settings
):
    upload = SimpleUploadedFile("../../evil.html", demo_wav(0.3), "text/html")

    response = log_with(web, case, phone, upload)

    assert response.status_code == 302
    call = CallLog.objects.get()
    assert call.recording_content_type == "audio/wav"
    stored = Path(call.recording.path)
    assert stored.is_relative_to(settings.RECORDINGS_ROOT)
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    # The stored name is the call's, with the detected type's extension: nothing
    # of the uploaded name survives.
    assert stored.name == f"{call.reference}.wav"
    with pytest.raises(ValueError):
        call.recording.url  # noqa: B018 - no URL serves a recording


def test_the_service_refuses_a_non_audio_recording_before_anything_is_written(
    collector, case, phone, storage
):
    now = timezone.now()
    with pytest.raises(ApplicationError) as refused:
        services.call_record(
            user=collector,
            case=case,
            contact_point=phone,
            outcome="voicemail",
            identity_confirmed=False,
            disclosure_made=False,
            started_at=now - dt.timedelta(minutes=2),
            ended_at=now,
            recording=SimpleUploadedFile("a.ogg", HTML),
        )

    assert list(refused.value.errors) == ["recording"]
    assert refused.value.status == 400
    assert not ContactAttempt.objects.exists()
    assert not CallLog.objects.exists()


@pytest.mark.parametrize(
    ("name", "head", "content_type"),
    [
        ("a.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        ("a.ogg", b"OggS\x00\x02" + bytes(30), "audio/ogg"),
        ("a.flac", b"fLaC\x00\x00\x00\x22" + bytes(30), "audio/flac"),
        ("a.m4a", b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + bytes(20), "audio/mp4"),
        ("a.amr", b"#!AMR\n" + bytes(30), "audio/amr"),
    ],
)
def test_other_recorders_formats_are_accepted_by_their_content(
    name, head, content_type
):
    assert services.recording_check(SimpleUploadedFile(name, head)) == content_type


def test_the_refusal_speaks_chinese(web, case, phone, storage):
    web.cookies["django_language"] = "zh-hans"
    upload = SimpleUploadedFile("call.wav", HTML, content_type="audio/wav")

    response = log_with(web, case, phone, upload)

    assert response.status_code == 400
    assert "录音必须是音频文件" in response.text


def test_the_admin_shows_a_recording_but_cannot_replace_it(
    client, admin_user, collector, case, phone, storage
):
    now = timezone.now()
    call = services.call_record(
        user=collector,
        case=case,
        contact_point=phone,
        outcome="voicemail",
        identity_confirmed=False,
        disclosure_made=False,
        started_at=now - dt.timedelta(minutes=2),
        ended_at=now,
        recording=SimpleUploadedFile("a.wav", demo_wav(0.2)),
    )
    client.force_login(admin_user)

    page = client.get(f"/admin/calls/calllog/{call.pk}/change/")

    assert page.status_code == 200
    # No upload field: the admin would bypass the audio check.
    assert 'type="file"' not in page.text
    assert f"/supervisor/calls/{call.reference}/recording/" in page.text
