"""The local SMTP catcher: the embedded default relay, which keeps every message on disk.

Each message accepted by the catcher becomes one ``.eml`` file (the raw bytes as received)
in the mail directory, plus one JSON line in ``index.jsonl`` describing it. The directory is
the whole state: ``read_index`` works without a running server, so ``banhanh mail list``
still shows the messages after the demo has ended.

Run it standalone with ``python -m notifications.catcher --port 8025 --dir var/mail``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import fcntl
import json
import os
import re
import signal
import socket
import threading
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from aiosmtpd.controller import Controller

INDEX_NAME = "index.jsonl"
DEFAULT_HOST = "127.0.0.1"
_EML_NAME = re.compile(r"^[0-9A-Za-z_-]+\.eml$")
_MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a signed plan with its PDF and fonts fits easily


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _check_bindable(host: str, port: int) -> None:
    """Raise OSError now if ``host:port`` is taken (bound the way asyncio's server binds)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
        return "" if value is None else " ".join(str(value).split())
    except Exception:  # a malformed header must not lose the message
        return ""


def _plan_id(value: str) -> int | str | None:
    if not value:
        return None
    return int(value) if value.isdigit() else value


def describe(raw: bytes) -> dict[str, Any]:
    """What the index records about one raw message (headers decoded to Unicode)."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    attachments: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment" or (
            part.get_filename() and part.get_content_maintype() not in ("text", "multipart")
        ):
            attachments.append(part.get_filename() or "")
    return {
        "message_id": _header(msg, "Message-ID"),
        "subject": _header(msg, "Subject"),
        "from": _header(msg, "From"),
        "to": _header(msg, "To"),
        "date": _header(msg, "Date"),
        "plan_id": _plan_id(_header(msg, "X-BanHanh-Plan")),
        "event": _header(msg, "X-BanHanh-Event") or None,
        "attachments": attachments,
    }


def _describe_safely(raw: bytes) -> dict[str, Any]:
    try:
        return describe(raw)
    except Exception as exc:  # keep the message even if it cannot be parsed
        return {
            "message_id": "",
            "subject": "",
            "from": "",
            "to": "",
            "date": "",
            "plan_id": None,
            "event": None,
            "attachments": [],
            "parse_error": str(exc),
        }


class MailStore:
    """The on-disk mailbox: ``<dir>/*.eml`` and ``<dir>/index.jsonl``.

    Safe for concurrent deliveries: every message gets a unique file name, the ``.eml`` file
    is written to a temporary name and renamed into place, and the index line is appended
    under a thread lock and an exclusive ``flock`` (so two processes sharing a directory do
    not interleave lines either), with a single ``write`` call.
    """

    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = Path(mail_dir)
        self._lock = threading.Lock()

    @property
    def index_path(self) -> Path:
        return self.mail_dir / INDEX_NAME

    def save(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> dict[str, Any]:
        """Keep one message; return its index entry."""
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        name = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:12]}.eml"
        tmp = self.mail_dir / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, self.mail_dir / name)
        entry: dict[str, Any] = {
            "received_at": now.isoformat(),
            "mail_from": mail_from,
            "rcpt_tos": list(rcpt_tos),
            **_describe_safely(raw),
            "size": len(raw),
            "eml": name,
        }
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            fd = os.open(self.index_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    os.write(fd, line)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        return entry


def read_index(mail_dir: Path) -> list[dict[str, Any]]:
    """Every kept message, oldest first; no server needed. A torn last line is skipped."""
    path = Path(mail_dir) / INDEX_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    entries: list[dict[str, Any]] = []
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def eml_path(mail_dir: Path, name: str) -> Path:
    """The file of one kept message, refusing anything that is not a plain ``.eml`` name."""
    if not _EML_NAME.match(name):
        raise ValueError(f"not a message file name: {name!r}")
    return Path(mail_dir) / name


def load_message(mail_dir: Path, name: str) -> EmailMessage:
    """Parse one kept message (``name`` is the index entry's ``eml``)."""
    raw = eml_path(mail_dir, name).read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


class CatcherHandler:
    """aiosmtpd handler: accept every message and keep it in a ``MailStore``."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = content if isinstance(content, bytes) else str(content).encode("utf-8", "surrogateescape")
        # The file writes run in a worker thread so concurrent sessions keep flowing; the
        # reply is sent only once the message is on disk.
        entry = await asyncio.to_thread(
            self.store.save, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
        )
        return f"250 OK kept as {entry['eml']}"


class MailCatcher:
    """A local SMTP server (aiosmtpd) on ``hostname:port`` that keeps every message in ``mail_dir``.

    ``port=0`` picks a free port; the actual one is ``.port`` once started.
    """

    def __init__(self, mail_dir: Path, port: int = 0, *, hostname: str = DEFAULT_HOST) -> None:
        self.mail_dir = Path(mail_dir)
        self.hostname = hostname
        self.requested_port = port
        self.port = port
        self.store = MailStore(self.mail_dir)
        self.handler = CatcherHandler(self.store)
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def _controller_for(self, port: int) -> Controller:
        return Controller(
            self.handler,
            hostname=self.hostname,
            port=port,
            server_hostname="localhost",  # skips a slow getfqdn() lookup
            data_size_limit=_MAX_MESSAGE_BYTES,
            ready_timeout=10.0,
        )

    def start(self) -> MailCatcher:
        if self._controller is not None:
            raise RuntimeError("the mail catcher is already running")
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        attempts = 5 if self.requested_port == 0 else 1
        for attempt in range(attempts):
            port = self.requested_port or free_port(self.hostname)
            controller = self._controller_for(port)
            try:
                _check_bindable(self.hostname, port)  # aiosmtpd would only time out
                controller.start()
            except OSError as exc:
                _discard(controller)
                if attempt + 1 < attempts:  # the picked port was taken meanwhile: pick another
                    continue
                raise OSError(
                    exc.errno, f"the mail catcher cannot listen on {self.hostname}:{port}: {exc}"
                ) from exc
            except BaseException:
                _discard(controller)
                raise
            self._controller = controller
            self.port = port
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def messages(self) -> list[dict[str, Any]]:
        return read_index(self.mail_dir)


def _discard(controller: Controller) -> None:
    """Clean up after a failed start (aiosmtpd leaves its thread handle and loop behind)."""
    thread = getattr(controller, "_thread", None)
    if thread is not None and thread.is_alive():
        with contextlib.suppress(Exception):
            controller.stop(no_assert=True)
    elif thread is not None:
        controller._thread = None
    with contextlib.suppress(Exception):
        if not controller.loop.is_running() and not controller.loop.is_closed():
            controller.loop.close()


def main(argv: list[str] | None = None) -> int:
    try:
        from models.settings import Settings

        settings: Settings | None = Settings(**{})  # env and var/local.env
    except Exception:  # the catcher also runs without a readable settings file
        settings = None
    parser = argparse.ArgumentParser(
        prog="python -m notifications.catcher",
        description="Local SMTP catcher: keeps every message as .eml plus index.jsonl.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port",
        type=int,
        default=settings.smtp_port if settings else 8025,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=settings.mail_dir if settings else Path("var/mail"),
        help="where messages are kept (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    catcher = MailCatcher(args.dir, args.port, hostname=args.host)
    try:
        catcher.start()
    except OSError as exc:
        print(exc, flush=True)
        return 1
    try:
        print(
            f"mail catcher listening on {catcher.hostname}:{catcher.port}, keeping messages in {args.dir}",
            flush=True,
        )
        while not stop.wait(1.0):
            pass
    finally:
        catcher.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("mail catcher stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
