"""Accepting a call recording: audio only, by its content, within the size limit."""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from ..recordings import recording_sniff_file


def recording_check(recording) -> str:
    """The audio type of the uploaded `recording`, or ApplicationError naming the
    field `recording` (400) when it is too large or not audio.

    The content decides, not the file name or the type the browser sent: an HTML
    page named `call.wav` is refused (issue 15, finding 1). RECORDING_MAX_BYTES caps
    the size (Django has already spooled the upload to a temporary file)."""
    limit = settings.RECORDING_MAX_BYTES
    if recording.size > limit:
        message = _(
            "The recording is larger than %(limit)s (%(bytes)s bytes at most)."
        ) % {"limit": filesizeformat(limit), "bytes": limit}
        raise ApplicationError(
            message, code="recording_too_large", errors={"recording": [message]}
        )
    content_type = recording_sniff_file(recording)
    if content_type is None:
        message = _(
            "The recording must be an audio file (WAV, MP3, Ogg/Opus, M4A, WebM, "
            "FLAC, AMR, 3GP or AAC); this file is not audio."
        )
        raise ApplicationError(
            message, code="recording_not_audio", errors={"recording": [message]}
        )
    return content_type
