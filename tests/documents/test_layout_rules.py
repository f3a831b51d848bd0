"""The PDF rule check (bench/layout.py) on every corpus document the importer takes and on both
seeds, each in its own layout (Party or state), and the check itself catching breaches."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.layout import check_pdf, corpus_documents
from documents.render import DocumentView, render_pdf

DOCUMENTS = corpus_documents()


def test_the_corpus_covers_both_layouts_and_many_types() -> None:
    assert len(DOCUMENTS) >= 60
    assert {view.party for _, view in DOCUMENTS} == {True, False}
    assert len({view.doc_type for _, view in DOCUMENTS}) >= 8


@pytest.mark.parametrize(("name", "view"), DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_the_rendered_pdf_keeps_its_rule_set(name: str, view: DocumentView) -> None:
    breaches = check_pdf(render_pdf(view), view)
    assert breaches == [], "\n".join(str(b) for b in breaches)


def _view(name: str) -> DocumentView:
    return next(view for n, view in DOCUMENTS if n == name)


def test_a_state_document_read_against_the_party_rules_is_refused() -> None:
    """The check reads what is on the page: a state layout is not a Party one (a Quốc hiệu where
    the Party heading goes, 13 pt names, Nơi nhận in bold italics instead of underlined)."""
    state = _view("state-101-haugiang-cv-de-an-khoa-hoc-cong-nghe")
    breaches = check_pdf(render_pdf(state), replace(state, party=True))
    parts = {b.part for b in breaches}
    assert {"heading", "issuer", "Nơi nhận"} <= parts, breaches


def test_a_party_document_read_against_the_state_rules_is_refused() -> None:
    party = _view("seed-004")
    breaches = check_pdf(render_pdf(party), replace(party, party=False))
    parts = {b.part for b in breaches}
    assert {"heading", "issuer", "number", "Nơi nhận"} <= parts, breaches
