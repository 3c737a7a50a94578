"""SMS backends, modelled on Django's email backends (no maintained Django SMS library
exists). `SMS_BACKEND` names the class; `get_sms_backend()` builds it.

Every send carries the outbox row's idempotency key, so a gateway that honours it never
delivers one message twice, whatever a retry does. A backend reports one of three
outcomes per message: sent, failed (safe to retry: the gateway said no, or the request
never left), or unknown (the request may have reached the gateway: never resend
automatically).
"""

import json
import socket
import ssl
import sys
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
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


class GatewayClosed(Exception):
    """A kept-alive connection answered nothing: the gateway had closed it."""


class GatewayProtocolError(Exception):
    """An answer that is not HTTP/1.x as this client reads it."""


class _GatewayConnection:
    """One kept-alive HTTP/1.1 connection to the gateway: each request leaves in one
    write (headers and body together, TCP_NODELAY), and the answer is read by its
    Content-Length (or chunks, or to the close).

    Not http.client: its request left in two writes and its answer went through the
    email package's header parser, and together they cost a dispatcher about a
    third of a millisecond of CPU per message, a third of the whole budget at 2,000
    messages/s on two cores (bench/sweep_bench.py, issue 19 item 4)."""

    def __init__(self, parts, timeout: float) -> None:
        self.parts, self.timeout = parts, timeout
        self.sock = None
        self.reader = None

    def open(self) -> None:
        port = self.parts.port or (443 if self.parts.scheme == "https" else 80)
        sock = socket.create_connection((self.parts.hostname, port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.parts.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(
                sock, server_hostname=self.parts.hostname
            )
        self.sock, self.reader = sock, sock.makefile("rb")

    def close(self) -> None:
        for part in (self.reader, self.sock):
            if part is not None:
                part.close()
        self.sock = self.reader = None

    def send(self, request: bytes) -> None:
        """Raises OSError when the request did not leave."""
        if self.sock is None:
            self.open()
        self.sock.sendall(request)

    def answer(self) -> tuple[int, bytes, bool]:
        """The status, body, and whether the gateway closes the connection after it.
        Raises TimeoutError, GatewayClosed (nothing came back), GatewayProtocolError
        or OSError."""
        version, status, headers = self._head(first=True)
        while 100 <= status < 200:  # an interim answer (100 Continue): the next one
            version, status, headers = self._head(first=False)
        connection = headers.get(b"connection", b"")
        closes = connection == b"close" or (
            version == b"HTTP/1.0" and connection != b"keep-alive"
        )
        if headers.get(b"transfer-encoding", b"") == b"chunked":
            return status, self._chunks(), closes
        length = headers.get(b"content-length")
        if length is None:
            return status, self.reader.read(), True
        try:
            size = int(length)
        except ValueError:
            raise GatewayProtocolError("bad Content-Length") from None
        body = self.reader.read(size)
        if len(body) < size:
            raise GatewayProtocolError("connection closed in the body")
        return status, body, closes

    def _head(self, *, first: bool) -> tuple[bytes, int, dict[bytes, bytes]]:
        read = self.reader.readline
        line = read(65537)
        if not line:
            if first:
                raise GatewayClosed
            raise GatewayProtocolError("connection closed after an interim answer")
        try:
            version, code = line.split(None, 2)[:2]
            status = int(code)
        except ValueError:
            raise GatewayProtocolError(line[:80]) from None
        if not version.startswith(b"HTTP/1."):
            raise GatewayProtocolError(line[:80])
        headers = {}
        while True:
            line = read(65537)
            if line in (b"\r\n", b"\n"):
                return version, status, headers
            if not line:
                raise GatewayProtocolError("connection closed in the headers")
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()

    def _chunks(self) -> bytes:
        parts = []
        while True:
            line = self.reader.readline(65537)
            try:
                size = int(line.split(b";", 1)[0], 16)
            except ValueError:
                raise GatewayProtocolError("bad chunk size") from None
            if size == 0:
                while self.reader.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.reader.read(size))
            self.reader.readline(65537)


class HttpGatewayBackend(BaseSmsBackend):
    """JSON POST to an HTTP SMS gateway with an Idempotency-Key header, over a
    kept-alive connection per thread (`_GatewayConnection`).

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
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        host = parts.netloc.rpartition("@")[2]
        # Every request's head but its own headers and length, built once.
        self._head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
            + (f"Authorization: Bearer {self.token}\r\n" if self.token else "")
        ).encode("latin-1")
        self._local = threading.local()

    def _connection(self) -> tuple[_GatewayConnection, bool]:
        """The thread's connection and whether it was used before."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        conn = _GatewayConnection(self._parts, self.timeout)
        self._local.conn = conn
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def _request(self, message: SmsMessage) -> bytes:
        body = json.dumps(
            {
                "to": message.to,
                "body": message.body,
                "sender": message.sender,
                "reference": message.idempotency_key,
            },
            ensure_ascii=False,
        ).encode()
        key = message.idempotency_key
        if "\r" in key or "\n" in key:
            raise ValueError("an idempotency key cannot hold a line break")
        return b"".join(
            (
                self._head,
                f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n".encode(
                    "latin-1"
                ),
                body,
            )
        )

    def _post_once(self, message: SmsMessage) -> SendResult | None:
        """One POST; None means "never reached the gateway, try again"."""
        request = self._request(message)
        for reopened in (False, True):
            conn, reused = self._connection()
            try:
                conn.send(request)
            except OSError:
                # Refused, unreachable, or a kept-alive socket already closed: the
                # request did not leave.
                self._drop()
                if reused and not reopened:
                    continue
                return None
            try:
                status, data, closes = conn.answer()
            except TimeoutError:
                self._drop()
                return SendResult(UNKNOWN, error="timed out after the request left")
            except (GatewayClosed, GatewayProtocolError, OSError) as exc:
                self._drop()
                if reused and not reopened and isinstance(exc, GatewayClosed):
                    continue
                return SendResult(UNKNOWN, error=f"ambiguous: {exc.__class__.__name__}")
            if closes:
                self._drop()
            if status >= 500:
                return SendResult(FAILED, error=f"gateway answered {status}")
            if status >= 400:
                return SendResult(
                    FAILED, error=f"gateway answered {status}", retryable=False
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
