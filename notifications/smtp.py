"""A small pool of SMTP connections to the relay (aiosmtplib), with failures classified.

``SmtpPool.send`` returns the relay's reply to DATA (what the delivery record keeps) or
raises one of two exceptions the dispatcher acts on:

- ``TemporaryFailure``: try again later (4xx replies, connection refused or dropped,
  timeouts, and any failure while connecting, greeting or logging in to the relay:
  those say nothing about the message itself);
- ``PermanentFailure``: retrying cannot help (5xx replies to MAIL, RCPT or DATA, such as
  "550 no such user", an address that cannot be sent).
"""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage
from types import TracebackType

import aiosmtplib
from aiosmtplib import (
    SMTPException,
    SMTPNotSupported,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from models.settings import Settings


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


class SmtpPool:
    """Up to ``settings.smtp_pool_size`` open connections to the relay, shared by concurrent sends.

    Connections are opened lazily and kept for the next message. A pooled connection the
    relay has dropped meanwhile (idle timeout) is reopened once within the same ``send``.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.size = max(1, settings.smtp_pool_size)
        self._slots = asyncio.Semaphore(self.size)
        self._idle: list[aiosmtplib.SMTP] = []
        self._closed = False

    # -- connections -----------------------------------------------------------------

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls,
            start_tls=bool(s.smtp_starttls) and not s.smtp_tls,
            username=s.smtp_username or None,
            password=(s.smtp_password if s.smtp_username else None),
            timeout=s.smtp_timeout,
        )

    async def _open(self) -> aiosmtplib.SMTP:
        client = self._client()
        where = f"{self.settings.smtp_host}:{self.settings.smtp_port}"
        try:
            await client.connect()
        except (SMTPException, OSError) as exc:  # timeouts included
            client.close()
            # Whatever the code, a relay we cannot connect or log in to says nothing about
            # this message: the dispatcher retries it later.
            failure = classify(exc)
            reason = f"cannot use the SMTP relay {where}: {failure.reason}"
            raise TemporaryFailure(reason, failure.code) from exc
        except BaseException:
            client.close()
            raise
        return client

    def _release(self, client: aiosmtplib.SMTP | None) -> None:
        if client is None:
            return
        if self._closed or not client.is_connected:
            client.close()
        else:
            self._idle.append(client)

    # -- sending ---------------------------------------------------------------------

    async def send(self, msg: EmailMessage) -> str:
        """Send one message; return the relay's reply to DATA, e.g. ``"250 OK kept as …"``."""
        if self._closed:
            raise RuntimeError("the SMTP pool is closed")
        sender, recipients = envelope(msg)
        async with self._slots:
            client: aiosmtplib.SMTP | None = self._idle.pop() if self._idle else None
            reused = client is not None
            try:
                for _ in range(2):
                    if client is None or not client.is_connected:
                        if client is not None:
                            client.close()
                        client = await self._open()
                        reused = False
                    try:
                        errors, reply = await client.send_message(msg, sender=sender, recipients=recipients)
                    except (SMTPServerDisconnected, ConnectionError) as exc:
                        client.close()
                        client = None
                        if reused:  # a pooled connection went stale: reconnect once
                            reused = False
                            continue
                        raise classify(exc) from exc
                    except (SMTPResponseException, SMTPRecipientsRefused) as exc:
                        # aiosmtplib has reset the envelope (RSET): the connection stays usable.
                        raise classify(exc) from exc
                    except (SMTPException, OSError, ValueError) as exc:  # timeouts included
                        client.close()
                        client = None
                        raise classify(exc) from exc
                    except BaseException:  # cancelled mid-conversation: the connection is not clean
                        client.close()
                        client = None
                        raise
                    text = f"250 {reply}".strip()
                    if errors:  # accepted for some recipients only: report the others
                        refused = "; ".join(f"{rcpt}: {r.code} {r.message}" for rcpt, r in errors.items())
                        text += f" (refused: {refused})"
                    return text
                raise AssertionError("unreachable")
            finally:
                self._release(client)

    # -- lifecycle -------------------------------------------------------------------

    async def close(self) -> None:
        """Say QUIT on every idle connection; connections in use close when their send ends."""
        self._closed = True
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
