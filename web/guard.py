"""What every request meets before a route: the Host allowlist, the body size limit, per-client
throttling of the unauthenticated endpoints, and HSTS over HTTPS.

Pure ASGI middleware: a refused request is answered before its body is read, so a 400 MB
upload is not spooled to disk first.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.settings import Settings

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
UPLOAD_PATHS = ("/plans/new",)  # forms that carry a file: a .docx or text import
UPLOAD_SUFFIX = "/report"  # and a lead unit's report by its link (/tracking/{token}/report)
HSTS = "max-age=31536000; includeSubDomains"
Headers = list[tuple[bytes, bytes]]


def allowed_hosts(settings: Settings) -> set[str]:
    """Host names this app answers to: where it listens, where email links point, and any set
    in BANHANH_ALLOWED_HOSTS. A DNS-rebinding page reaches the app under its own name and is
    refused."""
    hosts = {h.strip().lower() for h in settings.allowed_hosts.split(",") if h.strip()}
    hosts.update(LOOPBACK_HOSTS)
    if settings.web_host not in ("0.0.0.0", "::", ""):
        hosts.add(settings.web_host.lower())
    public = urlsplit(settings.public_url).hostname
    if public:
        hosts.add(public.lower())
    return hosts


def _host_of(header: str) -> str:
    if header.startswith("["):  # [::1]:8000
        return header.split("]")[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass
class Window:
    """At most `limit` events per `seconds` for each key; `wait` says how long until the next."""

    limit: int
    seconds: float
    clock: Callable[[], float] = time.monotonic
    events: dict[str, deque[float]] = field(default_factory=dict)

    def wait(self, key: str) -> float:
        """Seconds to wait before `key` may act again; 0 records the event and lets it through."""
        now = self.clock()
        seen = self.events.setdefault(key, deque())
        while seen and seen[0] <= now - self.seconds:
            seen.popleft()
        if len(seen) >= self.limit:
            return seen[0] + self.seconds - now
        seen.append(now)
        if len(self.events) > 50_000:  # keys of idle clients are dropped rather than kept forever
            for stale in [k for k, v in self.events.items() if not v or v[-1] <= now - self.seconds]:
                del self.events[stale]
        return 0.0


def _throttle_bucket(method: str, path: str) -> str | None:
    if method == "POST" and path == "/login":
        return "login"
    if path.startswith(("/l/", "/ack/", "/tracking/", "/recall/")):
        return "link"
    return None


def _html(status: int, title: str, reason: str, headers: list[tuple[bytes, bytes]]) -> list[Message]:
    title, reason = escape(title), escape(reason)
    body = (
        f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="stylesheet" href="/static/app.css"><main><h1>{title}</h1><p>{reason}</p></main></html>'
    )
    data = body.encode("utf-8")
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(data)).encode()),
                *headers,
            ],
        },
        {"type": "http.response.body", "body": data},
    ]


class TooLarge(Exception):
    """The body grew past the limit while it was being read (no Content-Length given)."""


class RequestGuard:
    """The checks above, in front of the whole app."""

    def __init__(self, app: ASGIApp, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.hosts = allowed_hosts(settings)
        self.form_limit = settings.max_form_kb * 1024
        self.upload_limit = settings.max_upload_mb * 1024 * 1024
        self.https = settings.public_url.startswith("https://")
        self.windows = {
            "login": Window(settings.throttle_per_minute, 60.0, clock),
            "link": Window(settings.throttle_per_minute * 3, 60.0, clock),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        host = _host_of(headers.get(b"host", b"").decode("latin-1").strip().lower())
        if host not in self.hosts:
            await self._reply(send, 400, "Địa chỉ không hợp lệ", "Máy chủ không phục vụ tên miền này.")
            return
        bucket = _throttle_bucket(scope["method"], scope["path"])
        if bucket is not None:
            client = (scope.get("client") or ("?", 0))[0]
            wait = self.windows[bucket].wait(str(client))
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await self._reply(
                    send,
                    429,
                    "Quá nhiều yêu cầu",
                    f"Máy này đã gửi quá nhiều yêu cầu. Xin đợi {seconds} giây rồi thử lại.",
                    [(b"retry-after", str(seconds).encode())],
                )
                return
        path = scope["path"]
        uploads = path in UPLOAD_PATHS or (path.startswith("/tracking/") and path.endswith(UPLOAD_SUFFIX))
        limit = self.upload_limit if uploads else self.form_limit
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._reply(send, 413, "Dữ liệu gửi lên quá lớn", _too_large(limit))
            return
        received = 0
        over = False  # the body passed the limit: whatever the app answers becomes a 413
        replaced = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise TooLarge()
            return message

        async def guarded(message: Message) -> None:
            nonlocal replaced
            if over:
                if not replaced:
                    replaced = True
                    await self._reply(send, 413, "Dữ liệu gửi lên quá lớn", _too_large(limit))
                return
            if message["type"] == "http.response.start" and (self.https or scope.get("scheme") == "https"):
                hsts = (b"strict-transport-security", HSTS.encode())
                message["headers"] = [*message.get("headers", []), hsts]
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:  # TooLarge, possibly wrapped in an ExceptionGroup by a middleware
            if not over:
                raise
            if not replaced:
                await self._reply(send, 413, "Dữ liệu gửi lên quá lớn", _too_large(limit))

    async def _reply(
        self, send: Send, status: int, title: str, reason: str, headers: Headers | None = None
    ) -> None:
        for message in _html(status, title, reason, headers or []):
            await send(message)


def _too_large(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return f"Yêu cầu vượt quá giới hạn {size}."
