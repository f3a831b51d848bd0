"""The small Markdown-ish inline language of plan text, and how a body splits into blocks.

Plan text keeps `**bold**`, `*italic*` and superscript footnote markers (¹ ² ³) as typed.
This module turns them into safe HTML (escaping first, so user text can never inject
markup) or into plain text, and classifies body paragraphs for layout. Pure: no I/O.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_ASCII = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
_FROM_ASCII = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)

_MARKER_DIGITS = 6
MARKER_RE = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
_STRONG_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*(?!\*)")
_EM_RE = re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")

# Line starts that open a new paragraph even without a blank line before them.
HEADING1_RE = re.compile(r"^[IVXLC]+\s*[-.–]\s+\S")
NUMBERED_RE = re.compile(r"^\d+(?:\.\d+)*[.)]\s+\S")
LETTERED_RE = re.compile(r"^[a-zđ]\)\s+\S")
BULLET_RE = re.compile(r"^[-–+•]\s+\S")
ARTICLE_RE = re.compile(r"^Điều\s+\d+[a-zđ]?\s*[.:]")
FINAL_PUNCTUATION = ".:;!?…"
_CLOSERS = "*”\"’')]»"
_SUBHEADING_MAX = 200

BlockKind = Literal["heading1", "heading2", "bullet", "paragraph", "greeting"]
# "Kính gửi:" (a công văn) and "Kính trình:" (a tờ trình) open the body, styled apart.
_GREETING_RE = re.compile(r"^Kính\s*(?:gửi|trình)\b", re.IGNORECASE)


def marker_number(marker: str) -> int:
    """'¹²' -> 12; a run of more digits than any footnote count is no marker's number (0)."""
    return int(marker.translate(_TO_ASCII)) if len(marker) <= _MARKER_DIGITS else 0


def superscript(number: int) -> str:
    """12 -> '¹²'."""
    return str(number).translate(_FROM_ASCII)


def ends_sentence(text: str) -> bool:
    """True when the text ends with final punctuation (closing quotes and markers aside)."""
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(stripped) and stripped[-1] in FINAL_PUNCTUATION


def _unmarked(text: str) -> str:
    return text.lstrip("*").lstrip()


def opens_block(line: str) -> bool:
    """A line that starts a new paragraph: heading, numbered item, bullet or footnote body."""
    text = _unmarked(line)
    return bool(
        HEADING1_RE.match(text)
        or NUMBERED_RE.match(text)
        or LETTERED_RE.match(text)
        or BULLET_RE.match(text)
        or ARTICLE_RE.match(text)
        or MARKER_RE.match(text)
    )


def classify(paragraph: str) -> BlockKind:
    text = _unmarked(paragraph)
    if _GREETING_RE.match(text):
        return "greeting"
    if HEADING1_RE.match(text):
        return "heading1"
    if BULLET_RE.match(text):
        return "bullet"
    if NUMBERED_RE.match(text) and len(text) <= _SUBHEADING_MAX and not ends_sentence(text):
        return "heading2"
    return "paragraph"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


def split_blocks(body: str) -> list[Block]:
    """Paragraphs are separated by blank lines; a line that opens a block starts a new one,
    any other line continues the paragraph above (joined with a space)."""
    paragraphs: list[str] = []
    for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n")):
        current: list[str] = []
        for raw in chunk.split("\n"):
            line = raw.strip()
            if not line:
                continue
            if current and opens_block(line):
                paragraphs.append(" ".join(current))
                current = []
            current.append(line)
        if current:
            paragraphs.append(" ".join(current))
    return [Block(classify(p), p) for p in paragraphs]


def _emphasis(escaped: str) -> str:
    escaped = _STRONG_RE.sub(r"<strong>\1</strong>", escaped)
    return _EM_RE.sub(r"<em>\1</em>", escaped)


def default_marker(number: int) -> Markup:
    return Markup('<sup class="fn-ref"><a href="#fn{0}">{0}</a></sup>').format(number)


def to_html(text: str, marker: Callable[[int], Markup] = default_marker) -> Markup:
    """Escape `text`, then turn `**x**`, `*x*` and superscript markers into markup."""
    escaped = _emphasis(str(escape(text)))
    pieces: list[str] = []
    last = 0
    for match in MARKER_RE.finditer(escaped):
        pieces.append(escaped[last : match.start()])
        pieces.append(str(marker(marker_number(match.group()))))
        last = match.end()
    pieces.append(escaped[last:])
    return Markup("".join(pieces))


def to_plain(text: str) -> str:
    """Drop the `**` and `*` emphasis markers; keep footnote markers as superscripts."""
    return _EM_RE.sub(r"\1", _STRONG_RE.sub(r"\1", text))


@dataclass(frozen=True)
class Segment:
    """A run of inline text with one formatting, or a footnote marker (`footnote` > 0, no text)."""

    text: str
    bold: bool = False
    italic: bool = False
    footnote: int = 0


_TOKEN_RE = re.compile(r'<(/?)(strong|em)>|<fn n="(\d+)"/>')


def _token_marker(number: int) -> Markup:
    return Markup('<fn n="{}"/>').format(number)


def to_segments(text: str) -> list[Segment]:
    """The same reading as `to_html`, as formatted runs for writers such as DOCX."""
    tagged = str(to_html(text, _token_marker))
    segments: list[Segment] = []
    bold = italic = False
    last = 0
    for match in _TOKEN_RE.finditer(tagged):
        if match.start() > last:
            segments.append(Segment(html.unescape(tagged[last : match.start()]), bold, italic))
        last = match.end()
        if match.group(3):
            segments.append(Segment("", bold, italic, footnote=int(match.group(3))))
        elif match.group(2) == "strong":
            bold = not match.group(1)
        else:
            italic = not match.group(1)
    if last < len(tagged):
        segments.append(Segment(html.unescape(tagged[last:]), bold, italic))
    return segments
