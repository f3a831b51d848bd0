"""How many fields `read_fields` reads exactly off the real documents of the corpus.

Every `tests/documents/corpus/*.txt` with its hand-written `.json` is read and compared field by
field: the header's 9 fields, the trích yếu, the signature's lines, name and form, and the Nơi
nhận list as a whole; 14 fields a document. Only whitespace is normalised. A field the
`.json` sets to null (a fragment that stops before it) counts too: null must be found as null.
Run with `make fidelity`; `python -m bench.fidelity FOLDER` reads another folder.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from documents.fields import read_fields

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "documents" / "corpus"
HEADER_FIELDS = (
    "superior_body",
    "issuer",
    "number",
    "symbol",
    "number_text",
    "place",
    "date",
    "type_code",
    "type_name",
)
SIGNATURE_FIELDS = ("lines", "name", "form")
FIELDS = (*HEADER_FIELDS, "title", *(f"signature.{name}" for name in SIGNATURE_FIELDS), "recipients")


@dataclass(frozen=True)
class Check:
    field: str
    expected: Any
    found: Any

    @property
    def exact(self) -> bool:
        return bool(_normal(self.expected) == _normal(self.found))


@dataclass(frozen=True)
class Document:
    name: str
    complete: bool
    checks: tuple[Check, ...]

    @property
    def exact(self) -> int:
        return sum(check.exact for check in self.checks)


def _normal(value: Any) -> Any:
    """`value` with the whitespace of every string squeezed (lists item by item)."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def _flat(fields: dict[str, Any]) -> dict[str, Any]:
    signature = fields.get("signature") or {}
    flat = {name: fields["header"].get(name) for name in HEADER_FIELDS}
    flat["title"] = fields.get("title")
    for name in SIGNATURE_FIELDS:
        flat[f"signature.{name}"] = signature.get(name)
    flat["recipients"] = fields.get("recipients", [])
    return flat


def measure(path: Path) -> Document:
    """One document of the corpus: its `.txt` read, compared with its `.json`."""
    expected_json = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    found = _flat(read_fields(path.read_text(encoding="utf-8")).as_json())
    expected = _flat(expected_json)
    checks = tuple(Check(name, expected[name], found[name]) for name in FIELDS)
    return Document(path.stem, bool(expected_json.get("complete", True)), checks)


def measure_corpus(folder: Path = CORPUS) -> list[Document]:
    return [measure(path) for path in sorted(folder.glob("*.txt")) if path.with_suffix(".json").exists()]


def score(documents: list[Document]) -> float:
    """The share of fields read exactly, in per cent (0 without documents)."""
    total = sum(len(d.checks) for d in documents)
    return 100.0 * sum(d.exact for d in documents) / total if total else 0.0


def report(documents: list[Document]) -> str:
    """A table (document × field, ✓ or ✗), every miss with what was expected and found, the score."""
    width = max((len(d.name) for d in documents), default=8)
    legend = ", ".join(f"{n} {name}" for n, name in enumerate(FIELDS, start=1))
    lines = [
        f"fields: {legend}",
        "",
        f"{'document':<{width}}  " + " ".join(f"{n:>2}" for n in range(1, len(FIELDS) + 1)),
    ]
    misses: list[str] = []
    for document in documents:
        marks = " ".join(f"{'✓' if check.exact else '✗':>2}" for check in document.checks)
        lines.append(f"{document.name:<{width}}  {marks}")
        misses += [
            f"{document.name} {check.field}: expected {check.expected!r}, found {check.found!r}"
            for check in document.checks
            if not check.exact
        ]
    fragments = sum(not d.complete for d in documents)
    fields = sum(len(d.checks) for d in documents)
    lines += ["", *misses, ""] if misses else [""]
    lines.append(
        f"{len(documents)} documents ({fragments} fragments), {fields} fields: "
        f"{sum(d.exact for d in documents)} exact, {score(documents):.1f} %"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    from bench import assignment_fidelity

    folder = Path(argv[1]) if len(argv) > 1 else CORPUS
    print(report(measure_corpus(folder)))
    print()
    print(assignment_fidelity.report(assignment_fidelity.measure_corpus(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
