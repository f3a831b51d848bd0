"""Every input line of the corpus accounted for (bench/line_accounting.py): kept in a field, or
named by a note that says what was done with it; a document refused is refused whole, by line."""

from __future__ import annotations

from dataclasses import replace

from bench.line_accounting import account_corpus, left_over
from documents.plain_text import parse
from tests.documents.seeds import SEED_004


def test_no_line_of_the_corpus_is_dropped_silently() -> None:
    accounts = account_corpus()
    taken = [a for a in accounts if not a.refused]
    assert len(taken) >= 60 and sum(a.lines for a in taken) > 1500
    assert [(a.name, a.left_over) for a in taken if a.left_over] == []
    # A refusal names the line it stopped at.
    assert all(a.refused.startswith("line ") for a in accounts if a.refused), accounts


def test_a_line_neither_kept_nor_noted_is_found() -> None:
    text = SEED_004.read_text(encoding="utf-8")
    numbered = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    parsed = parse(text)
    assert left_over(numbered, parsed) == ()
    # Without its notes, the line whose glued tail the importer dropped is unaccounted for.
    silent = left_over(numbered, replace(parsed, notes=()))
    assert silent == ((121, "- Lưu Văn phòng Đảng ủy.Thư"),)
