"""Every common document type through the same import and the same renderers: the type read off
its type line (or, for a công văn, its "V/v …" trích yếu under the number), printed as its rule
set says, and stored on the plan so numbering and the register use it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest

from documents.official import official_document
from documents.plain_text import parse
from documents.render import DocumentView, render_pdf, render_text
from models.db import Database
from models.errors import Invalid
from models.plans import Plan
from models.services import plans
from models.services.directory import load_directory
from tests.factory import example_config

CORPUS = Path(__file__).parent / "corpus"
STATE_SECRETARIAT = "vanphong@ubnd-hamliem.example.vn"


def _expected(path: Path) -> dict[str, object]:
    data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def test_every_type_in_the_corpus_is_read_off_its_document() -> None:
    """Each corpus document the importer takes gets the type written by hand in its .json; each
    it refuses is one a person could not import either: a fragment cut before its body, or a
    copy without its header."""
    taken: dict[str, str] = {}
    for path in _corpus():
        expected = _expected(path)
        header = expected["header"]
        assert isinstance(header, dict)
        try:
            draft = parse(path.read_text(encoding="utf-8")).draft
        except Invalid as refused:
            no_header = all(value is None for value in header.values())
            assert not expected["complete"] or no_header, (path.name, refused.reason)
            continue
        assert draft.doc_type == header["type_code"], path.name
        taken[path.name] = draft.doc_type
    # The corpus holds at least 8 types; each of them is imported.
    assert len(taken) >= 60
    assert {"KH", "QĐ", "CV", "TB", "TTr", "CT", "HD", "NQ", "KL"} <= set(taken.values())


CONG_VAN = """\
ỦY BAN NHÂN DÂN TỈNH HẬU GIANG
Số: 1234/UBND-VX
V/v tổ chức Tháng hành động vì trẻ em

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hậu Giang, ngày 20 tháng 5 năm 2026

Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố

Thực hiện chỉ đạo của Bộ Lao động - Thương binh và Xã hội, Ủy ban nhân dân tỉnh đề nghị các địa \
phương tổ chức các hoạt động trong Tháng hành động vì trẻ em năm 2026.

Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Đồng Văn Thanh
"""


def test_a_cong_van_is_read_without_a_type_line() -> None:
    parsed = parse(CONG_VAN)
    draft = parsed.draft
    assert draft.doc_type == "CV"
    assert draft.title == "tổ chức Tháng hành động vì trẻ em"
    assert draft.body.split("\n\n")[0] == "Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert draft.sign_lines == ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    # Its header lines are accounted for in the notes, the trích yếu is not among them.
    assert any(note.startswith("line 2: number 'Số: 1234/UBND-VX' dropped") for note in parsed.notes)
    assert not any("V/v" in note for note in parsed.notes), parsed.notes


def _pdf_lines(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [line.strip() for line in reader.pages[0].extract_text().splitlines() if line.strip()]


def test_a_state_cong_van_prints_its_trich_yeu_under_the_number_and_no_type_line() -> None:
    view = DocumentView.from_draft(
        parse(CONG_VAN).draft, org_name="Ủy ban nhân dân tỉnh Hậu Giang", party=False, org_code="UBND"
    )
    assert view.type_name == ""
    # A state công văn's symbol has no type code: the blank number, then the body's code.
    assert view.symbol_text.startswith("Số: ") and view.symbol_text.endswith("/UBND")
    assert "CV" not in view.symbol_text
    text = render_text(view)
    assert "V/v tổ chức Tháng hành động vì trẻ em" in text
    assert "KẾ HOẠCH" not in text and "-----" not in text
    lines = _pdf_lines(render_pdf(view))
    assert any(line.endswith("/UBND") for line in lines), lines
    assert "V/v tổ chức Tháng hành động vì trẻ em" in " ".join(lines)
    assert not any(line in {"KẾ HOẠCH", "CÔNG VĂN"} for line in lines)


def test_a_decision_prints_its_type_line() -> None:
    path = CORPUS / "state-016-vinhlong-qd-thu-hoi-quyet-dinh.txt"
    view = DocumentView.from_draft(
        parse(path.read_text(encoding="utf-8")).draft, party=False, org_code="UBND"
    )
    assert view.type_name == "QUYẾT ĐỊNH"
    lines = _pdf_lines(render_pdf(view))
    assert "QUYẾT ĐỊNH" in lines
    assert "/QĐ-UBND" in lines[0], lines


@pytest.fixture
def state_org(db: Database) -> str:
    load_directory(db, example_config("ubnd-hamliem"))
    return "ubnd-hamliem"


def test_an_imported_cong_van_becomes_a_plan_of_its_type(db: Database, state_org: str) -> None:
    created = plans.create_plan(db, STATE_SECRETARIAT, state_org, parse(CONG_VAN).draft)
    with db.read() as session:
        plan = session.get(Plan, created.plan_id)
        assert plan is not None and plan.doc_type == "CV"
    download = official_document(db, created.plan_id, "pdf")
    lines = _pdf_lines(download.content)
    assert "V/v tổ chức Tháng hành động vì trẻ em" in " ".join(lines)
    assert download.filename.startswith("CV-")
