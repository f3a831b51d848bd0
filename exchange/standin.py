"""A stand-in document exchange endpoint: the tests (and a demo) run it on port 0, since the real
axes are not reachable here. It keeps packages and statuses in memory and checks each package
reads as one; it verifies no signature (the receivers do)."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from exchange import edxml, status
from models.errors import BanHanhError

MAX_BODY = 80 * 1024 * 1024


@dataclass
class Store:
    packages: dict[str, bytes] = field(default_factory=dict)  # message id → package, once
    addressed: list[tuple[str, str]] = field(default_factory=list)  # (receiver organ id, message id)
    statuses: list[tuple[str, bytes]] = field(default_factory=list)  # (answered organ id, status)
    posts: int = 0  # every package post, repeats included
    down: bool = False  # answer 503 to everything: an outage
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests read the store
        return

    def _reply(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY))

    def do_POST(self) -> None:
        store, path = self.server.store, urlparse(self.path).path
        body = self._body()
        if store.down:
            return self._reply(503, {"error": "down"})
        try:
            if path == "/packages":
                message_id = self.headers.get("Message-Id", "")
                if not message_id:
                    return self._reply(400, {"error": "Message-Id is required"})
                package = edxml.parse(body)
                with store.lock:
                    store.posts += 1
                    if message_id not in store.packages:  # the same message twice is kept once
                        store.packages[message_id] = body
                        store.addressed += [(r.organ_id, message_id) for r in package.receivers]
                return self._reply(200, {"id": message_id})
            if path == "/statuses":
                answer = status.parse(body)
                with store.lock:
                    store.statuses.append((answer.response_for_organ_id, body))
                    seq = len(store.statuses)
                return self._reply(200, {"seq": seq})
        except BanHanhError as error:
            return self._reply(400, {"error": error.code, "detail": error.reason})
        return self._reply(404, {"error": "not found"})

    def do_GET(self) -> None:
        store, url = self.server.store, urlparse(self.path)
        query = parse_qs(url.query)
        organ_id = (query.get("organ_id") or [""])[0]
        if store.down:
            return self._reply(503, {"error": "down"})
        with store.lock:
            if url.path == "/statuses":
                after = int((query.get("after") or ["0"])[0])
                rows = [
                    {"seq": seq, "status": base64.b64encode(xml).decode()}
                    for seq, (organ, xml) in enumerate(store.statuses, start=1)
                    if seq > after and organ == organ_id
                ]
                return self._reply(200, rows)
            if url.path == "/packages":
                rows = [
                    {"package": base64.b64encode(store.packages[m]).decode()}
                    for organ, m in store.addressed
                    if organ == organ_id
                ]
                return self._reply(200, rows)
        return self._reply(404, {"error": "not found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, store: Store) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.store = store


class StandIn:
    """`with StandIn() as endpoint:` … `endpoint.url`, `endpoint.store`."""

    def __init__(self) -> None:
        self.store = Store()
        self._server = _Server(self.store)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
