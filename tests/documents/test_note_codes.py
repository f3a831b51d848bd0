"""Importer notes have codes: every code has an English and a Vietnamese message, the English one
reproduces the text printed before codes, and every producer builds its notes from the table."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from documents.docx_import import parse_docx
from documents.fields import read_fields
from documents.intake import ImportLimits
from documents.plain_text import parse
from models.note_messages import NOTE_MESSAGES, english, vietnamese_place
from models.notes import Note
from tests.documents.seeds import SEED_000, SEED_004
from tests.documents.wordbuild import seed_docx

ROOT = Path(__file__).resolve().parents[2]
PRODUCERS = [
    "documents/plain_text.py",
    "documents/docx_import.py",
    "documents/header_fields.py",
    "documents/closing_fields.py",
    "documents/signature_fields.py",
    "models/services/plans.py",
]
# A note code given to `self.note(…)` or `Note(…)`; error codes are given as `code="…"`.
NOTE_CODE = re.compile(r'(?<!code=)"((?:import|docx|fields|recipients|signature|plan)\.[a-z_]+)"')


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(NOTE_MESSAGES))
def test_every_code_has_both_messages_over_the_same_params(code: str) -> None:
    message = NOTE_MESSAGES[code]
    assert message.en and message.vi and message.en != message.vi
    assert fields(message.vi) == fields(message.en), code
    assert message.vi[0].isupper() or message.vi[0] in "“{", code  # a sentence a person reads


def test_every_code_a_producer_names_is_in_the_table_and_every_entry_is_used() -> None:
    source = "\n".join((ROOT / path).read_text(encoding="utf-8") for path in PRODUCERS)
    named = set(NOTE_CODE.findall(source))
    assert named and named <= set(NOTE_MESSAGES), named - set(NOTE_MESSAGES)
    # "recipients.as_above…_unknown" and "plan.duplicate_text_issued" are named as the code they extend.
    assert {c.removesuffix("_unknown").removesuffix("_issued") for c in NOTE_MESSAGES} <= named
    for path in PRODUCERS:  # no note is built as free text any more
        text = (ROOT / path).read_text(encoding="utf-8")
        assert not re.search(r"notes(\s\+?=\s\[|\.append\()f\"", text), path


def test_the_english_text_is_the_place_and_the_message() -> None:
    note = Note("line 3", "import.number_dropped", number="Số: /KH-UBND")
    assert note == "line 3: number 'Số: /KH-UBND' dropped: the official number is assigned at issuance"
    assert note.message == "Dòng 3: Đã bỏ số “Số: /KH-UBND”: số văn bản do văn thư cấp khi ban hành."
    assert Note.from_entry(note.as_entry()) == note and Note.from_entry(note.as_entry()).code == note.code
    moved = note.at("paragraph 2 (table 1, row 1, cell 2)")
    assert moved.code == note.code and moved.message.startswith("Đoạn 2 (bảng 1, hàng 1, ô 2): ")
    assert vietnamese_place("recipients[2]") == "Nơi nhận, dòng 2"
    assert (
        english("signature.unknown_signer", {"name": "A", "org": "B"})
        == "'A' is not a person of B; assign a signer"
    )


def _coded(notes: tuple[Note, ...]) -> None:
    assert notes
    for note in notes:
        assert isinstance(note, Note) and note.code in NOTE_MESSAGES, note
        assert note == f"{note.where}: {english(note.code, note.params)}"
        assert "dropped" not in note.message and "line" not in note.message


@pytest.mark.parametrize("seed", [SEED_000, SEED_004], ids=["000", "004"])
def test_the_text_and_word_importers_give_coded_notes(seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    _coded(parse(text, ImportLimits()).notes)
    word = seed_docx(text, header=("Đảng bộ", "Đảng ủy", "Số -KH/ĐU", "ngày"))
    _coded(parse_docx(word, ImportLimits()).notes)
    _coded(read_fields(f"xem bản in\n{text}").notes)  # copied text, a word the header has no field for


def test_a_header_the_settings_print_is_noted_with_its_code() -> None:
    text = "ỦY BAN NHÂN DÂN\nSố: /KH-UBND\n\nKẾ HOẠCH\nThử\n\nI. MỤC ĐÍCH\n\n- Một.\n"
    notes = parse(text, ImportLimits()).notes
    codes = [n.code for n in notes]
    assert "import.header_dropped" in codes and "import.number_dropped" in codes
    _coded(notes)
