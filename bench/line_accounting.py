"""Every input line accounted for: what the importer did with each line of each corpus document.

A non-blank line of the text is accounted for when its words are in what the importer kept (the
trích yếu, the body, a footnote, a Nơi nhận entry, the signature lines and the name), or when a
note names its line number and says what was done with it. A document the importer refuses is
accounted for whole by its refusal (a coded error naming a line). `make fidelity` prints the
lines left over; `tests/documents/test_line_accounting.py` holds them at zero.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from documents.doc_types import by_code, type_at_start, type_of_cell
from documents.plain_text import ParsedText, is_recipients_label, parse
from models.errors import Invalid

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "documents" / "corpus"
_NOTE_LINE_RE = re.compile(r"^line (\d+):")
# What a line carries that the kept text prints otherwise: list dashes, emphasis, a footnote's
# leading number, the punctuation that ends a Nơi nhận entry, page furniture of copied text.
_LEAD_RE = re.compile(r"^(?:[-–+•*]+\s*|[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*)")
_TRAIL_RE = re.compile(r"[\s,;.:]+$")
_SUBJECT_RE = re.compile(r"^(?:V/v|Về việc)\s*:?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Accounting:
    name: str
    lines: int  # non-blank input lines
    refused: str  # the refusal's reason; "" when the importer took the document
    left_over: tuple[tuple[int, str], ...]  # (line number, text) neither kept nor noted


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("**", "").replace("\u00a0", " ")
    return " ".join(text.split())


def _core(line: str) -> str:
    """The line as the kept text would hold it, spaces aside ("TM.ỦY BAN" is "TM. ỦY BAN")."""
    return "".join(_SUBJECT_RE.sub("", _TRAIL_RE.sub("", _LEAD_RE.sub("", _plain(line)))).split())


def _structure(line: str, doc_type: str, kept: str) -> bool:
    """A line the import turns into structure, not text: the "Nơi nhận:" label (kept as the list
    it opens), the type line (kept as the plan's type, printed from it), a part of a type name
    broken over two lines ("HƯỚNG" / "DẪN"), or a type line with the trích yếu glued after it."""
    if is_recipients_label(line):
        return True
    found = by_code(doc_type)
    if found is None or not found.name:
        return False
    plain = _plain(line).upper()
    squashed = "".join(plain.split())
    if squashed and squashed in "".join(found.name.split()) and len(squashed) >= 2:
        return True
    ocr = type_of_cell(plain)  # spelled by an OCR: "K ÉT LUẬN"
    if ocr is not None and ocr.name == found.name:
        return True
    typed = type_at_start(_plain(line))
    return typed is not None and typed[0].name == found.name and _core(typed[1]) in kept


def account(path: Path) -> Accounting:
    text = path.read_text(encoding="utf-8")
    numbered = [(n, line) for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1) if line.strip()]
    try:
        parsed = parse(text)
    except Invalid as refused:
        return Accounting(path.stem, len(numbered), refused.reason, ())
    return Accounting(path.stem, len(numbered), "", left_over(numbered, parsed))


def left_over(numbered: Sequence[tuple[int, str]], parsed: ParsedText) -> tuple[tuple[int, str], ...]:
    """The (number, text) lines neither in what `parsed` kept nor named by one of its notes."""
    draft = parsed.draft
    kept = "".join(
        "".join(_plain(part).split())
        for part in (
            draft.title,
            *draft.summary_lines,
            draft.body,
            *draft.footnotes,
            *(f"{entry} ({note})" if note else entry for entry, note in draft.recipient_lines),
            *draft.sign_lines,
            draft.signer_name,
        )
    )
    noted = {int(m.group(1)) for note in parsed.notes if (m := _NOTE_LINE_RE.match(note))}
    return tuple(
        (n, line.strip())
        for n, line in numbered
        if n not in noted
        and _core(line)
        and _core(line) not in kept
        and not _is_separator(line)
        and not _structure(line, draft.doc_type, kept)
    )


def _is_separator(line: str) -> bool:
    return bool(re.fullmatch(r"[-–—_=*.\s]{3,}", line.strip()))


def account_corpus(folder: Path = CORPUS) -> list[Accounting]:
    return [account(path) for path in sorted(folder.glob("*.txt"))]


def report(accounts: list[Accounting]) -> str:
    lines: list[str] = []
    for a in accounts:
        for number, text in a.left_over:
            lines.append(f"{a.name} line {number}: {text[:90]!r} neither kept nor noted")
    taken = [a for a in accounts if not a.refused]
    total = sum(a.lines for a in taken)
    left = sum(len(a.left_over) for a in taken)
    refused = len(accounts) - len(taken)
    lines.append(
        f"{len(taken)} documents imported, {total} lines: {left} unaccounted for; "
        f"{refused} refused whole with their reason"
    )
    return "\n".join(lines)


def main() -> int:
    print(report(account_corpus()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
