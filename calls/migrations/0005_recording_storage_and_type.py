"""Recordings move out of the media folder into their own storage (RECORDINGS_ROOT,
never served by URL), and each call keeps the audio type detected from the file's
content (issue 15, finding 1)."""

from pathlib import Path
import shutil

from django.conf import settings
from django.db import migrations, models
from django.utils._os import safe_join

import calls.recordings
from calls.recordings import NOT_AUDIO, SNIFF_BYTES, recording_sniff


def recordings_move(apps, schema_editor):
    """Move each recording stored under MEDIA_ROOT (`recordings/YYYY/MM/...`) to
    RECORDINGS_ROOT (`YYYY/MM/...`) and type it by its content: audio keeps its
    type, anything else is `application/octet-stream`, served only as a download.
    A file shared by several calls (the demo's) moves once. A file found in neither
    place keeps its new name and no type (the view types such a file by its content
    if it is restored later). Safe to run again: typed rows are left alone and a
    file already moved is not moved twice."""
    CallLog = apps.get_model("calls", "CallLog")
    media, target = Path(settings.MEDIA_ROOT), Path(settings.RECORDINGS_ROOT)
    rows = (
        CallLog.objects.exclude(recording="")
        .exclude(recording__isnull=True)
        .filter(recording_content_type="")
    )
    by_name: dict[str, list[int]] = {}
    for pk, name in rows.values_list("pk", "recording").iterator():
        by_name.setdefault(name, []).append(pk)
    for old, pks in by_name.items():
        new = old.removeprefix("recordings/")
        source, moved = Path(safe_join(media, old)), Path(safe_join(target, new))
        if not moved.exists() and source.is_file():
            moved.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, moved)
        content_type = ""
        if moved.is_file():
            with moved.open("rb") as handle:
                content_type = recording_sniff(handle.read(SNIFF_BYTES)) or NOT_AUDIO
        CallLog.objects.filter(pk__in=pks).update(
            recording=new, recording_content_type=content_type
        )


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0004_call_script_times_review_sampled"),
    ]

    operations = [
        migrations.AddField(
            model_name="calllog",
            name="recording_content_type",
            field=models.CharField(
                blank=True, max_length=50, verbose_name="recording type"
            ),
        ),
        migrations.AddField(
            model_name="historicalcalllog",
            name="recording_content_type",
            field=models.CharField(
                blank=True, max_length=50, verbose_name="recording type"
            ),
        ),
        migrations.AlterField(
            model_name="calllog",
            name="recording",
            field=models.FileField(
                blank=True,
                null=True,
                storage=calls.recordings.recording_storage,
                upload_to=calls.recordings.recording_upload_to,
                verbose_name="recording",
            ),
        ),
        migrations.RunPython(recordings_move, migrations.RunPython.noop),
    ]
