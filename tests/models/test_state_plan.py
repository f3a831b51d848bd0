"""A commune People's Committee's plan, signed TM. / KT. / PHÓ CHỦ TỊCH, from import to issue
through the services, with the real renderer; its "Như trên" is mapped, not refused."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from documents.plain_text import parse
from documents.render import render_pdf
from documents.views import document_view
from models.db import Database
from models.errors import Invalid
from models.lifecycle import State
from models.policies import Decision
from models.services import checks, distribution, documents, plans, related, replacement, reviews, signing
from models.services.directory import load_directory
from models.services.queries import deliveries, plan_status
from tests.documents.state_plan import AS_ABOVE_UNITS, AUTHORITY_LINES, STATE_PLAN
from tests.factory import current_hash, drain_outbox, example_config

SECRETARIAT = "vanphong@ubnd-hamliem.example.vn"
REVIEWERS = ["vanhoa@ubnd-hamliem.example.vn", "kinhte@ubnd-hamliem.example.vn"]
SIGNER = "pct@ubnd-hamliem.example.vn"


def test_a_state_plan_goes_from_import_to_issue(db: Database) -> None:
    load_directory(db, example_config("ubnd-hamliem"))
    created = plans.create_plan(db, SECRETARIAT, "ubnd-hamliem", parse(STATE_PLAN).draft)
    assert not any("address book" in note for note in created.notes), created.notes
    assert any("'Như trên' stands for" in note for note in created.notes), created.notes
    plan_id = created.plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=REVIEWERS)
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)
    for reviewer in REVIEWERS:
        reviews.decide(db, plan_id, reviewer, Decision.APPROVE, version)
    assert checks.check(db, plan_id).blocking == ()

    assert signing.sign(db, plan_id, SIGNER, version).symbol == "Số: 01/KH-UBND"
    view = document_view(documents.plan_document(db, plan_id))
    assert [line for line, _authority in view.signature_lines] == list(AUTHORITY_LINES)
    pdf = render_pdf(view)
    text = [
        " ".join(line.split())
        for page in PdfReader(io.BytesIO(pdf)).pages
        for line in page.extract_text().split("\n")
    ]
    start = text.index(AUTHORITY_LINES[0])
    assert text[start : start + 3] == list(AUTHORITY_LINES)

    distribution.store_document(db, plan_id, "pdf", "ke-hoach.pdf", pdf)
    distribution.start_distribution(db, plan_id)
    drain_outbox(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    assert plan_status(db, plan_id)["state"] == State.ISSUED
    sent = [(d["unit"], d["line"]) for d in deliveries(db, plan_id)]
    assert sent == [
        *((unit, "Như trên") for unit in AS_ABOVE_UNITS),
        ("ubnd-tinh", "Ủy ban nhân dân tỉnh"),
        ("mttq", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"),
        (None, "Lưu: VT, VP"),
    ]


def test_as_above_that_names_no_unit_is_refused_with_what_to_do(db: Database) -> None:
    load_directory(db, example_config("ubnd-hamliem"))
    text = STATE_PLAN.replace("Phòng Kinh tế bảo đảm", "Các bộ phận bảo đảm").replace(
        "Công an xã", "các lực lượng"
    )
    text = text.replace("Phòng Văn hóa - Xã hội chủ trì", "Các bộ phận chủ trì").replace(
        "Ban Nhân dân các thôn", "thôn"
    )
    created = plans.create_plan(db, SECRETARIAT, "ubnd-hamliem", parse(text).draft)
    plans.assign(db, created.plan_id, SECRETARIAT, reviewers=REVIEWERS)
    with pytest.raises(Invalid) as refused:
        plans.submit(db, created.plan_id, SECRETARIAT)
    assert refused.value.field == "recipients[1]"
    assert "none of them is in the address book; name them there" in refused.value.reason


def _issue(db: Database, plan_id: int) -> str:
    """Reviewed, signed, rendered and sent through the services; the printed number."""
    plans.assign(db, plan_id, SECRETARIAT, reviewers=REVIEWERS)
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)
    for reviewer in REVIEWERS:
        reviews.decide(db, plan_id, reviewer, Decision.APPROVE, version)
    symbol = signing.sign(db, plan_id, SIGNER, version).symbol
    pdf = render_pdf(document_view(documents.plan_document(db, plan_id)))
    distribution.store_document(db, plan_id, "pdf", "van-ban.pdf", pdf)
    distribution.start_distribution(db, plan_id)
    drain_outbox(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    assert plan_status(db, plan_id)["state"] == State.ISSUED
    return symbol


def test_a_state_bodys_correction_letter_prints_as_its_cong_van(db: Database) -> None:
    load_directory(db, example_config("ubnd-hamliem"))
    old = plans.create_plan(db, SECRETARIAT, "ubnd-hamliem", parse(STATE_PLAN).draft).plan_id
    assert _issue(db, old) == "Số: 01/KH-UBND"
    what = "Tại mục III: thời hạn báo cáo là ngày 15/12/2026."
    letter = replacement.correct(db, old, SECRETARIAT, what)
    version = plan_status(db, letter)
    # A state công văn's trích yếu is printed after "V/v", so it starts in lower case.
    assert str(version["title"]).startswith("đính chính Kế hoạch số 01/KH-UBND")
    assert _issue(db, letter) == "Số: 02/UBND"  # a state CV: the organ's code alone, the register's next
    assert plan_status(db, old)["state"] == State.ISSUED
    assert [(r["words"], r["plan"]) for r in related.shown(db, letter)] == [("Đính chính", old)]
    # The letter names no addressee in its text, so each "Như trên" became the units it stood for.
    told = [(d["unit"], d["line"]) for d in deliveries(db, letter)]
    assert all(line != "Như trên" for _unit, line in told)
    assert {unit for unit in AS_ABOVE_UNITS} <= {unit for unit, _line in told}
