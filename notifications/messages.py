"""Build the email for one outbox item: Vietnamese text and HTML parts, UTF-8 headers.

Templates live in ``templates/emails/<event>.{subject,txt,html}.j2``. Values from the
database (titles, names, comments) are data, never markup or headers: the HTML part is
autoescaped, the subject is forced onto one line and every header is set through the
``email`` package's header registry, which refuses line breaks.
"""

from __future__ import annotations

import base64
import email
import email.policy
import functools
import hashlib
import re
import shlex
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
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
from typing import Any, NamedTuple, Protocol

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)
from markupsafe import Markup, escape

from models.events import Event
from models.settings import Settings
from notifications.smtp import Outgoing, PermanentFailure

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

EVENTS: tuple[str, ...] = tuple(Event)

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
        auto_reload=False,  # templates are part of the release: no stat() per email
    )
    env.filters["shell_quote"] = lambda value: shlex.quote(str(value))
    env.filters["one_line"] = lambda value: one_line(str(value))
    return env


@functools.lru_cache(maxsize=1024)  # a plan's title, body and sender repeat in every copy
def one_line(text: str) -> str:
    """Collapse every line break, control character and run of whitespace into one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


@functools.lru_cache(maxsize=4)
def _embeddable(document_html: str) -> tuple[Markup, Markup]:
    """Split a rendered HTML document into (CSS, body content) to nest inside the email.

    Embedded fonts (``@font-face``) are dropped: the PDF attachment carries the exact
    typography, and base64 fonts would make every email several hundred kilobytes larger.
    """
    css = "\n".join(_FONT_FACE.sub("", m.group("css")) for m in _STYLE.finditer(document_html))
    body = _BODY.search(document_html)
    inner = body.group("inner") if body else _STYLE.sub("", document_html)
    # Markup (trusted: produced by our own document renderer), made once: the same objects
    # for every copy keep their hashes for the per-plan cache below.
    return Markup(css.strip()), Markup(inner)


def _safe_filename(name: str) -> str:
    name = one_line(name).replace("/", "_").replace("\\", "_").strip(". ")
    return name or "van-ban.pdf"


@functools.cache
def _templates(event: str) -> tuple[Template, Template, Template]:
    env = environment()
    try:
        return (
            env.get_template(f"emails/{event}.subject.j2"),
            env.get_template(f"emails/{event}.txt.j2"),
            env.get_template(f"emails/{event}.html.j2"),
        )
    except TemplateNotFound as exc:
        raise MessageError(f"no email template for event {event!r} ({exc.name})") from exc


def render(event: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Render (subject, text, html) for one event; the subject is already one line."""
    subject_t, text_t, html_t = _templates(event)
    try:
        subject = one_line(subject_t.render(context))
        return subject, text_t.render(context), html_t.render(context)
    except UndefinedError as exc:  # the queued context lacks a key the template needs
        raise MessageError(f"{event} email cannot be rendered: {exc.message}") from exc


# -- rendering once per plan ------------------------------------------------------------
#
# A plan's copies differ only by recipient. Its emails are rendered once with a marker in
# place of each recipient's values, then the markers are replaced (HTML-escaped in the
# HTML part). The first email of each kind is also rendered in full and compared: a
# template that transforms these values rather than showing them is rendered in full.

PER_RECIPIENT = ("to_name", "to_email", "ack_url", "action_path", "action_url")
_MARK = "\ue000"  # a private-use character: no template or value has it
_SKELETONS: dict[tuple[Any, ...], _Skeleton | None] = {}
_MAX_SKELETONS = 32


@dataclass(frozen=True)
class _Skeleton:
    subject: str
    text: str
    html: str
    keys: tuple[str, ...]

    def fill(self, context: Mapping[str, Any]) -> tuple[str, str, str]:
        subject, text, html = self.subject, self.text, self.html
        for key in self.keys:
            value, mark = str(context[key]), f"{_MARK}{key}{_MARK}"
            subject = subject.replace(mark, value)
            text = text.replace(mark, value)
            html = html.replace(mark, str(escape(value)))
        return subject, text, html


def _render_once_per_plan(event: str, context: dict[str, Any]) -> tuple[str, str, str]:
    keys = tuple(k for k in PER_RECIPIENT if isinstance(context.get(k), str))
    if any(_MARK in context[k] for k in keys):
        return render(event, context)
    try:
        shared = (event, keys, *sorted((k, v) for k, v in context.items() if k not in keys))
        hash(shared)
    except TypeError:  # a list or mapping in the context: render in full
        return render(event, context)
    if shared in _SKELETONS:
        skeleton = _SKELETONS[shared]
        return skeleton.fill(context) if skeleton is not None else render(event, context)
    full = render(event, context)
    marked = render(event, {**context, **{k: f"{_MARK}{k}{_MARK}" for k in keys}})
    candidate = _Skeleton(*marked, keys=keys)
    if len(_SKELETONS) >= _MAX_SKELETONS:
        _SKELETONS.pop(next(iter(_SKELETONS)))
    _SKELETONS[shared] = candidate if candidate.fill(context) == full else None
    return full


def compose(
    item: MailItem,
    settings: Settings,
    attachment: tuple[str, bytes] | None = None,
    body_html: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Outgoing:
    """The complete email for ``item``, as the bytes sent to the relay and its envelope.

    ``attachment`` is ``(filename, pdf bytes)``; ``body_html`` is the rendered plan, shown in
    the HTML part after the template's own text (the "distributed" email); ``extra`` adds
    values computed at send time (the acknowledgement link). Raises ``MessageError`` (a
    ``PermanentFailure`` and ``ValueError``) for an item that cannot become an email:
    retrying would not help.

    The MIME is written here rather than through ``email.message``: the package's header
    objects and generator cost milliseconds per message, more than sending it. The shape
    is fixed: multipart/alternative (text, HTML), inside multipart/mixed with the PDF when
    there is one; text parts in base64, headers ASCII (RFC 2047 encoded words).
    """
    if not item.to_email:
        raise MessageError(f"{item.event} email has no recipient address")
    if not item.message_id or _CONTROL.search(item.message_id) or not item.message_id.isascii():
        raise MessageError(f"{item.event} email to {item.to_email} has no Message-ID (fixed at queue time)")
    to_name = one_line(item.to_name or str(item.context.get("to_name") or ""))
    to_address = _address(to_name, one_line(item.to_email))

    context: dict[str, Any] = dict(item.context)
    context.pop("ack_delivery_id", None)  # the sender's, for the link: templates show ``ack_url``
    for key in _ONE_LINE_KEYS:  # shown inline: a line break in a title must not reshape the email
        if isinstance(context.get(key), str):
            context[key] = one_line(context[key])
    context.setdefault("plan_id", item.plan_id)
    context["to_name"] = context.get("to_name") or to_name
    context["to_email"] = to_address.addr_spec
    context.update(extra or {})
    if context.get("action_path"):  # a one-time link issued with the email; the host is known here
        context["action_url"] = settings.base_url + str(context["action_path"])
    if body_html:
        context["plan_styles"], context["plan_html"] = _embeddable(body_html)
    if attachment is not None:
        context.setdefault("filename", attachment[0])
    subject, text, html = _render_once_per_plan(item.event, context)

    sender = _sender(one_line(settings.mail_from))
    headers = [
        sender.header,
        _address_header("To", to_address),
        _fold("Subject", subject),
        _date_header(),
        f"Message-ID: {item.message_id}",
    ]
    if item.plan_id is not None:
        headers.append(f"X-BanHanh-Plan: {int(item.plan_id)}")
    headers.append(f"X-BanHanh-Event: {_ascii_token(item.event)}")
    if context.get("version_hash"):
        headers.append(_fold("X-BanHanh-Version", one_line(str(context["version_hash"]))))
    headers += ["Auto-Submitted: auto-generated", "Content-Language: vi", "MIME-Version: 1.0"]

    seed = hashlib.sha256(item.message_id.encode("ascii")).hexdigest()[:24]
    shared = (context["plan_styles"], context["plan_html"]) if body_html else ()
    body = _multipart(f"=_alt_{seed}", [_text_part("plain", text), _text_part("html", html, shared)])
    top = body if attachment is None else _multipart(f"=_mix_{seed}", [body, [_pdf_part(*attachment)]])
    data = b"".join(["\r\n".join(headers).encode("ascii"), b"\r\n", *top])  # one copy of the PDF part
    return Outgoing(sender.addr_spec, [to_address.addr_spec], data, smtp_ready=True)


def build_message(
    item: MailItem,
    settings: Settings,
    attachment: tuple[str, bytes] | None = None,
    body_html: str | None = None,
) -> EmailMessage:
    """``compose``'s email as an ``EmailMessage`` (for reading it; the sender sends the bytes)."""
    parsed = email.message_from_bytes(compose(item, settings, attachment, body_html).data, policy=POLICY)
    assert isinstance(parsed, EmailMessage)
    return parsed


# -- MIME ------------------------------------------------------------------------------


# A plain address needs no parsing; anything else goes through the email package's parser.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_.+-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}")


class _PlainAddress(NamedTuple):
    display_name: str
    addr_spec: str


def _address(name: str, addr_spec: str) -> Address | _PlainAddress:
    if _PLAIN_ADDRESS.fullmatch(addr_spec) and ".." not in addr_spec:
        return _PlainAddress(name, addr_spec)
    try:
        return Address(display_name=name, addr_spec=addr_spec)
    except (ValueError, IndexError) as exc:
        raise MessageError(f"malformed recipient address {addr_spec!r}: {exc}") from exc


@dataclass(frozen=True)
class _Sender:
    addr_spec: str
    header: str


@functools.lru_cache(maxsize=8)
def _sender(mail_from: str) -> _Sender:
    try:
        parsed = Address(addr_spec=mail_from) if "<" not in mail_from else None
    except (ValueError, IndexError):
        parsed = None
    if parsed is None:
        header = email.message_from_string(f"From: {mail_from}\n\n", policy=POLICY)["From"]
        addresses = list(getattr(header, "addresses", ()))
        if not addresses or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
            raise MessageError(f"the sender address {mail_from!r} is not an address")
        parsed = addresses[0]
    return _Sender(parsed.addr_spec, _address_header("From", parsed))


def _address_header(name: str, address: Address | _PlainAddress) -> str:
    if address.display_name and not address.display_name.isascii():
        tokens = [*encoded_words(address.display_name), f"<{address.addr_spec}>"]
        return _fold_tokens(name, tokens, "\r\n").removesuffix("\r\n")
    # Address quotes a display name with specials
    text = str(Address(address.display_name, addr_spec=address.addr_spec))
    if not text.isascii():
        raise MessageError(f"the address {address.addr_spec!r} needs SMTPUTF8")
    return _fold(name, text)


@functools.lru_cache(maxsize=256)  # the subject of a plan's copies is the same for every recipient
def _fold(name: str, value: str) -> str:
    """One header line, folded at spaces; a non-ASCII value as RFC 2047 encoded words."""
    tokens = value.split(" ") if value.isascii() else encoded_words(value)
    return _fold_tokens(name, [t for t in tokens if t], "\r\n").removesuffix("\r\n")


def _ascii_token(value: str) -> str:
    if not value.isascii() or _CONTROL.search(value) or " " in value:
        raise MessageError(f"unusable header value {value!r}")
    return value


_BASE64_LINE = re.compile(rb".{1,76}")


def _base64_lines(data: bytes) -> bytes:
    if not data:
        return b""
    return b"\r\n".join(_BASE64_LINE.findall(base64.b64encode(data))) + b"\r\n"


def _text_part(subtype: str, text: str, shared: tuple[str, ...] = ()) -> list[bytes]:
    """A text part in base64, as pieces; each of ``shared`` found in ``text`` is encoded once.

    ``shared`` are long runs that every copy of a plan carries (its CSS and its HTML, in
    that order). Base64 pieces join only at multiples of 3 bytes, so the text before each
    run, and the run itself, are padded with spaces: callers pass runs that sit where
    the markup ignores spaces (in a style element, between HTML blocks).
    """
    pieces = [
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'.encode()
    ]
    for run in shared:
        at = text.find(run) if run else -1
        if at < 0:
            continue
        head = text[:at].encode("utf-8")
        pieces += [_base64_lines(head + b" " * (-len(head) % 3)), _shared_base64(run)]
        text = text[at + len(run) :]
    pieces.append(_base64_lines(text.encode("utf-8")))
    return pieces


@functools.lru_cache(maxsize=8)
def _shared_base64(run: str) -> bytes:
    data = run.encode("utf-8")
    return _base64_lines(data + b" " * (-len(data) % 3))


@functools.lru_cache(maxsize=4)
def _pdf_part(filename: str, data: bytes) -> bytes:
    """The attachment's part, encoded once per document (every recipient gets the same bytes)."""
    name = _safe_filename(filename)
    if name.isascii() and '"' not in name and "\\" not in name:
        param = f'filename="{name}"'
    else:
        param = f"filename*=utf-8''{urllib.parse.quote(name, safe='')}"
    return (
        "Content-Type: application/pdf\r\n"
        f"Content-Disposition: attachment;\r\n {param}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode("ascii") + _base64_lines(data)


def _multipart(boundary: str, parts: list[list[bytes]]) -> list[bytes]:
    """A multipart entity as pieces, each part given as pieces: joined once, by the caller."""
    kind = "alternative" if boundary.startswith("=_alt") else "mixed"
    pieces = [f'Content-Type: multipart/{kind}; boundary="{boundary}"\r\n\r\n'.encode("ascii")]
    delimiter = f"--{boundary}\r\n".encode("ascii")
    for part in parts:
        pieces += [delimiter, *part]
    pieces.append(f"--{boundary}--\r\n".encode("ascii"))
    return pieces


_date = (0, "")


def _date_header() -> str:
    """The Date header, formatted once per second (every copy of a distribution has one)."""
    global _date
    second = int(time.time())
    if _date[0] != second:
        _date = (second, f"Date: {format_datetime(datetime.fromtimestamp(second, VN_TZ))}")
    return _date[1]
