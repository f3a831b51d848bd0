"""The format check before signing: every rule on its own (pure), then through the signing service."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from documents.plain_text import is_archive, parse
from models.content import PlanContent, RecipientLine, SignatureBlock
from models.db import Database
from models.directory import Organisation
from models.errors import Refused
from models.format_check import Issuer, Problem, blocking, check_plan, describe
from models.lifecycle import State
from models.plans import Plan
from models.policies import Decision
from models.records import AuditEntry, OutboxMessage, Register, RegisterEntry
from models.rulesets import HD05, HD36, ND30, RuleSet
from models.services import checks, plans, reviews, signing
from models.services.directory import load_directory
from tests.factory import (
    R1,
    R2,
    REPO,
    SECRETARIAT,
    SIGNER,
    build,
    current_hash,
    example_config,
    load_people,
    sample_draft,
)

PARTY = Issuer(name="ĐẢNG ỦY XÃ HÀM LIÊM", place="Hàm Liêm", code="ĐU", superior="ĐẢNG BỘ TỈNH LÂM ĐỒNG")
STATE = Issuer(name="ỦY BAN NHÂN DÂN XÃ HÀM LIÊM", place="Hàm Liêm", code="UBND", superior="TỈNH LÂM ĐỒNG")

GOOD = PlanContent(
    title="Thực hiện Nghị quyết số 12-NQ/TU về công tác dân tộc",
    summary_lines=("Thực hiện Nghị quyết số 12-NQ/TU", "về công tác dân tộc giai đoạn 2026 - 2030"),
    body="I. MỤC ĐÍCH, YÊU CẦU\n\n- Quán triệt, triển khai thực hiện nghiêm túc¹.\n\n- Kiểm tra, giám sát².",
    footnotes=("Hiện nay trên địa bàn xã có 31.595 khẩu.", "Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT."),
    recipients=(
        RecipientLine("Thường trực Tỉnh ủy", "báo cáo", "tt-tinh-uy"),
        RecipientLine("Thường trực Đảng ủy", "", "tt-dang-uy"),
        RecipientLine("Lưu Văn phòng Đảng ủy", "", None, archive=True),
    ),
    signature=SignatureBlock(
        form="T/M",
        collective="BAN THƯỜNG VỤ",
        title="PHÓ BÍ THƯ THƯỜNG TRỰC",
        signer_email="pbt@hamliem.example.vn",
        signer_name="Phan Minh Quảng",
    ),
)
GOOD_STATE = replace(
    GOOD,
    recipients=(
        RecipientLine("Sở Nội vụ", "", "so-noi-vu"),
        RecipientLine("Lưu: VT, VP", "", None, archive=True),
    ),
    signature=SignatureBlock("TM.", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "chutich@example.vn", "Mai Văn Chủ"),
)


def _sig(**changes: str) -> SignatureBlock:
    assert GOOD.signature is not None
    return replace(GOOD.signature, **changes)


def _found(problems: list[Problem]) -> list[tuple[str, str, bool]]:
    return [(p.rule, p.field, p.blocking) for p in problems]


def test_a_well_formed_plan_has_no_problem() -> None:
    assert check_plan(GOOD, PARTY, HD36) == []
    assert check_plan(GOOD, PARTY, HD05) == []
    assert check_plan(GOOD_STATE, STATE, ND30) == []


ARCHIVE_ONLY = (RecipientLine("Lưu Văn phòng Đảng ủy", "", None, archive=True),)
ARCHIVE_FIRST = (GOOD.recipients[2], GOOD.recipients[0], GOOD.recipients[1])
LONG_TITLE = "Thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026 của Tỉnh ủy về công tác dân tộc " * 4

# (what is wrong, the content, the issuer, the rule set, [(rule, field, blocking)])
CASES: list[tuple[str, PlanContent, Issuer, RuleSet, list[tuple[str, str, bool]]]] = [
    (
        "no recipient besides the archive",
        replace(GOOD, recipients=ARCHIVE_ONLY),
        PARTY,
        HD36,
        [("HD36 §1.9 Nơi nhận", "recipients", True)],
    ),
    (
        "no archive line",
        replace(GOOD, recipients=GOOD.recipients[:2]),
        PARTY,
        HD36,
        [("HD36 §1.9 Nơi nhận: bản lưu", "recipients", True)],
    ),
    (
        "archive line not last",
        replace(GOOD, recipients=ARCHIVE_FIRST),
        PARTY,
        HD36,
        [("HD36 §1.9 Nơi nhận: bản lưu", "recipients[1]", True)],
    ),
    (
        "an empty recipient line",
        replace(GOOD, recipients=(RecipientLine(" ", ""), *GOOD.recipients)),
        PARTY,
        HD36,
        [("HD36 §1.9 Nơi nhận", "recipients[1]", True)],
    ),
    (
        "state archive form in a Party plan",
        replace(
            GOOD, recipients=(*GOOD.recipients[:2], RecipientLine("Lưu: VT, VP", "", None, archive=True))
        ),
        PARTY,
        HD36,
        [("HD36 §1.9 Nơi nhận: bản lưu", "recipients[3]", False)],
    ),
    (
        "Party archive form in a state plan",
        replace(GOOD_STATE, recipients=(GOOD_STATE.recipients[0], GOOD.recipients[2])),
        STATE,
        ND30,
        [("NĐ30 PL I Nơi nhận: Lưu: VT", "recipients[2]", False)],
    ),
    (
        "no signer",
        replace(GOOD, signature=None),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature", True)],
    ),
    (
        "no signature title",
        replace(GOOD, signature=_sig(title=" ")),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.title", True)],
    ),
    (
        "no signer name",
        replace(GOOD, signature=_sig(signer_name="")),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.signer_name", True)],
    ),
    (
        "an academic rank before the name",
        replace(GOOD, signature=_sig(signer_name="TS. Phan Minh Quảng")),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.signer_name", False)],
    ),
    (
        "a state form in a Party plan",
        replace(GOOD, signature=_sig(form="TM.")),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.form", True)],
    ),
    (
        "a Party form in a state plan",
        replace(GOOD_STATE, signature=_sig(form="T/M", collective="ỦY BAN NHÂN DÂN")),
        STATE,
        ND30,
        [("NĐ30 Art. 13 Thẩm quyền ký", "signature.form", True)],
    ),
    (
        "K/T for the Ban Thường vụ",
        replace(GOOD, signature=_sig(form="K/T")),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.form", True)],
    ),
    (
        "K/T BÍ THƯ in a Party committee's plan",
        replace(GOOD, signature=_sig(form="K/T", collective="BÍ THƯ", title="PHÓ BÍ THƯ")),
        PARTY,
        HD05,
        [("HD05 Thể thức đề ký", "signature.form", True)],
    ),
    (
        "K/T for a committee written with the old tone placement (Đảng uỷ)",
        replace(GOOD, signature=_sig(form="K/T", collective="Đảng uỷ")),
        Issuer("BAN TUYÊN GIÁO TỈNH ỦY", "Lâm Đồng", "BTGTU"),
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.form", True)],
    ),
    (
        "a direct signature for a Party committee",
        replace(GOOD, signature=_sig(form="", collective="")),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.form", True)],
    ),
    (
        "a signing form that says not for whom",
        replace(GOOD, signature=_sig(collective="")),
        PARTY,
        HD36,
        [("HD36 §1.7.1 Thể thức đề ký", "signature.collective", True)],
    ),
    (
        "an empty title",
        replace(GOOD, title="", summary_lines=()),
        PARTY,
        HD36,
        [("HD36 Tên loại và trích yếu", "title", True)],
    ),
    (
        "a title too long for the title block",
        replace(GOOD, title=LONG_TITLE.strip(), summary_lines=()),
        PARTY,
        HD36,
        [("HD36 Tên loại và trích yếu", "title", True)],
    ),
    (
        "a summary ending with a full stop",
        replace(GOOD, summary_lines=(*GOOD.summary_lines[:1], "về công tác dân tộc.")),
        PARTY,
        HD36,
        [("HD36 Tên loại và trích yếu", "title", False)],
    ),
    (
        "no place name",
        GOOD,
        replace(PARTY, place=" "),
        HD36,
        [("HD36 Địa danh và ngày tháng", "organisation.place", True)],
    ),
    (
        "no issuing body name",
        GOOD,
        replace(PARTY, name=""),
        HD36,
        [("HD36 Tên cơ quan ban hành", "organisation.name", True)],
    ),
    (
        "no issuing body code",
        GOOD_STATE,
        replace(STATE, code=""),
        ND30,
        [("NĐ30 Art. 15 Số, ký hiệu", "organisation.code", True)],
    ),
    (
        "an empty body",
        replace(GOOD, body="  \n\n ", footnotes=()),
        PARTY,
        HD36,
        [("HD36 Nội dung", "body", True)],
    ),
    (
        "a body that does not end with a full stop",
        replace(GOOD, body="I. MỤC ĐÍCH¹\n\n- Kiểm tra²"),
        PARTY,
        HD36,
        [("HD36 Nội dung", "body", False)],
    ),
    (
        "an unknown footnote marker",
        replace(GOOD, body=GOOD.body + "\n\n- Báo cáo kết quả³."),
        PARTY,
        HD36,
        [("HD36 §I.4 Kiểm tra thể thức trước khi ký", "body", False)],
    ),
    (
        "a footnote without its marker",
        replace(GOOD, body=GOOD.body.replace("²", "")),
        PARTY,
        HD36,
        [("HD36 §I.4 Kiểm tra thể thức trước khi ký", "footnotes[2]", False)],
    ),
    (
        "a draft label left on a line of the body",
        replace(GOOD, body="*Dự thảo lần 2*\n\n" + GOOD.body),
        PARTY,
        HD36,
        [("HD36 §I.4 Kiểm tra thể thức trước khi ký", "body", False)],
    ),
    (
        "a draft label in the summary",
        replace(GOOD, summary_lines=(*GOOD.summary_lines, "(Dự thảo)")),
        PARTY,
        HD36,
        [("HD36 §I.4 Kiểm tra thể thức trước khi ký", "summary_lines[3]", False)],
    ),
    (
        "DỰ THẢO in capitals in the title",
        replace(GOOD_STATE, title="DỰ THẢO " + GOOD.title),
        STATE,
        ND30,
        [("NĐ30 Art. 12 Kiểm tra trước khi ký", "title", False)],
    ),
]


@pytest.mark.parametrize(
    ("content", "issuer", "ruleset", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule(content: PlanContent, issuer: Issuer, ruleset: RuleSet, expected: list[Any]) -> None:
    problems = check_plan(content, issuer, ruleset)
    assert _found(problems) == expected, problems
    assert all(p.message for p in problems)


def test_the_words_of_a_problem_say_what_to_do() -> None:
    problems = check_plan(replace(GOOD, signature=_sig(form="K/T")), PARTY, HD36)
    assert "a deputy signs T/M" in problems[0].message
    problems = check_plan(replace(GOOD, title=LONG_TITLE, summary_lines=()), PARTY, HD36)
    assert "at most 4" in problems[0].message and "shorten" in problems[0].message


def test_deputies_may_sign_for_a_state_collective_and_for_a_party_advisory_body() -> None:
    kt = replace(
        GOOD_STATE,
        signature=SignatureBlock("TM.", "ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "p@x.vn", "Lê B"),
    )
    assert check_plan(kt, STATE, ND30) == []
    tm = replace(
        GOOD_STATE, signature=SignatureBlock("TM.", "ỦY BAN NHÂN DÂN", "PHÓ CHỦ TỊCH", "p@x.vn", "Lê B")
    )
    assert check_plan(tm, STATE, ND30) == []
    board = Issuer("BAN TUYÊN GIÁO TỈNH ỦY", "Lâm Đồng", "BTGTU", "TỈNH ỦY LÂM ĐỒNG")
    deputy = replace(GOOD, signature=_sig(form="K/T", collective="TRƯỞNG BAN", title="PHÓ TRƯỞNG BAN"))
    assert check_plan(deputy, board, HD36) == []
    head = replace(GOOD, signature=_sig(form="", collective="", title="TRƯỞNG BAN"))
    assert check_plan(head, board, HD36) == []
    by_order = replace(GOOD, signature=_sig(form="T/L", collective="BAN THƯỜNG VỤ", title="CHÁNH VĂN PHÒNG"))
    assert check_plan(by_order, PARTY, HD36) == []


def test_every_problem_is_listed_in_document_order() -> None:
    bad = replace(GOOD, title="", summary_lines=(), body="", footnotes=(), recipients=(), signature=None)
    problems = check_plan(bad, replace(PARTY, place=""), HD05)
    assert [p.field for p in problems] == [
        "organisation.place",
        "title",
        "body",
        "recipients",
        "recipients",
        "signature",
    ]
    assert all(p.blocking and p.rule.startswith("HD05 ") for p in problems)
    assert blocking(problems) == problems
    text = describe(problems)
    assert (
        text.count("[HD05 ") == 6 and "[HD05 Nơi nhận] recipients: the Nơi nhận list has no recipient" in text
    )


@pytest.mark.parametrize(
    ("seed", "issuer", "ruleset"),
    [
        (
            "000_c7129e358e0d37a5.txt",
            Issuer("ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP", "Trà Vinh", "ĐUK"),
            HD36,
        ),
        ("004_f456acc7e9262ea1.txt", PARTY, HD05),
    ],
)
def test_both_seeds_pass(seed: str, issuer: Issuer, ruleset: RuleSet) -> None:
    draft = parse((REPO / "examples" / "seeds" / seed).read_text(encoding="utf-8")).draft
    content = PlanContent(
        title=draft.title,
        body=draft.body,
        summary_lines=draft.summary_lines,
        footnotes=draft.footnotes,
        recipients=tuple(
            RecipientLine(text, note, archive=is_archive(text)) for text, note in draft.recipient_lines
        ),
        signature=SignatureBlock(
            draft.sign_form, draft.sign_collective, draft.sign_title, "", draft.signer_name
        ),
    )
    assert check_plan(content, issuer, ruleset) == []


# ---- through the signing service ---------------------------------------------------------------


def _snapshot(db: Database, plan_id: int) -> dict[str, Any]:
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None

        def count(model: Any) -> int:
            return int(session.exec(select(func.count()).select_from(model)).one())

        return {
            "state": plan.state,
            "row_version": plan.row_version,
            "number": plan.number,
            "symbol": plan.symbol,
            "signed_at": plan.signed_at,
            "registers": [
                (r.org_key, r.doc_type, r.scope, r.last_number) for r in session.exec(select(Register))
            ],
            "entries": count(RegisterEntry),
            "audit": count(AuditEntry),
            "outbox": count(OutboxMessage),
        }


def _approved(db: Database, title: str, body: str) -> tuple[int, str]:
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", replace(sample_draft(title), body=body)).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2])
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)
    for reviewer in (R1, R2):
        reviews.decide(db, plan_id, reviewer, Decision.APPROVE, version)
    return plan_id, version


def test_signing_is_refused_while_a_blocking_problem_remains_and_nothing_changes(db: Database) -> None:
    load_people(db)
    plan_id, version = _approved(db, LONG_TITLE.strip(), body="")
    report = checks.check(db, plan_id)
    assert [(p.field, p.blocking) for p in report.blocking] == [("title", True), ("body", True)]
    before = _snapshot(db, plan_id)

    with pytest.raises(Refused) as refused:
        signing.sign(db, plan_id, SIGNER, version)
    error = refused.value
    assert error.field == "format"
    rules = report.ruleset
    assert f"[{rules.short} Tên loại và trích yếu] title:" in error.reason
    assert f"[{rules.short} Nội dung] body: the body is empty" in error.reason
    assert "2 format problem(s)" in error.reason and rules.name in error.reason
    assert _snapshot(db, plan_id) == before  # no number, no state change, no audit entry, no email

    plans.withdraw(db, plan_id, SECRETARIAT, "sai thể thức")  # the office can still take it back


def test_signing_succeeds_once_the_problem_is_fixed_and_the_number_has_no_gap(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.APPROVED)
    version = current_hash(db, plan_id)
    with db.write() as session:  # an organisation row without its place name (e.g. from an old import)
        org = session.exec(select(Organisation).where(Organisation.key == "hamliem")).one()
        org.place = ""
        session.add(org)
    before = _snapshot(db, plan_id)
    with pytest.raises(Refused) as refused:
        signing.sign(db, plan_id, SIGNER, version)
    assert refused.value.field == "format" and "organisation.place" in refused.value.reason
    assert _snapshot(db, plan_id) == before

    load_directory(db, example_config())  # the place name is back
    report = checks.check(db, plan_id)
    assert report.blocking == ()
    # sample_draft's footnote has no marker in the body: reported, but it does not block.
    assert [(p.field, p.blocking) for p in report.problems] == [("footnotes[1]", False)]
    assert signing.sign(db, plan_id, SIGNER, version).symbol == "Số 01-KH/ĐU"
    assert checks.check(db, plan_id).ruleset.name == report.ruleset.name


def test_the_rule_set_of_the_signing_day_applies(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.APPROVED)
    db.clock = lambda: datetime(2026, 5, 26, 17, 0, tzinfo=UTC)  # 00:00 on 27 May in Vietnam
    assert checks.check(db, plan_id).ruleset is HD05
    db.clock = lambda: datetime(2026, 5, 26, 16, 59, tzinfo=UTC)  # 23:59 on 26 May in Vietnam
    assert checks.check(db, plan_id).ruleset is HD36
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    db.clock = lambda: datetime(2026, 8, 1, 3, 0, tzinfo=UTC)
    assert checks.check(db, plan_id).ruleset is HD36  # a signed plan keeps the rule set of its signing day
