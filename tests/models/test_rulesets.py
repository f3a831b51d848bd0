"""Rule sets: the one in force on a date, and where the Party and state rules differ."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest

from documents.render import DocumentView, render_html, render_text
from models.numbering import System, symbol
from models.rulesets import HD05, HD36, ND30, RULESETS, Clause, ruleset_for


@pytest.mark.parametrize(
    ("system", "on", "expected"),
    [
        (System.PARTY, date(2018, 4, 3), HD36),
        (System.PARTY, date(2021, 11, 8), HD36),  # seed 000
        (System.PARTY, date(2026, 5, 26), HD36),  # the last day of HD36
        (System.PARTY, date(2026, 5, 27), HD05),  # 05-HD/VPTW from 27/5/2026
        (System.PARTY, date(2030, 1, 1), HD05),
        ("party", date(2026, 12, 1), HD05),
        (System.STATE, date(2020, 3, 5), ND30),
        (System.STATE, date(2026, 5, 27), ND30),
    ],
)
def test_the_rule_set_in_force_on_a_date(system: System | str, on: date, expected: object) -> None:
    assert ruleset_for(system, on) is expected


@pytest.mark.parametrize(
    ("system", "on"), [(System.PARTY, date(2018, 4, 2)), (System.STATE, date(2020, 3, 4))]
)
def test_before_the_first_rule_set_there_is_none(system: System, on: date) -> None:
    with pytest.raises(LookupError, match=on.isoformat()):
        ruleset_for(system, on)


def test_each_system_has_one_rule_set_on_any_day_from_its_first() -> None:
    for system in System:
        sets = sorted((r for r in RULESETS if r.system is system), key=lambda r: r.effective_from)
        for older, newer in pairwise(sets):
            assert older.effective_to is not None
            assert older.effective_to + timedelta(days=1) == newer.effective_from, (older.name, newer.name)
        assert sets[-1].effective_to is None
    assert len({r.name for r in RULESETS}) == len({r.short for r in RULESETS}) == len(RULESETS)


def test_every_rule_set_cites_every_clause() -> None:
    for ruleset in RULESETS:
        for clause in Clause:
            assert ruleset.cite(clause).startswith(ruleset.short + " ")
    assert HD36.cite(Clause.RECIPIENTS) == "HD36 §1.9 Nơi nhận"
    assert HD36.cite(Clause.SIGNATURE) == "HD36 §1.7.1 Thể thức đề ký"
    assert ND30.cite(Clause.SIGNATURE) == "NĐ30 Art. 13 Thẩm quyền ký"
    assert ND30.cite(Clause.RECIPIENTS) == "NĐ30 Art. 8 Nơi nhận"


def test_party_and_state_differ_where_the_rules_differ() -> None:
    party, state = HD05, ND30
    # Header: the Party heading and a star; the Quốc hiệu, the Tiêu ngữ and a rule.
    assert party.heading_lines == ("ĐẢNG CỘNG SẢN VIỆT NAM",) and party.under_issuer == "*"
    assert state.heading_lines[1] == "Độc lập - Tự do - Hạnh phúc" and state.under_issuer == "rule"
    # Number: "Số 38-KH/ĐUK" against "Số: 38/KH-UBND", as the numbering module prints them.
    assert party.number_prefix == "Số " and state.number_prefix == "Số: "

    assert re.match(party.symbol_pattern, symbol(System.PARTY, 38, "KH", "ĐUK"))
    assert re.match(party.symbol_pattern, symbol(System.PARTY, 5, "QĐi", "ThU"))
    assert re.match(state.symbol_pattern, symbol(System.STATE, 38, "KH", "UBND"))
    assert not re.match(party.symbol_pattern, symbol(System.STATE, 38, "KH", "UBND"))
    assert not re.match(state.symbol_pattern, symbol(System.PARTY, 38, "KH", "ĐUK"))
    # Nơi nhận: line ends, label style and sizes, and the archive line.
    assert (party.recipient_line_end, state.recipient_line_end) == (",", ";")
    assert (party.recipients_label_style, state.recipients_label_style) == ("underline", "bold italic")
    assert (party.sizes.recipients_label, party.sizes.recipients) == (14, 12)
    assert (state.sizes.recipients_label, state.sizes.recipients) == (12, 11)
    assert party.archive_ok("Lưu Văn phòng Đảng ủy") and not state.archive_ok("Lưu Văn phòng Đảng ủy")
    assert state.archive_ok("Lưu: VT, VP") and not party.archive_ok("Lưu: VT, VP")
    assert not party.archive_ok("Lưu VT, VP")
    # Signing: slash forms against dot forms; K/T refused for a Party collective, KT. allowed.
    assert set(party.signing_forms) == {"T/M", "K/T", "T/L", "Q."}
    assert set(state.signing_forms) == {"TM.", "KT.", "TL.", "TUQ.", "Q."}
    assert not party.deputy_for_collective and state.deputy_for_collective
    assert party.is_collective("BAN THƯỜNG VỤ") and party.is_collective("BÍ THƯ", issuer_code="ĐUK")
    assert not party.is_collective("TRƯỞNG BAN", issuer_code="BTGTU")
    assert (party.signer_title_bold, state.signer_title_bold) == (False, True)
    # Page and type: fixed Party margins, state ranges; heading and type name sizes.
    assert party.margins.css == "20mm 15mm 20mm 30mm" and party.margins.left == (30, 30)
    assert state.margins.left == (30, 35) and state.margins.top == (20, 25)
    assert (party.sizes.heading, state.sizes.heading) == (15, 13)
    assert (party.sizes.type_name, state.sizes.type_name) == (15, 14)
    assert party.body_endings == (".",) and "./." in state.body_endings


def test_hd05_keeps_the_hd36_layout_until_its_text_says_otherwise() -> None:
    assert (HD05.margins, HD05.sizes, HD05.signing_forms) == (HD36.margins, HD36.sizes, HD36.signing_forms)
    assert HD05.name != HD36.name and HD05.effective_from == date(2026, 5, 27)


def test_the_renderers_use_the_rule_set_of_the_view() -> None:
    party = DocumentView(
        org_name="ĐẢNG ỦY XÃ HÀM LIÊM",
        org_code="ĐU",
        body="Nội dung.",
        recipients=(("Thường trực Đảng ủy", "", False), ("Lưu Văn phòng", "", True)),
        rules_on=date(2021, 11, 8),
    )
    state = replace(party, party=False, rules_on=date(2026, 6, 1))
    assert party.ruleset_name == HD36.name and state.ruleset_name == ND30.name
    assert replace(party, rules_on=date(2010, 1, 1)).ruleset_name == HD36.name  # laid out by the first
    html = render_html(state)
    assert ".rcp { font-size: 11pt;" in html and "margin: 20mm 15mm 20mm 30mm;" in html
    assert ".rcp { font-size: 12pt;" in render_html(party)
    assert "- Thường trực Đảng ủy;" in render_text(state) and "- Thường trực Đảng ủy," in render_text(party)
