import io
import json

import pytest

from messaging import sms
from tests.fakes.sms_gateway import RecordingGateway


def message(key="msg-1", to="+8613800138000"):
    return sms.SmsMessage(
        to=to, body="您的账户已逾期，请及时还款。", idempotency_key=key
    )


@pytest.fixture
def gateway():
    with RecordingGateway() as gw:
        yield gw


def test_http_backend_posts_json_with_the_idempotency_key(gateway):
    backend = sms.HttpGatewayBackend(url=gateway.url, token="t0k", timeout=2)
    result = backend.send(message())
    assert result.status == sms.SENT
    assert result.provider_message_id == "gw-1"
    [request] = gateway.state.requests
    assert request["key"] == "msg-1"
    assert request["body"]["to"] == "+8613800138000"
    assert request["body"]["body"].startswith("您的账户")


def test_http_backend_retries_a_5xx_and_the_key_keeps_it_single(gateway):
    gateway.state.script = [503, 502]
    result = sms.HttpGatewayBackend(url=gateway.url, timeout=2, retries=2).send(
        message()
    )
    assert result.status == sms.SENT
    assert len(gateway.state.requests) == 3
    assert list(gateway.state.delivered) == ["msg-1"]


def test_http_backend_gives_up_after_repeated_5xx_as_retryable_failure(gateway):
    gateway.state.script = [500, 500, 500]
    result = sms.HttpGatewayBackend(url=gateway.url, timeout=2, retries=2).send(
        message()
    )
    assert result.status == sms.FAILED
    assert result.retryable is True
    assert gateway.state.delivered == {}


def test_http_backend_does_not_retry_a_4xx(gateway):
    gateway.state.script = [422]
    result = sms.HttpGatewayBackend(url=gateway.url, timeout=2, retries=2).send(
        message()
    )
    assert result.status == sms.FAILED
    assert result.retryable is False
    assert len(gateway.state.requests) == 1


def test_http_backend_reports_a_timeout_after_sending_as_unknown(gateway):
    gateway.state.script = ["slow"]
    gateway.state.delay = 1.5
    result = sms.HttpGatewayBackend(url=gateway.url, timeout=0.3, retries=2).send(
        message()
    )
    assert result.status == sms.UNKNOWN
    # Never resent: the first request may have been delivered.
    assert len(gateway.state.requests) == 1


def test_http_backend_reports_a_dropped_connection_as_unknown(gateway):
    gateway.state.script = ["drop"]
    result = sms.HttpGatewayBackend(url=gateway.url, timeout=2, retries=2).send(
        message()
    )
    assert result.status == sms.UNKNOWN
    assert len(gateway.state.requests) == 1


def test_http_backend_to_a_closed_port_is_a_retryable_failure():
    with RecordingGateway() as gw:
        url = gw.url
    result = sms.HttpGatewayBackend(url=url, timeout=1, retries=1).send(message())
    assert result.status == sms.FAILED
    assert result.retryable is True


def test_locmem_backend_keeps_messages_in_the_outbox(settings):
    settings.SMS_BACKEND = "messaging.sms.LocmemBackend"
    sms.outbox.clear()
    sms.get_sms_backend().send_messages([message("a"), message("b")])
    assert [m.idempotency_key for m in sms.outbox] == ["a", "b"]


def test_file_backend_appends_json_lines(tmp_path):
    path = tmp_path / "sms.jsonl"
    backend = sms.FileBackend(file_path=str(path))
    backend.send(message("a"))
    backend.send(message("b"))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["idempotency_key"] for line in lines] == ["a", "b"]
    assert lines[0]["body"] == "您的账户已逾期，请及时还款。"


def test_console_backend_prints_the_message_with_the_number_masked():
    stream = io.StringIO()
    result = sms.ConsoleBackend(stream=stream).send(message())
    assert result.status == sms.SENT
    printed = stream.getvalue()
    assert "+86138****8000" in printed
    assert "+8613800138000" not in printed  # it lands in the worker's log


class _Scripted:
    """A one-connection HTTP server on 127.0.0.1 that answers each request with the
    next raw answer of `answers` (bytes), for the answer shapes the recording
    gateway does not give: chunked bodies, interim answers, Connection: close."""

    def __init__(self, answers: list[bytes]) -> None:
        import socket
        import threading

        self.answers, self.requests = list(answers), []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/send"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.answers:
            conn, _ = self.listener.accept()
            with conn, conn.makefile("rb") as reader:
                while self.answers:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = reader.readline()
                        if not line:
                            break
                        head += line
                    if not head:
                        break
                    length = int(head.lower().split(b"content-length:")[1].split()[0])
                    self.requests.append(head + reader.read(length))
                    answer = self.answers.pop(0)
                    conn.sendall(answer)
                    if b"connection: close" in answer.lower():
                        break

    def close(self) -> None:
        self.listener.close()


def test_http_backend_reads_chunked_interim_and_closing_answers():
    body = b'{"id": "gw-7"}'
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    )
    interim = b"HTTP/1.1 100 Continue\r\n\r\n" + (
        b'HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{"id": "gw-8"}'
    )
    closing = (
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 14\r\n\r\n"
        b'{"id": "gw-9"}'
    )
    server = _Scripted([chunked, interim, closing, closing])
    try:
        backend = sms.HttpGatewayBackend(url=server.url, token="t0k", timeout=2)
        results = [backend.send(message(f"msg-{n}")) for n in range(4)]
    finally:
        server.close()
    assert [r.provider_message_id for r in results] == ["gw-7", "gw-8", "gw-9", "gw-9"]
    first = server.requests[0]
    assert first.startswith(b"POST /send HTTP/1.1\r\n")
    assert b"\r\nIdempotency-Key: msg-0\r\n" in first
    assert b"\r\nAuthorization: Bearer t0k\r\n" in first
    assert json.loads(first.split(b"\r\n\r\n", 1)[1])["reference"] == "msg-0"
