"""The format check on signature blocks of several lines: every line's form belongs to the rule
set, and a deputy of a collective state body signs under the body's authority line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models.content import SignatureBlock
from models.delegation import signed_for
from models.format_check import Issuer, check_plan
from models.rulesets import ND30
from tests.models.test_format_check import GOOD_STATE, STATE


def _block(form: str, collective: str, title: str) -> SignatureBlock:
    return SignatureBlock(form, collective, title, "pct@hamliem.example.vn", "Lê Văn Phó")


def test_the_three_line_state_block_passes() -> None:
    content = replace(GOOD_STATE, signature=_block("TM.", "ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"))
    assert check_plan(content, STATE, ND30) == []


def test_a_deputy_of_a_collective_body_without_its_authority_line_is_flagged() -> None:
    content = replace(GOOD_STATE, signature=_block("KT.", "CHỦ TỊCH", "PHÓ CHỦ TỊCH"))
    problems = check_plan(content, STATE, ND30)
    assert [(p.rule, p.field, p.blocking) for p in problems] == [
        ("NĐ30 Art. 13 Thẩm quyền ký", "signature.lines[1]", True)
    ]
    assert "'KT. CHỦ TỊCH'" in problems[0].message and "TM. ỦY BAN NHÂN DÂN" in problems[0].message


def test_a_deputy_of_a_single_head_signs_without_an_authority_line() -> None:
    department = Issuer("SỞ NỘI VỤ", "Lâm Đồng", "SNV", "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG")
    content = replace(GOOD_STATE, signature=_block("KT.", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"))
    assert check_plan(content, department, ND30) == []


@pytest.mark.parametrize(
    ("title", "line"),
    [("K/T CHỦ TỊCH\nPHÓ CHỦ TỊCH", "K/T CHỦ TỊCH"), ("T/L CHỦ TỊCH\nCHÁNH VĂN PHÒNG", "T/L CHỦ TỊCH")],
)
def test_a_party_form_on_any_line_of_a_state_block_is_flagged(title: str, line: str) -> None:
    content = replace(GOOD_STATE, signature=_block("TM.", "ỦY BAN NHÂN DÂN", title))
    problems = check_plan(content, STATE, ND30)
    assert [(p.field, p.blocking) for p in problems] == [("signature.lines[2]", True)]
    assert f"line 2 '{line}'" in problems[0].message


def test_authorising_a_three_line_block_signs_for_the_head() -> None:
    block = _block("TM.", "ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH")
    signed = signed_for(block, ND30, "Trần Văn Ủy", "Chánh Văn phòng", "cvp@hamliem.example.vn")
    assert signed.lines == ("TUQ. CHỦ TỊCH", "CHÁNH VĂN PHÒNG")


def test_a_party_form_on_the_first_line_is_named_with_its_line() -> None:
    content = replace(GOOD_STATE, signature=_block("T/M", "ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"))
    problems = check_plan(content, STATE, ND30)
    assert [(p.field, p.blocking) for p in problems] == [("signature.form", True)]
    assert "line 1 'T/M ỦY BAN NHÂN DÂN': 'T/M' is not a signing form of NĐ 30" in problems[0].message
