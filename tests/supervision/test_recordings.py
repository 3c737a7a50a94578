"""The recording is served only after the scope check, with the audio type stored
at upload, never sniffed by the browser and never able to run script (issue 15,
finding 1)."""

from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls import services as call_services
from calls.models import CallLog
from demo.supervision import demo_wav

from .conftest import make_call

pytestmark = pytest.mark.django_db

HTML = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    return settings


def with_recording(call, name, data):
    """Attach `data` the way the guided call does: checked, typed, stored."""
    upload = SimpleUploadedFile(name, data)
    call.recording_content_type = call_services.recording_check(upload)
    call.recording = upload
    call.save()
    return call


def fetch(client, call):
    response = client.get(reverse("supervision:call-recording", args=[call.reference]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_a_wav_is_served_inline_as_audio_wav_never_sniffed_and_sandboxed(
    client, supervisor, collector, team_case, storage
):
    call = with_recording(make_call(team_case, collector), "x.wav", demo_wav(0.2))
    client.force_login(supervisor)

    response, body = fetch(client, call)

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("inline")
    assert f"{call.reference}.wav" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert body.startswith(b"RIFF")


def test_a_type_the_audio_element_cannot_play_is_served_as_an_attachment(
    client, supervisor, collector, team_case, storage
):
    flac = b"fLaC\x00\x00\x00\x22" + bytes(64)
    call = with_recording(make_call(team_case, collector), "x.flac", flac)
    client.force_login(supervisor)

    response, _ = fetch(client, call)

    assert response["Content-Type"] == "audio/flac"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_wav_header_carrying_html_is_still_only_audio_to_the_browser(
    client, supervisor, collector, team_case, storage
):
    polyglot = b"RIFF\x24\x00\x00\x00WAVEfmt " + HTML
    call = with_recording(make_call(team_case, collector), "x.wav", polyglot)
    client.force_login(supervisor)

    response, _ = fetch(client, call)

    assert response["Content-Type"] == "audio/wav"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_legacy_recording_without_a_stored_type_is_typed_by_its_content(
    client, supervisor, collector, team_case, storage
):
    call = make_call(team_case, collector)
    call.recording.save("legacy.wav", ContentFile(demo_wav(0.2)), save=True)
    script = make_call(team_case, collector)
    script.recording.save("legacy2.wav", ContentFile(HTML), save=True)
    client.force_login(supervisor)

    response, _ = fetch(client, call)
    assert response["Content-Type"] == "audio/wav"
    response, _ = fetch(client, script)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_another_teams_supervisor_gets_404_for_the_recording(
    client, other_supervisor, collector, team_case, storage
):
    call = with_recording(make_call(team_case, collector), "x.wav", demo_wav(0.2))
    client.force_login(other_supervisor)

    response, _ = fetch(client, call)

    assert response.status_code == 404


def test_recordings_in_the_old_media_folder_move_out_with_their_type(
    collector, team_case, storage
):
    media = Path(storage.MEDIA_ROOT)
    (media / "recordings/2026/05").mkdir(parents=True)
    (media / "recordings/2026/05/a.wav").write_bytes(demo_wav(0.2))
    (media / "recordings/2026/05/b.wav").write_bytes(HTML)
    played = make_call(team_case, collector)
    twice = make_call(team_case, collector)
    script = make_call(team_case, collector)
    gone = make_call(team_case, collector)
    CallLog.objects.filter(pk__in=[played.pk, twice.pk]).update(
        recording="recordings/2026/05/a.wav"
    )
    CallLog.objects.filter(pk=script.pk).update(recording="recordings/2026/05/b.wav")
    CallLog.objects.filter(pk=gone.pk).update(recording="recordings/2026/05/c.wav")

    migration = import_module("calls.migrations.0005_recording_storage_and_type")
    migration.recordings_move(apps, None)

    played.refresh_from_db()
    assert played.recording.name == "2026/05/a.wav"
    assert played.recording_content_type == "audio/wav"
    assert Path(played.recording.path).read_bytes().startswith(b"RIFF")
    assert not (media / "recordings/2026/05/a.wav").exists()
    twice.refresh_from_db()
    assert (twice.recording.name, twice.recording_content_type) == (
        "2026/05/a.wav",
        "audio/wav",
    )
    script.refresh_from_db()
    assert script.recording_content_type == "application/octet-stream"
    gone.refresh_from_db()
    assert (gone.recording.name, gone.recording_content_type) == ("2026/05/c.wav", "")
