"""Build the email for one outbox item: Vietnamese text and HTML parts, UTF-8 headers.

Templates live in ``templates/emails/<event>.{subject,txt,html}.j2``. Values from the
database (titles, names, comments) are data, never markup or headers: the HTML part is
autoescaped, the subject is forced onto one line and every header is set through the
``email`` package's header registry, which refuses line breaks.
"""

from __future__ import annotations

import base64
import email.policy
import functools
import re
import shlex
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from email.headerregistry import (
    Address,
    BaseHeader,
    HeaderRegistry,
    UniqueAddressHeader,
    UniqueUnstructuredHeader,
)
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)
from markupsafe import Markup

from models.settings import Settings
from notifications.smtp import PermanentFailure

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

EVENTS: tuple[str, ...] = (
    "review_requested",
    "changes_requested",
    "rejected",
    "approved",
    "ready_to_sign",
    "signed",
    "issued",
    "withdrawn",
    "distributed",
    "delivery_failed",
    "reminder",
    "escalation",
)

# Viet Nam has no daylight saving time: a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

_ONE_LINE_KEYS = ("title", "org_name", "symbol", "to_name", "actor_name", "filename", "recipient_name")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_BODY = re.compile(r"<body\b[^>]*>(?P<inner>.*)</body\s*>", re.IGNORECASE | re.DOTALL)
_STYLE = re.compile(r"<style\b[^>]*>(?P<css>.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)


# -- headers -------------------------------------------------------------------------
#
# CPython's header folder (3.11, 3.12) drops the space at a fold between two RFC 2047
# encoded words: "Kế hoạch" comes out as "Kếhoạch" in every mail client. Vietnamese has a
# space every few letters, so the Subject and the address headers are encoded here: the
# whole text as UTF-8 encoded words split on character boundaries, spaces *inside* the
# encoded text, so the folding whitespace between encoded words carries no meaning.

_EW_BYTES = 39  # 52 base64 characters: a 64-character encoded word, lines stay under 76
_MAX_LINE = 76
_TOKENS = re.compile(r"\S+\s*|\s+")


def encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 "B" encoded words (UTF-8).

    Words are split after a space where possible (the space stays inside the encoded text),
    never inside a character. Parsers that wrongly keep the folding whitespace between
    encoded words in a display name (CPython's address parser does) then show at worst a
    double space, not a word cut in two.
    """
    pieces: list[bytes] = []
    for token in _TOKENS.findall(text):
        data = token.encode("utf-8")
        if len(data) <= _EW_BYTES:
            pieces.append(data)
            continue
        part = b""
        for char in token:  # a single word longer than one encoded word
            char_data = char.encode("utf-8")
            if part and len(part) + len(char_data) > _EW_BYTES:
                pieces.append(part)
                part = b""
            part += char_data
        pieces.append(part)
    chunks: list[bytes] = []
    chunk = b""
    for piece in pieces:
        if chunk and len(chunk) + len(piece) > _EW_BYTES:
            chunks.append(chunk)
            chunk = b""
        chunk += piece
    if chunk:
        chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(c).decode('ascii')}?=" for c in chunks]


def _fold_tokens(name: str, tokens: list[str], linesep: str) -> str:
    lines = [f"{name}:"]
    for token in tokens:
        if len(lines[-1]) + 1 + len(token) > _MAX_LINE and lines[-1] != f"{name}:":
            lines.append(f" {token}")
        else:
            lines[-1] += f" {token}"
    return linesep.join(lines) + linesep


class _EncodedUnstructured(UniqueUnstructuredHeader, BaseHeader):  # type: ignore[misc]  # stubs disagree
    def fold(self, *, policy: Policy) -> str:
        value = str(self)
        if value.isascii() or getattr(policy, "utf8", False):
            return super().fold(policy=policy)
        return _fold_tokens(self.name, encoded_words(value), policy.linesep)


class _EncodedAddresses(UniqueAddressHeader, BaseHeader):  # type: ignore[misc]  # stubs disagree
    def fold(self, *, policy: Policy) -> str:
        addresses = self.addresses
        if str(self).isascii() or getattr(policy, "utf8", False) or not addresses:
            return super().fold(policy=policy)
        tokens: list[str] = []
        for address in addresses:
            if address.display_name and not address.display_name.isascii():
                tokens += [*encoded_words(address.display_name), f"<{address.addr_spec}>"]
            else:
                tokens.append(str(address))
            tokens[-1] += ","
        tokens[-1] = tokens[-1].removesuffix(",")
        return _fold_tokens(self.name, tokens, policy.linesep)


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("subject", _EncodedUnstructured)
for _name in ("from", "to", "reply-to"):
    _HEADERS.map_to_type(_name, _EncodedAddresses)
POLICY = email.policy.default.clone(header_factory=_HEADERS)


class MessageError(PermanentFailure, ValueError):
    """The item cannot become an email (no or malformed address, no Message-ID, unknown event).

    A ``PermanentFailure`` (retrying cannot help), and a ``ValueError`` for callers outside the
    dispatcher.
    """


class MailItem(Protocol):
    """What ``build_message`` needs from an outbox row (``models.records.OutboxMessage`` fits)."""

    @property
    def event(self) -> str: ...
    @property
    def to_email(self) -> str | None: ...
    @property
    def to_name(self) -> str: ...
    @property
    def context(self) -> Mapping[str, Any]: ...
    @property
    def message_id(self) -> str: ...
    @property
    def plan_id(self) -> int | None: ...


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment for emails: HTML autoescaped, unknown variables an error."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html.j2"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["shell_quote"] = lambda value: shlex.quote(str(value))
    return env


def one_line(text: str) -> str:
    """Collapse every line break, control character and run of whitespace into one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _embeddable(document_html: str) -> tuple[str, str]:
    """Split a rendered HTML document into (CSS, body content) to nest inside the email.

    Embedded fonts (``@font-face``) are dropped: the PDF attachment carries the exact
    typography, and base64 fonts would make every email several hundred kilobytes larger.
    """
    css = "\n".join(_FONT_FACE.sub("", m.group("css")) for m in _STYLE.finditer(document_html))
    body = _BODY.search(document_html)
    inner = body.group("inner") if body else _STYLE.sub("", document_html)
    return css.strip(), inner


def _safe_filename(name: str) -> str:
    name = one_line(name).replace("/", "_").replace("\\", "_").strip(". ")
    return name or "van-ban.pdf"


def render(event: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Render (subject, text, html) for one event; the subject is already one line."""
    env = environment()
    try:
        subject_t = env.get_template(f"emails/{event}.subject.j2")
        text_t = env.get_template(f"emails/{event}.txt.j2")
        html_t = env.get_template(f"emails/{event}.html.j2")
    except TemplateNotFound as exc:
        raise MessageError(f"no email template for event {event!r} ({exc.name})") from exc
    try:
        subject = one_line(subject_t.render(context))
        return subject, text_t.render(context), html_t.render(context)
    except UndefinedError as exc:  # the queued context lacks a key the template needs
        raise MessageError(f"{event} email cannot be rendered: {exc.message}") from exc


def build_message(
    item: MailItem,
    settings: Settings,
    attachment: tuple[str, bytes] | None = None,
    body_html: str | None = None,
) -> EmailMessage:
    """The complete email for ``item``.

    ``attachment`` is ``(filename, pdf bytes)``; ``body_html`` is the rendered plan, shown in
    the HTML part after the template's own text (the "distributed" email). Raises
    ``MessageError`` (a ``PermanentFailure`` and ``ValueError``) for an item that cannot become
    an email: retrying would not help.
    """
    if not item.to_email:
        raise MessageError(f"{item.event} email has no recipient address")
    if not item.message_id:
        raise MessageError(f"{item.event} email to {item.to_email} has no Message-ID (fixed at queue time)")
    to_name = one_line(item.to_name or str(item.context.get("to_name") or ""))
    try:
        to_address = Address(display_name=to_name, addr_spec=one_line(item.to_email))
    except (ValueError, IndexError) as exc:
        raise MessageError(f"malformed recipient address {item.to_email!r}: {exc}") from exc

    context: dict[str, Any] = dict(item.context)
    for key in _ONE_LINE_KEYS:  # shown inline: a line break in a title must not reshape the email
        if isinstance(context.get(key), str):
            context[key] = one_line(context[key])
    context.setdefault("plan_id", item.plan_id)
    context["to_name"] = context.get("to_name") or to_name
    context["to_email"] = to_address.addr_spec
    if context.get("action_path"):  # a one-time link issued with the email; the host is known here
        context["action_url"] = settings.base_url + str(context["action_path"])
    if body_html:
        css, inner = _embeddable(body_html)
        context["plan_html"] = Markup(inner)  # trusted: produced by our own document renderer
        context["plan_styles"] = Markup(css)
    if attachment is not None:
        context.setdefault("filename", attachment[0])
    subject, text, html = render(item.event, context)

    msg = EmailMessage(policy=POLICY)
    msg["From"] = one_line(settings.mail_from)
    msg["To"] = to_address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(VN_TZ))
    msg["Message-ID"] = item.message_id
    if item.plan_id is not None:
        msg["X-BanHanh-Plan"] = str(item.plan_id)
    msg["X-BanHanh-Event"] = item.event
    if context.get("version_hash"):
        msg["X-BanHanh-Version"] = one_line(str(context["version_hash"]))
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the engine
    msg["Content-Language"] = "vi"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    if attachment is not None:
        filename, data = attachment
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=_safe_filename(filename))
    return msg
