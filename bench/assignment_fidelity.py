"""How many lead units and deadline kinds `draft_assignments` reads right off real documents.

A document counts when its hand-written `.json` has an "assignments" list: the corpus documents
(tests/documents/corpus/*.json) and the sections of `corpus/assignments/` (real documents'
"Tổ chức thực hiện", kept apart because they are not whole documents for the field reader).
Each expected assignment is {"lead", "deadline"}, written by reading the text. An expected lead
is matched to the first drafted assignment (in order, not yet matched) with that lead, compared
without regard to case, whitespace or trailing punctuation; its deadline kind is then compared.
A drafted assignment nobody expected counts as a miss. The score: right leads and deadlines over
two per expected assignment plus one per unexpected drafted one.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from documents.assignments import DraftAssignment, draft_assignments

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "documents" / "corpus"


@dataclass(frozen=True)
class Expected:
    lead: str
    deadline: str


@dataclass(frozen=True)
class Outcome:
    expected: Expected
    found: DraftAssignment | None

    @property
    def lead_right(self) -> bool:
        return self.found is not None

    @property
    def deadline_right(self) -> bool:
        return self.found is not None and self.found.deadline.kind.value == self.expected.deadline


@dataclass(frozen=True)
class Measured:
    name: str
    outcomes: tuple[Outcome, ...]
    unexpected: tuple[DraftAssignment, ...]

    @property
    def right(self) -> int:
        return sum(o.lead_right for o in self.outcomes) + sum(o.deadline_right for o in self.outcomes)

    @property
    def checks(self) -> int:
        return 2 * len(self.outcomes) + len(self.unexpected)


def same_unit(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().strip(" ,;.:").split())

    return key(a) == key(b)


def measure(path: Path) -> Measured | None:
    """One document, or None when its `.json` expects no assignments."""
    expected_json = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    if "assignments" not in expected_json:
        return None
    expected = [Expected(e["lead"], e["deadline"]) for e in expected_json["assignments"]]
    drafted = draft_assignments(path.read_text(encoding="utf-8"))
    used: set[int] = set()
    outcomes: list[Outcome] = []
    for e in expected:
        match = next(
            (i for i, a in enumerate(drafted) if i not in used and same_unit(a.lead, e.lead)),
            None,
        )
        if match is not None:
            used.add(match)
        outcomes.append(Outcome(e, drafted[match] if match is not None else None))
    unexpected = tuple(a for i, a in enumerate(drafted) if i not in used)
    return Measured(path.stem, tuple(outcomes), unexpected)


def measure_corpus(folder: Path = CORPUS) -> list[Measured]:
    paths = sorted(folder.glob("*.txt")) + sorted((folder / "assignments").glob("*.txt"))
    found = [measure(p) for p in paths if p.with_suffix(".json").exists()]
    return [m for m in found if m is not None]


def score(documents: list[Measured]) -> float:
    """Right leads and deadlines, in per cent of the checks (0 without documents)."""
    checks = sum(d.checks for d in documents)
    return 100.0 * sum(d.right for d in documents) / checks if checks else 0.0


def report(documents: list[Measured]) -> str:
    lines = ["assignments: lead unit and kind of deadline, by document", ""]
    misses: list[str] = []
    for d in documents:
        lines.append(f"{d.name}: {d.right}/{d.checks}")
        for o in d.outcomes:
            if o.found is None:
                misses.append(f"{d.name} lead: expected {o.expected.lead!r}, not drafted")
            elif not o.deadline_right:
                misses.append(
                    f"{d.name} {o.expected.lead!r} deadline: expected {o.expected.deadline}, "
                    f"found {o.found.deadline.kind.value} ({o.found.deadline.text!r})"
                )
        misses += [f"{d.name} unexpected: {a.lead!r} (line {a.line})" for a in d.unexpected]
    leads = sum(o.lead_right for d in documents for o in d.outcomes)
    deadlines = sum(o.deadline_right for d in documents for o in d.outcomes)
    expected = sum(len(d.outcomes) for d in documents)
    lines += ["", *misses, ""] if misses else [""]
    lines.append(
        f"{len(documents)} documents, {expected} assignments expected, "
        f"{sum(len(d.unexpected) for d in documents)} unexpected: leads {leads}/{expected}, "
        f"deadlines {deadlines}/{expected}, {score(documents):.1f} %"
    )
    return "\n".join(lines)
