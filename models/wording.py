"""Changes between two versions of a text, word by word, for the reviewer who asked for them.

Paragraphs (lines) are aligned first; a paragraph that was edited is then compared word by
word, so one changed word shows as one changed word and not as a whole paragraph replaced.
Pure: no I/O, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Op = Literal["same", "add", "del"]
_TOKENS = re.compile(r"\s*\S+|\s+")  # a word with the space before it
_SIMILAR = 0.5  # two paragraphs at least this alike are one paragraph edited, not two others


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the newer text (or one removed from the older), with its changes."""

    kind: Literal["same", "changed", "added", "removed"]
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Changes:
    paragraphs: tuple[Paragraph, ...]

    @property
    def changed(self) -> bool:
        return any(p.kind != "same" for p in self.paragraphs)

    def around_changes(self, context: int = 1) -> tuple[Paragraph | None, ...]:
        """The changed paragraphs with `context` unchanged ones either side; None marks a gap."""
        keep = [False] * len(self.paragraphs)
        for i, p in enumerate(self.paragraphs):
            if p.kind != "same":
                for j in range(max(0, i - context), min(len(keep), i + context + 1)):
                    keep[j] = True
        out: list[Paragraph | None] = []
        for i, p in enumerate(self.paragraphs):
            if keep[i]:
                out.append(p)
            elif not out or out[-1] is not None:
                out.append(None)
        return tuple(out)


def words(old: str, new: str) -> tuple[Segment, ...]:
    """`new` against `old`, word by word (whitespace kept as it is in the newer text)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(Segment("same", "".join(b[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            out.append(Segment("del", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(Segment("add", "".join(b[j1:j2])))
    return _merged(out)


def compare(old_lines: list[str], new_lines: list[str]) -> Changes:
    """Paragraph by paragraph, then word by word inside each edited paragraph. Blank lines
    only separate paragraphs: they are never shown as added or removed."""
    old_lines, new_lines = [x for x in old_lines if x.strip()], [x for x in new_lines if x.strip()]
    out: list[Paragraph] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [Paragraph("same", (Segment("same", line),)) for line in new_lines[j1:j2]]
        elif tag == "delete":
            out += [Paragraph("removed", (Segment("del", line),)) for line in old_lines[i1:i2]]
        elif tag == "insert":
            out += [Paragraph("added", (Segment("add", line),)) for line in new_lines[j1:j2]]
        else:
            out += _pair(old_lines[i1:i2], new_lines[j1:j2])
    return Changes(tuple(out))


def _pair(old: list[str], new: list[str]) -> list[Paragraph]:
    """A replaced block: each newer paragraph is matched with the most alike older one still
    unused (in order); unmatched ones are added or removed."""
    out: list[Paragraph] = []
    added: list[Paragraph] = []  # shown after the removed paragraphs they stand beside
    start = 0
    for line in new:
        best, best_ratio = -1, _SIMILAR
        for k in range(start, len(old)):
            ratio = SequenceMatcher(None, old[k], line, autojunk=False).ratio()
            if ratio >= best_ratio:
                best, best_ratio = k, ratio
        if best < 0:
            added.append(Paragraph("added", (Segment("add", line),)))
            continue
        out += [Paragraph("removed", (Segment("del", gone),)) for gone in old[start:best]]
        out += added
        added = []
        out.append(Paragraph("changed", words(old[best], line)))
        start = best + 1
    out += [Paragraph("removed", (Segment("del", gone),)) for gone in old[start:]]
    return out + added


def _merged(segments: list[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if out and out[-1].op == seg.op:
            out[-1] = Segment(seg.op, out[-1].text + seg.text)
        else:
            out.append(seg)
    return tuple(out)
