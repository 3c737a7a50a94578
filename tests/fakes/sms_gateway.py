"""A recording SMS gateway on 127.0.0.1 for tests: the sending is real, only the
far end is ours. It deduplicates on Idempotency-Key like a well-behaved provider and
can be told to fail, to answer slowly, or to drop the connection."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class GatewayState:
    requests: list[dict] = field(default_factory=list)
    delivered: dict[str, dict] = field(default_factory=dict)
    # The gateway's id of each delivered key ("gw-1", "gw-2", ... in delivery order).
    ids: dict[str, str] = field(default_factory=dict)
    # Queue of behaviours for the next requests: an int status, "slow", or "drop".
    script: list = field(default_factory=list)
    delay: float = 0.0
    # Seconds every request takes, to keep a dispatcher busy while a test kills it.
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class RecordingGateway:
    def __init__(self, port: int = 0) -> None:
        self.state = GatewayState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as real gateways do; every answer carries Content-Length.
            protocol_version = "HTTP/1.1"
            # Headers and body leave in separate writes; without this, Nagle and
            # delayed ACKs add 40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                # /stats: what a benchmark in another process reads back.
                with state.lock:
                    stats = {
                        "requests": len(state.requests),
                        "delivered": len(state.delivered),
                    }
                self._answer(200, json.dumps(stats).encode())

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                with state.lock:
                    state.requests.append({"key": key, "body": body})
                    behaviour = state.script.pop(0) if state.script else 200
                if state.latency:
                    time.sleep(state.latency)
                if behaviour == "slow":
                    time.sleep(state.delay or 2)
                    behaviour = 200
                if behaviour == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if behaviour != 200:
                    self._answer(behaviour, b'{"error": "scripted"}')
                    return
                with state.lock:
                    first = key not in state.delivered
                    if first:
                        state.delivered[key] = body
                        # Looked up, not searched for: list(delivered).index(key)
                        # made each answer cost O(messages so far), 20,000 in a bench.
                        state.ids[key] = f"gw-{len(state.delivered)}"
                    msg_id = state.ids[key]
                self._answer(
                    200, json.dumps({"id": msg_id, "duplicate": not first}).encode()
                )

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "RecordingGateway":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    # A gateway in its own process, for benchmarks: prints its URL, serves until killed.
    import sys

    with RecordingGateway(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as gw:
        print(gw.url, flush=True)
        gw.thread.join()
