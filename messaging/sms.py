"""SMS backends, modelled on Django's email backends (no maintained Django SMS library
exists). `SMS_BACKEND` names the class; `get_sms_backend()` builds it.

Every send carries the outbox row's idempotency key, so a gateway that honours it never
delivers one message twice, whatever a retry does. A backend reports one of three
outcomes per message: sent, failed (safe to retry: the gateway said no, or the request
never left), or unknown (the request may have reached the gateway: never resend
automatically).
"""

import json
import sys
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.client import (
    HTTPConnection,
    HTTPException,
    HTTPSConnection,
    RemoteDisconnected,
)
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from cases.masking import mask_phone

SENT = "sent"
FAILED = "failed"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    idempotency_key: str
    sender: str = ""


@dataclass(frozen=True)
class SendResult:
    status: str
    provider_message_id: str = ""
    error: str = ""
    # False when retrying cannot help (a 4xx: bad number, bad request).
    retryable: bool = True
    extra: dict = field(default_factory=dict)


class BaseSmsBackend:
    def __init__(self, **kwargs) -> None:
        self.options = kwargs

    def send(self, message: SmsMessage) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError

    def send_messages(self, messages: list[SmsMessage]) -> list[SendResult]:
        return [self.send(m) for m in messages]


class ConsoleBackend(BaseSmsBackend):
    """Prints each message; the default under `make run`. The number is masked: the
    output lands in the worker's log (var/worker.log), and logs carry no PII."""

    def __init__(self, stream=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, message: SmsMessage) -> SendResult:
        with self._lock:
            self.stream.write(
                f"SMS to {mask_phone(message.to)} [{message.idempotency_key}]\n"
                f"{message.body}\n" + "-" * 60 + "\n"
            )
            self.stream.flush()
        return SendResult(SENT, provider_message_id=f"console-{uuid.uuid4().hex[:12]}")


# Messages "sent" by the locmem backend, like django.core.mail.outbox.
outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    """Keeps messages in `messaging.sms.outbox` for tests."""

    def send(self, message: SmsMessage) -> SendResult:
        outbox.append(message)
        return SendResult(SENT, provider_message_id=f"locmem-{len(outbox)}")


class FileBackend(BaseSmsBackend):
    """Appends one JSON line per message to SMS_FILE_PATH."""

    def __init__(self, file_path: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.path = Path(file_path or settings.SMS_FILE_PATH)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def send(self, message: SmsMessage) -> SendResult:
        line = {**asdict(message), "at": datetime.now(UTC).isoformat()}
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return SendResult(SENT, provider_message_id=f"file-{uuid.uuid4().hex[:12]}")


class HttpGatewayBackend(BaseSmsBackend):
    """JSON POST to an HTTP SMS gateway with an Idempotency-Key header, over a
    kept-alive connection per thread.

    5xx answers and refused connections are retried here a few times (the request did
    not succeed; with the idempotency key a retry cannot double-send). A timeout, or a
    fresh connection dropped after the request left, is ambiguous: reported as UNKNOWN
    and never retried, so a person or a delivery report settles it. A kept-alive
    connection that the gateway closed while idle is reopened once and the request
    sent again: the common keep-alive race, made safe by the key.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout if timeout is not None else settings.SMS_GATEWAY_TIMEOUT
        self.retries = retries if retries is not None else 2
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured(
                f"SMS_GATEWAY_URL={self.url!r}: use an http:// or https:// URL."
            )
        self._parts = parts
        self._local = threading.local()

    def _connection(self) -> tuple[HTTPConnection, bool]:
        """The thread's connection and whether it was used before."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        cls = HTTPSConnection if self._parts.scheme == "https" else HTTPConnection
        conn = cls(self._parts.hostname, self._parts.port, timeout=self.timeout)
        self._local.conn = conn
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def _body(self, message: SmsMessage) -> tuple[bytes, dict]:
        body = json.dumps(
            {
                "to": message.to,
                "body": message.body,
                "sender": message.sender,
                "reference": message.idempotency_key,
            },
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return body, headers

    def _post_once(self, message: SmsMessage) -> SendResult | None:
        """One POST; None means "never reached the gateway, try again"."""
        body, headers = self._body(message)
        path = self._parts.path or "/"
        for reopened in (False, True):
            conn, reused = self._connection()
            try:
                conn.request("POST", path, body=body, headers=headers)
            except OSError:
                # Refused, unreachable, or a kept-alive socket already closed: the
                # request did not leave.
                self._drop()
                if reused and not reopened:
                    continue
                return None
            try:
                resp = conn.getresponse()
                data = resp.read()
            except TimeoutError:
                self._drop()
                return SendResult(UNKNOWN, error="timed out after the request left")
            except (HTTPException, OSError) as exc:
                self._drop()
                if reused and not reopened and isinstance(exc, RemoteDisconnected):
                    continue
                return SendResult(UNKNOWN, error=f"ambiguous: {exc.__class__.__name__}")
            if resp.will_close:
                self._drop()
            if resp.status >= 500:
                return SendResult(FAILED, error=f"gateway answered {resp.status}")
            if resp.status >= 400:
                return SendResult(
                    FAILED, error=f"gateway answered {resp.status}", retryable=False
                )
            try:
                payload = json.loads(data or b"{}")
            except ValueError:
                payload = {}
            return SendResult(SENT, provider_message_id=str(payload.get("id", "")))
        return None

    def send(self, message: SmsMessage) -> SendResult:
        result = None
        for _ in range(self.retries + 1):
            result = self._post_once(message)
            if result is not None and not (
                result.status == FAILED and result.retryable
            ):
                return result
        return result or SendResult(FAILED, error="gateway unreachable", retryable=True)


def get_sms_backend(path: str | None = None, **kwargs) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)(**kwargs)
