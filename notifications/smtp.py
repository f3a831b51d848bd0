"""A small pool of SMTP connections to the relay (aiosmtplib), with failures classified.

``SmtpPool.send`` returns the relay's reply to DATA (what the delivery record keeps) or
raises one of two exceptions the dispatcher acts on:

- ``TemporaryFailure``: try again later (4xx replies about the message, a connection
  dropped or timed out once the relay had answered for the message);
- ``RelayUnavailable`` (a ``TemporaryFailure``): the relay itself cannot be used: connection
  refused, DNS, TLS, greeting or login failures, a 421 "service not available", a connection
  lost or timed out before the relay answered for this message. It says nothing about the
  message: the sender pauses, probes the relay (``SmtpPool.probe``) and charges the message
  no attempt;
- ``PermanentFailure``: retrying cannot help (5xx replies to MAIL, RCPT or DATA, such as
  "550 no such user", an address that cannot be sent).

SMTP has one window that no client can close: the relay has kept the message but its
reply has not been recorded yet (the reply is lost with the connection, or the sender
dies). ``send(msg, accepted=record)`` keeps that window to *one message per machine*: the
final dot of DATA waits for the turn (``notifications.turns``: the pool's, and the machine's
across the dispatcher and every flow run), and the turn is held until ``record`` has stored
the reply, so a crash of the whole engine leaves at most one kept-but-unrecorded message
to be sent again. Connecting, MAIL, RCPT and the body transfer still run on every
connection at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import aiosmtplib
from aiosmtplib import (
    SMTPDataError,
    SMTPException,
    SMTPHeloError,
    SMTPNotSupported,
    SMTPRecipientRefused,
    SMTPRecipientsRefused,
    SMTPResponse,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
    SMTPStatus,
    SMTPTimeoutError,
)
from aiosmtplib.email import quote_address

from models.settings import Settings
from notifications.ratelimit import TokenBucket
from notifications.turns import Baton, MachineTurn, Turn

MACHINE_TURN_FILE = "sending.lock"  # in the data directory: shared by every sender of the machine


class SendFailure(Exception):
    """An email was not accepted by the relay; ``reason`` says why, ``code`` is the SMTP reply code."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TemporaryFailure(SendFailure):
    """Worth retrying later."""


class PermanentFailure(SendFailure):
    """Retrying the same email cannot succeed."""


class RelayUnavailable(TemporaryFailure):
    """The relay cannot be reached or used at all: not the message's fault, not one of its attempts."""


SERVICE_NOT_AVAILABLE = 421  # "closing transmission channel": about the relay, never one message


def _unavailable(where: str, exc: BaseException) -> RelayUnavailable:
    failure = classify(exc)
    return RelayUnavailable(f"cannot use the SMTP relay {where}: {failure.reason}", failure.code)


def _by_code(code: int, reason: str) -> SendFailure:
    if 500 <= code < 600:
        return PermanentFailure(reason, code)
    return TemporaryFailure(reason, code)


def classify(exc: BaseException) -> SendFailure:
    """Map an aiosmtplib (or socket) error raised while sending to a temporary or permanent failure."""
    if isinstance(exc, SendFailure):
        return exc
    if isinstance(exc, SMTPRecipientsRefused):
        refusals = exc.recipients
        reason = "recipient refused: " + "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refusals)
        codes = [r.code for r in refusals]
        if codes and all(500 <= c < 600 for c in codes):
            return PermanentFailure(reason, codes[0])
        temporary = [c for c in codes if not 500 <= c < 600]
        return TemporaryFailure(reason, temporary[0] if temporary else None)
    if isinstance(exc, SMTPResponseException):
        what = {
            "SMTPSenderRefused": "sender refused",
            "SMTPRecipientRefused": "recipient refused",
            "SMTPDataError": "message refused",
        }.get(type(exc).__name__, "relay replied")
        return _by_code(exc.code, f"{what}: {exc.code} {exc.message}")
    if isinstance(exc, SMTPNotSupported):
        return PermanentFailure(f"relay cannot carry this message: {exc}")
    if isinstance(exc, SMTPTimeoutError | TimeoutError):
        return TemporaryFailure(f"timed out talking to the relay: {exc or type(exc).__name__}")
    if isinstance(exc, SMTPServerDisconnected):
        return TemporaryFailure(f"relay disconnected: {exc}")
    if isinstance(exc, ConnectionError | OSError):
        return TemporaryFailure(f"connection to the relay failed: {exc}")
    if isinstance(exc, ValueError):  # aiosmtplib refuses addresses it cannot send safely
        return PermanentFailure(f"cannot send this message: {exc}")
    if isinstance(exc, SMTPException):
        return TemporaryFailure(f"SMTP error: {exc}")
    return TemporaryFailure(f"unexpected error while sending: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class Outgoing:
    """An email ready for the relay: envelope sender, recipients and the bytes of the message."""

    sender: str
    recipients: list[str]
    data: bytes
    smtp_ready: bool = False  # CRLF line endings, no line starting with a dot: DATA carries it as is


def envelope(msg: EmailMessage) -> tuple[str, list[str]]:
    """(sender, recipients) from From and To/Cc. Bcc is never read: only what we addressed counts."""
    sender_header = msg["From"]
    senders = list(getattr(sender_header, "addresses", ()))
    if not senders:
        raise PermanentFailure("message has no From address")
    recipients: list[str] = []
    for name in ("To", "Cc"):
        header = msg[name]
        for address in getattr(header, "addresses", ()) if header is not None else ():
            if address.addr_spec and address.addr_spec not in recipients:
                recipients.append(address.addr_spec)
    if not recipients:
        raise PermanentFailure("message has no recipient address")
    return senders[0].addr_spec, recipients


_LINE_ENDINGS = re.compile(rb"(?:\r\n|\n|\r(?!\n))")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _smtp_body(raw: bytes) -> bytes:
    """The message as DATA carries it: CRLF line endings, leading dots doubled, a final CRLF.

    Messages that are already so (``messages.compose`` writes them that way) skip the two
    regular expressions, which cost more than the rest of the send for a message with a PDF.
    """
    crlf = raw.count(b"\r\n")
    if raw.count(b"\n") == crlf == raw.count(b"\r") and b"\n." not in raw and not raw.startswith(b"."):
        body = raw
    else:
        body = _LEADING_DOT.sub(b"..", _LINE_ENDINGS.sub(b"\r\n", raw))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


class _Connection(aiosmtplib.SMTP):
    """An aiosmtplib client that, when given a turn, takes it before the relay can keep a message.

    The relay keeps a message when it reads the final ``.`` line. With a turn, DATA and the
    body go out at once (other connections of the pool keep transferring theirs) and only
    the final dot waits for the turn. This is aiosmtplib's own DATA exchange
    (``SMTPProtocol.execute_data_command``) split in two; should a future aiosmtplib lack
    the pieces it uses, the turn is taken before the whole DATA command instead.
    """

    turn: Turn | None = None
    answered = False  # the relay has replied to MAIL for the message being sent

    async def mail(self, sender: str, /, *args: Any, **kwargs: Any) -> SMTPResponse:
        response = await super().mail(sender, *args, **kwargs)
        self.answered = True
        return response

    async def transfer(self, msg: Outgoing) -> tuple[dict[str, SMTPResponse], str]:
        """``sendmail`` for an ``Outgoing``: MAIL, RCPT and DATA, replies and errors as aiosmtplib's.

        The envelope addresses are checked once by a pattern instead of the email package's
        parser, and a message that is already as DATA carries it (``Outgoing.smtp_ready``)
        is not scanned again: for a copy with its PDF both cost more than sending it.
        """
        body = msg.data if msg.smtp_ready else _smtp_body(msg.data)
        if self.is_ehlo_or_helo_needed:  # connect() greets only for STARTTLS or a login
            try:
                await self.ehlo()
            except SMTPHeloError:
                if not self.is_connected:
                    raise
                await self.helo()
        utf8 = not all(a.isascii() for a in (msg.sender, *msg.recipients))
        if utf8 and not self.supports_extension("smtputf8"):
            raise SMTPNotSupported("SMTPUTF8 is not supported by this server")
        encoding = "utf-8" if utf8 else "ascii"
        options = [b"SMTPUTF8"] if utf8 else []
        if self.supports_extension("size"):
            options.insert(0, b"SIZE=%d" % len(body))
        refused: list[SMTPRecipientRefused] = []
        try:
            reply = await self.execute_command(b"MAIL", b"FROM:" + _quoted(msg.sender, encoding), *options)
            self.answered = True
            if reply.code != SMTPStatus.completed:
                raise SMTPSenderRefused(reply.code, reply.message, msg.sender)
            for rcpt in msg.recipients:
                reply = await self.execute_command(b"RCPT", b"TO:" + _quoted(rcpt, encoding))
                if reply.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
                    refused.append(SMTPRecipientRefused(reply.code, reply.message, rcpt))
            if len(refused) == len(msg.recipients):
                raise SMTPRecipientsRefused(refused)
            reply = await self._data(msg.data, body)
        except (SMTPResponseException, SMTPRecipientsRefused):
            with contextlib.suppress(ConnectionError, SMTPResponseException):
                await self.rset()  # as aiosmtplib does: the connection stays usable
            raise
        return {r.recipient: SMTPResponse(r.code, r.message) for r in refused}, reply.message

    async def data(self, message: str | bytes, /, **kwargs: Any) -> SMTPResponse:
        if self.turn is None:
            return await super().data(message, **kwargs)
        raw = message.encode("ascii") if isinstance(message, str) else message
        return await self._data(raw, _smtp_body(raw))

    async def _data(self, raw: bytes, body: bytes) -> SMTPResponse:
        """DATA: ``raw`` as written, ``body`` as on the wire (``_smtp_body``); the final dot on the turn."""
        turn, protocol = self.turn, self.protocol
        lock = getattr(protocol, "_command_lock", None)
        if (
            turn is None
            or protocol is None
            or not isinstance(lock, asyncio.Lock)
            or not hasattr(protocol, "_response_pending")
        ):
            if turn is not None:
                await turn.take()
            return await super().data(raw)
        timeout = self.timeout
        try:
            async with lock:
                protocol._response_pending = True
                protocol.write(b"DATA\r\n")
                start = await protocol.read_response(timeout=timeout)
                if start.code != SMTPStatus.start_input:
                    raise SMTPDataError(start.code, start.message)
                protocol.write(body)

                def final_dot() -> None:  # from here on, the relay may keep this message
                    protocol._response_pending = True
                    protocol.write(b".\r\n")

                await turn.take(final_dot)
                response = await protocol.read_response(timeout=timeout)
                if response.code != SMTPStatus.completed:
                    raise SMTPDataError(response.code, response.message)
                return response
        except (SMTPServerDisconnected, SMTPTimeoutError):
            self.close()
            raise


_SIMPLE_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[A-Za-z0-9.-]+")


def _quoted(address: str, encoding: str) -> bytes:
    """``<address>`` for MAIL or RCPT; anything but a plain address goes through aiosmtplib's check."""
    if _SIMPLE_ADDRESS.fullmatch(address) is None:
        return quote_address(address).encode(encoding)
    return f"<{address}>".encode(encoding)


class SmtpPool:
    """Up to ``settings.smtp_pool_size`` open connections to the relay, shared by concurrent sends.

    Connections are opened lazily and kept for the next message. A pooled connection the
    relay has dropped meanwhile (idle timeout) is reopened once within the same ``send``.
    Sends given an ``accepted`` callback take turns for the end of DATA (see the module
    docstring).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.size = max(1, settings.smtp_pool_size)
        self._slots = asyncio.Semaphore(self.size)
        self._turn = Baton(MachineTurn(settings.data_dir / MACHINE_TURN_FILE))
        self._idle: list[_Connection] = []
        self._closed = False
        self._failures = 0  # connections the relay refused so far
        self._unavailable: RelayUnavailable | None = None
        # One bucket for the whole pool: the relay's limit counts messages, not connections.
        self._rate = TokenBucket(settings.smtp_rate_limit) if settings.smtp_rate_limit > 0 else None

    # -- connections -----------------------------------------------------------------

    def _client(self) -> _Connection:
        s = self.settings
        return _Connection(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls,
            start_tls=bool(s.smtp_starttls) and not s.smtp_tls,
            username=s.smtp_username or None,
            password=(s.smtp_password if s.smtp_username else None),
            timeout=s.smtp_timeout,
        )

    @property
    def where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    async def _open(self) -> _Connection:
        client = self._client()
        try:
            await client.connect()
        except (SMTPException, OSError) as exc:  # timeouts included
            client.close()
            # Whatever the code, a relay we cannot connect or log in to says nothing about
            # this message: it costs the message no attempt. Sends already waiting for a
            # connection fail with it instead of each trying the relay again.
            self._unavailable = _unavailable(self.where, exc)
            self._failures += 1
            raise self._unavailable from exc
        except BaseException:
            client.close()
            raise
        return client

    async def probe(self) -> None:
        """Open one connection to the relay (kept for the next send); ``RelayUnavailable`` if it cannot."""
        if self._closed:
            raise RuntimeError("the SMTP pool is closed")
        async with self._slots:
            client = await self._open()
            self._release(client)

    def _release(self, client: _Connection | None) -> None:
        if client is None:
            return
        client.turn = None
        client.answered = False
        if self._closed or not client.is_connected:
            client.close()
        else:
            self._idle.append(client)

    # -- sending ---------------------------------------------------------------------

    async def send(
        self, msg: EmailMessage | Outgoing, *, accepted: Callable[[str], Awaitable[None]] | None = None
    ) -> str:
        """Send one message; return the relay's reply to DATA, e.g. ``"250 OK kept as …"``.

        ``accepted``, when given, is awaited with that reply before ``send`` returns, while no
        other message of this pool can send its final dot: it should record the outcome
        durably. It is not called when the relay did not accept the message; its own errors
        propagate unchanged (they are not SMTP failures).
        """
        if self._closed:
            raise RuntimeError("the SMTP pool is closed")
        sender, recipients = (msg.sender, msg.recipients) if isinstance(msg, Outgoing) else envelope(msg)
        turn = Turn(self._turn) if accepted is not None else None
        failures = self._failures
        async with self._slots:
            if self._failures != failures and self._unavailable is not None:
                raise self._unavailable  # the relay refused a connection while this send waited
            if self._rate is not None:
                await self._rate.wait()
            client: _Connection | None = self._idle.pop() if self._idle else None
            reused = client is not None
            try:
                for _ in range(2):
                    if client is None or not client.is_connected:
                        if client is not None:
                            client.close()
                        client = await self._open()
                        reused = False
                    client.turn = turn
                    client.answered = False
                    try:
                        try:
                            if isinstance(msg, Outgoing):
                                errors, reply = await client.transfer(msg)
                            else:
                                errors, reply = await client.send_message(
                                    msg, sender=sender, recipients=recipients
                                )
                        except BaseException:
                            if turn is not None:  # not accepted: nothing to record, the next may go
                                turn.give_back()
                            raise
                    except (SMTPServerDisconnected, ConnectionError) as exc:
                        answered = client.answered
                        client.close()
                        client = None
                        if reused:  # a pooled connection went stale: reconnect once
                            reused = False
                            continue
                        raise (classify(exc) if answered else _unavailable(self.where, exc)) from exc
                    except (SMTPResponseException, SMTPRecipientsRefused) as exc:
                        # aiosmtplib has reset the envelope (RSET): the connection stays usable.
                        code = getattr(exc, "code", None)
                        if isinstance(exc, SMTPHeloError) or code == SERVICE_NOT_AVAILABLE:
                            client.close()
                            client = None
                            raise _unavailable(self.where, exc) from exc  # the relay, not the message
                        raise classify(exc) from exc
                    except (SMTPException, OSError, ValueError) as exc:  # timeouts included
                        answered = client.answered
                        client.close()
                        client = None
                        if not answered and isinstance(exc, SMTPTimeoutError | OSError):
                            raise _unavailable(self.where, exc) from exc  # silent before any reply
                        raise classify(exc) from exc
                    except BaseException:  # cancelled mid-conversation: the connection is not clean
                        client.close()
                        client = None
                        raise
                    text = f"250 {reply}".strip()
                    if errors:  # accepted for some recipients only: report the others
                        refused = "; ".join(f"{rcpt}: {r.code} {r.message}" for rcpt, r in errors.items())
                        text += f" (refused: {refused})"
                    if accepted is not None:  # still holding the turn: recorded before the next dot
                        await accepted(text)
                    return text
                raise AssertionError("unreachable")
            finally:
                if turn is not None:
                    turn.give_back()
                self._release(client)

    # -- lifecycle -------------------------------------------------------------------

    async def close(self) -> None:
        """Say QUIT on every idle connection; connections in use close when their send ends."""
        self._closed = True
        if not self._turn.busy and self._turn.machine is not None:
            self._turn.machine.close()
        idle, self._idle = self._idle, []
        for client in idle:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.quit(), timeout=min(5.0, self.settings.smtp_timeout))
            client.close()

    async def __aenter__(self) -> SmtpPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
