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
    # Queue of behaviours for the next requests: an int status, "slow", or "drop".
    script: list = field(default_factory=list)
    delay: float = 0.0
    # Seconds every request takes, to keep a dispatcher busy while a test kills it.
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class RecordingGateway:
    def __init__(self) -> None:
        self.state = GatewayState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

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
                    self.send_response(behaviour)
                    self.end_headers()
                    self.wfile.write(b'{"error": "scripted"}')
                    return
                with state.lock:
                    first = key not in state.delivered
                    if first:
                        state.delivered[key] = body
                    msg_id = f"gw-{list(state.delivered).index(key) + 1}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(
                    json.dumps({"id": msg_id, "duplicate": not first}).encode()
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "RecordingGateway":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
