"""A real SMTP server that misbehaves on purpose, for the fault-injection tests.

It is a small raw asyncio server (not aiosmtpd) because the tests need to cut the
connection at exact points of the conversation, and in particular to keep a message
*and then* drop the connection without the 250 reply ever reaching the socket: aiosmtpd
always writes the reply its ``handle_DATA`` hook returns. Here every drop is an
``abort()`` of the transport at a known line of the protocol code.

The script, per recipient address (each fault fires once per address, except ``refuse``):

- ``tempfail(addr)``: about 30% of the addresses, chosen by a hash of the address, get a
  451 the first time: half of them at RCPT, the other half after the body was sent (the
  message is then *not* kept: a 451 to the final dot means "not accepted");
- ``refuse``: 550 at RCPT, every time;
- ``drop_at_rcpt`` / ``drop_at_data``: the connection is cut when the RCPT or the DATA
  command arrives, before the message body;
- ``drop_after_body``: the whole body arrives and the server keeps the message, then
  cuts the connection before sending the 250 reply: the one window where the client
  cannot know, and a second copy is legitimate;
- ``stall_after_body``: the server keeps the message and never replies; the client times
  out and hangs up (the same window, reached by a timeout);
- ``drop_between``: the 250 is sent, then the server cuts the connection when the next
  MAIL arrives on it (a pooled connection that dies between two messages);
- ``close_after_reply``: the 250 is sent and the server closes the connection at once;
- ``defer``: 451 at RCPT, every time (a mailbox that stays full);
- ``data_delay``: seconds the server takes over every message before its reply (a slow
  relay); ``on_kept``, if set, is called for every kept message (a test moves its clock).

``go_down()`` stops the relay as a crash would: the port refuses connections and every open
connection is cut; ``come_back()`` listens on the same port again.

Every kept message is recorded as a ``Received`` (recipient, Message-ID, event, whether
its reply was dropped), including those kept before a dropped reply.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

TEMPFAIL_PERCENT = 30


def bucket(address: str) -> int:
    """A stable number in 0..99 for ``address`` (the same in every run and on every machine)."""
    return int(hashlib.sha256(f"451:{address.lower()}".encode()).hexdigest(), 16) % 100


def tempfail_at_rcpt(address: str) -> bool:
    return bucket(address) < TEMPFAIL_PERCENT // 2


def tempfail_after_body(address: str) -> bool:
    return TEMPFAIL_PERCENT // 2 <= bucket(address) < TEMPFAIL_PERCENT


def tempfails(address: str) -> bool:
    """Whether ``address`` gets one 451 before it is accepted."""
    return bucket(address) < TEMPFAIL_PERCENT


@dataclass(frozen=True)
class Received:
    rcpt: str
    message_id: str
    event: str
    reply_dropped: bool


@dataclass
class Script:
    refuse: set[str] = field(default_factory=set)
    drop_at_rcpt: set[str] = field(default_factory=set)
    drop_at_data: set[str] = field(default_factory=set)
    drop_after_body: set[str] = field(default_factory=set)
    stall_after_body: set[str] = field(default_factory=set)
    drop_between: set[str] = field(default_factory=set)
    close_after_reply: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    tempfail: bool = True
    data_delay: float = 0.0

    def addresses(self) -> set[str]:
        return (
            self.refuse
            | self.drop_at_rcpt
            | self.drop_at_data
            | self.drop_after_body
            | self.stall_after_body
            | self.drop_between
            | self.close_after_reply
        )


class _Dropped(Exception):
    """The server cut this connection on purpose."""


class FaultySmtp:
    """The misbehaving server on 127.0.0.1, port chosen by the OS; runs in its own thread."""

    def __init__(self, script: Script, hostname: str = "127.0.0.1") -> None:
        self.script = script
        self.hostname = hostname
        self.port = 0
        self.received: list[Received] = []
        self.faults: dict[str, list[str]] = {}  # fault name -> addresses, in the order they fired
        self.connections = 0
        self.on_kept: Callable[[], None] | None = None
        self._fired: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.down = False

    # -- an outage -----------------------------------------------------------------

    def go_down(self) -> None:
        """Refuse connections and cut the open ones (from the server's thread, e.g. ``on_kept``, or any)."""
        self.down = True

        def cut() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()

        self._in_loop(cut)

    def come_back(self) -> None:
        """Listen on the same port again."""
        assert self._loop is not None
        self.down = False

        async def listen() -> None:
            self._server = await asyncio.start_server(self._session, self.hostname, self.port, limit=1 << 20)

        asyncio.run_coroutine_threadsafe(listen(), self._loop).result(10)

    def _in_loop(self, action: Callable[[], None]) -> None:
        assert self._loop is not None
        if self._thread is threading.current_thread():
            self._loop.call_soon(action)  # after the reply being written now
            return
        done = threading.Event()

        def run() -> None:
            try:
                action()
            finally:
                done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(10)

    # -- the script ----------------------------------------------------------------

    def _once(self, fault: str, addresses: Iterable[str]) -> str | None:
        """The first address among ``addresses`` this fault has not fired for yet (and fire it)."""
        with self._lock:
            for address in addresses:
                if (fault, address) not in self._fired:
                    self._fired.add((fault, address))
                    self.faults.setdefault(fault, []).append(address)
                    return address
        return None

    def _count(self, fault: str, address: str) -> None:
        with self._lock:
            self.faults.setdefault(fault, []).append(address)

    def _keep(self, rcpts: list[str], raw: bytes, reply_dropped: bool) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        message_id = " ".join(str(msg.get("Message-ID", "")).split())
        event = str(msg.get("X-BanHanh-Event", ""))
        with self._lock:
            self.received += [Received(r, message_id, event, reply_dropped) for r in rcpts]
        if self.on_kept is not None:
            self.on_kept()

    def copies(self, event: str = "distributed") -> dict[str, list[Received]]:
        """Every kept copy of ``event`` emails, by recipient."""
        out: dict[str, list[Received]] = {}
        with self._lock:
            for r in self.received:
                if r.event == event:
                    out.setdefault(r.rcpt, []).append(r)
        return out

    # -- the protocol --------------------------------------------------------------

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:  # accepted just before the port closed
            writer.transport.abort()
            return
        with self._lock:
            self.connections += 1
        self._writers.add(writer)
        mail_from: str | None = None
        rcpts: list[str] = []
        drop_next_mail = False

        async def reply(line: str) -> None:
            writer.write(line.encode("ascii") + b"\r\n")
            await writer.drain()

        def drop() -> None:
            writer.transport.abort()  # nothing buffered reaches the client
            raise _Dropped

        try:
            await reply("220 faulty.example ESMTP")
            while True:
                line = await reader.readline()
                if not line:
                    return
                verb, _, arg = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
                verb = verb.upper()
                if verb in ("EHLO", "HELO"):
                    mail_from, rcpts = None, []
                    if verb == "HELO":
                        await reply("250 faulty.example")
                    else:
                        await reply("250-faulty.example\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP")
                elif verb == "MAIL":
                    if drop_next_mail:
                        drop()
                    mail_from, rcpts = _address(arg), []
                    await reply("250 2.1.0 OK")
                elif verb == "RCPT":
                    address = _address(arg)
                    if mail_from is None:
                        await reply("503 5.5.1 MAIL first")
                    elif address in self.script.defer:
                        self._count("defer", address)
                        await reply("451 4.2.2 Mailbox full, try again later")
                    elif address in self.script.refuse:
                        self._count("refuse", address)
                        await reply("550 5.1.1 No such user here")
                    elif address in self.script.drop_at_rcpt and self._once("drop_at_rcpt", [address]):
                        drop()
                    elif (
                        self.script.tempfail
                        and tempfail_at_rcpt(address)
                        and self._once("tempfail_at_rcpt", [address])
                    ):
                        await reply("451 4.3.0 Mailbox busy, try again later")
                    else:
                        rcpts.append(address)
                        await reply("250 2.1.5 OK")
                elif verb == "DATA":
                    if not rcpts:
                        await reply("503 5.5.1 RCPT first")
                        continue
                    if self._once("drop_at_data", [r for r in rcpts if r in self.script.drop_at_data]):
                        drop()
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    raw = await _body(reader)
                    if raw is None:  # the client went away mid-body: nothing kept
                        return
                    if self.script.data_delay:
                        await asyncio.sleep(self.script.data_delay)
                    if self.script.tempfail and self._once(
                        "tempfail_after_body", [r for r in rcpts if tempfail_after_body(r)]
                    ):
                        await reply("451 4.3.0 Queue full, message not kept; try again later")
                    elif self._once(
                        "drop_after_body", [r for r in rcpts if r in self.script.drop_after_body]
                    ):
                        self._keep(rcpts, raw, reply_dropped=True)
                        drop()
                    elif self._once(
                        "stall_after_body", [r for r in rcpts if r in self.script.stall_after_body]
                    ):
                        self._keep(rcpts, raw, reply_dropped=True)
                        await reader.read()  # no reply: wait for the client to give up and hang up
                        drop()
                    else:
                        self._keep(rcpts, raw, reply_dropped=False)
                        await reply("250 2.0.0 OK kept")
                        if self._once(
                            "close_after_reply", [r for r in rcpts if r in self.script.close_after_reply]
                        ):
                            writer.close()
                            return
                        if self._once("drop_between", [r for r in rcpts if r in self.script.drop_between]):
                            drop_next_mail = True
                    mail_from, rcpts = None, []
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    await reply("250 2.0.0 OK")
                elif verb == "NOOP":
                    await reply("250 2.0.0 OK")
                elif verb == "QUIT":
                    await reply("221 2.0.0 Bye")
                    writer.close()
                    return
                else:
                    await reply("502 5.5.2 Command not implemented")
        except (_Dropped, ConnectionError):
            return
        finally:
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.transport.abort()

    # -- running -------------------------------------------------------------------

    def _run(self, ready: threading.Event, errors: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._session, self.hostname, 0, limit=1 << 20)
            )
            self.port = int(self._server.sockets[0].getsockname()[1])
        except BaseException as exc:
            errors.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

    def start(self) -> FaultySmtp:
        ready, errors = threading.Event(), []  # type: ignore[var-annotated]
        self._thread = threading.Thread(target=self._run, args=(ready, errors), daemon=True)
        self._thread.start()
        if not ready.wait(10) or errors:
            raise RuntimeError(f"the faulty SMTP server did not start: {errors}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None

    def __enter__(self) -> FaultySmtp:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _address(arg: str) -> str:
    """The address in ``FROM:<a@b> SIZE=…`` or ``TO:<a@b>``."""
    start, end = arg.find("<"), arg.find(">")
    if start >= 0 and end > start:
        return arg[start + 1 : end].strip().lower()
    return arg.partition(":")[2].split(" ")[0].strip().lower()


async def _body(reader: asyncio.StreamReader) -> bytes | None:
    """Read a DATA body up to the lone dot; undo dot-stuffing. None if the client went away."""
    lines: list[bytes] = []
    while True:
        line = await reader.readline()
        if not line.endswith(b"\n"):
            return None
        if line in (b".\r\n", b".\n"):
            return b"".join(lines)
        lines.append(line[1:] if line.startswith(b".") else line)
