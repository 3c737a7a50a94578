"""Call recordings: where they are kept and what kind of file each one is.

A recording is personal data and evidence. It is stored outside the media URL space
(RECORDINGS_ROOT, `var/recordings/`): no URL pattern serves that folder, only
`supervision.views.call_recording` after its scope check. What a file is comes from
its content (the `filetype` library reads the first bytes), never from the name or
the type the browser sent, and only audio is kept (issue 15, finding 1).
"""

from __future__ import annotations

from typing import IO

import filetype
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

# What `filetype` detects → the type stored with the call and served. ISO-BMFF
# files with mp4 brands and WebM files are reported as video: recorders and
# browsers (MediaRecorder) write audio in both, and they are served as audio.
AUDIO_TYPES = {
    "audio/x-wav": "audio/wav",
    "audio/mpeg": "audio/mpeg",
    "audio/ogg": "audio/ogg",  # Vorbis and Opus alike
    "audio/mp4": "audio/mp4",
    "video/mp4": "audio/mp4",
    "video/webm": "audio/webm",
    "audio/x-flac": "audio/flac",
    "audio/amr": "audio/amr",
    "audio/aac": "audio/aac",
    "video/3gpp": "audio/3gpp",  # phones' AMR recordings in a 3GP box
}
# What an <audio> element plays in every current browser: served inline so the
# supervisor's player works; anything else is a download.
INLINE_TYPES = frozenset(
    {"audio/wav", "audio/mpeg", "audio/ogg", "audio/webm", "audio/mp4"}
)
EXTENSIONS = {
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/webm": "webm",
    "audio/flac": "flac",
    "audio/amr": "amr",
    "audio/aac": "aac",
    "audio/3gpp": "3gp",
}
# A file that is not audio (only a recording stored before the check existed) is
# served as opaque bytes, as a download.
NOT_AUDIO = "application/octet-stream"
SNIFF_BYTES = 8192  # what filetype itself reads


def recording_sniff(head: bytes) -> str | None:
    """The audio type of a file starting with `head`, or None if it is not audio."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    return AUDIO_TYPES.get(kind.mime) if kind is not None else None


def recording_sniff_file(handle: IO[bytes]) -> str | None:
    """`recording_sniff` of an open file, which is left at its start."""
    handle.seek(0)
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    return recording_sniff(head)


@deconstructible(path="calls.recordings.RecordingStorage")
class RecordingStorage(FileSystemStorage):
    """The file system under settings.RECORDINGS_ROOT, with no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.RECORDINGS_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "RECORDINGS_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            "Recordings have no URL: supervision's call_recording view serves them "
            "after its scope check."
        )


_storage = RecordingStorage()


def recording_storage() -> RecordingStorage:
    """The storage of CallLog.recording (a callable, so migrations name it)."""
    return _storage


def recording_upload_to(call, filename: str) -> str:
    """`YYYY/MM/<call reference>.<extension of the detected type>`: nothing of the
    uploaded name is kept (it is the uploader's to choose)."""
    extension = EXTENSIONS.get(call.recording_content_type, "bin")
    return f"{timezone.now():%Y/%m}/{call.reference}.{extension}"


def recording_open(call) -> tuple[IO[bytes], str]:
    """The recording's file, open, and the type to serve it with: the one stored at
    upload, else (a recording older than the check) the content's audio type, else
    NOT_AUDIO. FileNotFoundError when the file is missing."""
    handle = call.recording.open("rb")
    content_type = call.recording_content_type
    if not content_type:
        content_type = recording_sniff_file(handle) or NOT_AUDIO
    return handle, content_type
