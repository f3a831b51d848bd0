"""Official numbers: the pure rules of models/numbering.py, and allocation at issuance (per term for
Party bodies, per calendar year in Vietnam for state bodies; gap-free across OS processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from models.content import Draft
from models.db import Database
from models.directory import Organisation
from models.lifecycle import State
from models.numbering import RegisterKey, System, date_line, register_key, symbol
from models.plans import Plan
from models.policies import Decision
from models.records import Register, RegisterEntry
from models.services import audit, plans, reviews, signing
from models.services.directory import load_directory
from tests.factory import (
    R1,
    R2,
    SECRETARIAT,
    SIGNER,
    build,
    current_hash,
    example_config,
    load_people,
    sample_draft,
)

REPO = Path(__file__).resolve().parents[2]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# ---- pure rules -------------------------------------------------------------------------------


def test_party_registers_run_per_type_and_term_not_per_year() -> None:
    before = register_key(System.PARTY, "ĐUK", "KH", "2020-2025", utc(2024, 12, 31, 16, 0))
    after = register_key(System.PARTY, "ĐUK", "KH", "2020-2025", utc(2025, 6, 1))
    assert before == after == RegisterKey("ĐUK", "KH", "2020-2025")
    assert register_key(System.PARTY, "ĐUK", "TB", "2020-2025", utc(2025, 6, 1)) != after
    assert register_key(System.PARTY, "ĐUK", "KH", "2025-2030", utc(2025, 6, 1)) != after


def test_state_registers_run_per_calendar_year_for_every_type() -> None:
    kh = register_key(System.STATE, "UBND", "KH", "", utc(2026, 3, 1))
    tb = register_key(System.STATE, "UBND", "TB", "ignored", utc(2026, 11, 1))
    assert kh == tb == RegisterKey("UBND", "", "2026")


@pytest.mark.parametrize(
    ("at", "year"),
    [
        (utc(2026, 12, 31, 16, 59, 59), "2026"),  # 23:59:59 in Hà Nội
        (utc(2026, 12, 31, 17, 0, 0), "2027"),  # midnight in Hà Nội
        (utc(2026, 12, 31, 17, 30), "2027"),  # 00:30 on 1 January in Hà Nội, still 2026 in UTC
        (datetime(2027, 1, 1, 0, 30, tzinfo=UTC).astimezone(UTC), "2027"),
    ],
)
def test_the_year_is_taken_in_vietnam(at: datetime, year: str) -> None:
    assert register_key(System.STATE, "UBND", "KH", "", at).scope == year


def test_numbering_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError):
        register_key(System.STATE, "UBND", "KH", "", datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("system", "number", "doc_type", "org", "printed"),
    [
        (System.PARTY, 38, "KH", "ĐUK", "Số 38-KH/ĐUK"),
        (System.PARTY, 5, "KH", "ĐUK", "Số 05-KH/ĐUK"),
        (System.PARTY, 1, "TB", "ĐU", "Số 01-TB/ĐU"),
        (System.PARTY, 10, "KH", "ĐU", "Số 10-KH/ĐU"),
        (System.PARTY, 123, "KH", "ĐU", "Số 123-KH/ĐU"),
        (System.STATE, 5, "KH", "UBND", "Số: 05/KH-UBND"),
        (System.STATE, 38, "KH", "UBND", "Số: 38/KH-UBND"),
        (System.STATE, 9, "QĐ", "UBND", "Số: 09/QĐ-UBND"),
        # A state công văn has no type code in its symbol; a Party one has "CV" (vn-documents.md §3).
        (System.STATE, 1024, "CV", "UBND", "Số: 1024/UBND"),
        (System.PARTY, 12, "CV", "TU", "Số 12-CV/TU"),
    ],
)
def test_symbols(system: System, number: int, doc_type: str, org: str, printed: str) -> None:
    assert symbol(system, number, doc_type, org) == printed


@pytest.mark.parametrize(
    ("at", "line"),
    [
        (utc(2026, 2, 4, 17, 0), "Hàm Liêm, ngày 05 tháng 02 năm 2026"),  # 00:00 on 5 Feb in Vietnam
        (utc(2026, 1, 9, 3, 0), "Hàm Liêm, ngày 09 tháng 01 năm 2026"),
        (utc(2026, 3, 9, 3, 0), "Hàm Liêm, ngày 09 tháng 3 năm 2026"),  # months from 3 on: no zero
        (utc(2026, 10, 15, 3, 0), "Hàm Liêm, ngày 15 tháng 10 năm 2026"),
        (utc(2026, 12, 31, 17, 30), "Hàm Liêm, ngày 01 tháng 01 năm 2027"),
        (utc(2026, 12, 31, 16, 59), "Hàm Liêm, ngày 31 tháng 12 năm 2026"),
    ],
)
def test_date_line(at: datetime, line: str) -> None:
    assert date_line("Hàm Liêm", at) == line


# ---- allocation at issuance -------------------------------------------------------------------


def _state_config(key: str = "ubnd-hamliem", domain: str = "ubnd.hamliem.example.vn") -> dict[str, Any]:
    return {
        "organisation": {
            "key": key,
            "code": "UBND",
            "name": "ỦY BAN NHÂN DÂN XÃ HÀM LIÊM",
            "superior": "TỈNH LÂM ĐỒNG",
            "place": "Hàm Liêm",
            "system": "state",
        },
        "people": [
            {"email": f"vanthu@{domain}", "name": "Hồ Thị Văn", "roles": ["secretariat"]},
            {"email": f"tuphap@{domain}", "name": "Đỗ Văn Pháp", "roles": ["reviewer"]},
            {"email": f"chutich@{domain}", "name": "Mai Văn Chủ", "title": "Chủ tịch", "roles": ["signer"]},
        ],
        "units": [{"code": "so-noi-vu", "name": "Sở Nội vụ", "email": "sonoivu@lamdong.example.vn"}],
    }


def _state_plan(
    db: Database, doc_type: str, key: str = "ubnd-hamliem", domain: str = "ubnd.hamliem.example.vn"
) -> tuple[int, str]:
    """A plan of the state body brought to 'approved'; returns (plan id, version hash)."""
    draft = Draft(
        title=f"Kế hoạch {doc_type} của UBND xã",
        body="1. Mục đích",
        recipient_lines=(("Sở Nội vụ", ""), ("Lưu: VT, VP", "")),
        sign_form="TM.",
        sign_collective="ỦY BAN NHÂN DÂN",
        signer_name="Mai Văn Chủ",
    )
    created = plans.create_plan(db, f"vanthu@{domain}", key, draft, doc_type=doc_type)
    # The plans share one text on purpose; that is noted, and nothing else is.
    assert [n for n in created.notes if not n.startswith("duplicate: ")] == []
    plans.assign(db, created.plan_id, f"vanthu@{domain}", reviewers=[f"tuphap@{domain}"])
    plans.submit(db, created.plan_id, f"vanthu@{domain}")
    version = current_hash(db, created.plan_id)
    reviews.decide(db, created.plan_id, f"tuphap@{domain}", Decision.APPROVE, version)
    return created.plan_id, version


def _sign_at(db: Database, at: datetime, plan_id: int, signer: str, version: str) -> signing.Signed:
    clock = db.clock
    db.clock = lambda: at
    try:
        return signing.sign(db, plan_id, signer, version)
    finally:
        db.clock = clock


def test_a_state_body_numbers_per_vietnamese_calendar_year(db: Database) -> None:
    load_directory(db, _state_config())
    signer = "chutich@ubnd.hamliem.example.vn"
    a, b, c, d = (_state_plan(db, t) for t in ("KH", "TB", "KH", "QĐ"))

    assert _sign_at(db, utc(2026, 6, 1, 3), a[0], signer, a[1]).symbol == "Số: 01/KH-UBND"
    # 23:59 on 31 December in Vietnam: still 2026; one series for every document type.
    assert _sign_at(db, utc(2026, 12, 31, 16, 59), b[0], signer, b[1]).symbol == "Số: 02/TB-UBND"
    # 00:30 on 1 January 2027 in Vietnam (17:30 UTC on 31 December): a new year, a new series.
    assert _sign_at(db, utc(2026, 12, 31, 17, 30), c[0], signer, c[1]).symbol == "Số: 01/KH-UBND"
    assert _sign_at(db, utc(2027, 2, 1, 3), d[0], signer, d[1]).symbol == "Số: 02/QĐ-UBND"

    with db.read() as s:
        registers = {r.scope: (r.doc_type, r.last_number) for r in s.exec(select(Register)).all()}
        c_plan = s.get(Plan, c[0])
        assert c_plan is not None and c_plan.signed_at == utc(2026, 12, 31, 17, 30)
        assert (c_plan.number, c_plan.symbol) == (1, "Số: 01/KH-UBND")
    assert registers == {"2026": ("", 2), "2027": ("", 2)}


def test_a_party_body_numbers_per_type_and_committee_term(db: Database) -> None:
    load_people(db)
    kh1, kh2, kh3, kh4 = (build(db, State.APPROVED) for _ in range(4))
    tb = plans.create_plan(
        db, SECRETARIAT, "hamliem", sample_draft("Thông báo kết luận"), doc_type="TB"
    ).plan_id
    plans.assign(db, tb, SECRETARIAT, reviewers=[R1, R2])
    plans.submit(db, tb, SECRETARIAT)
    for reviewer in (R1, R2):
        reviews.decide(db, tb, reviewer, Decision.APPROVE, current_hash(db, tb))

    def sign(plan_id: int, at: datetime) -> str:
        return _sign_at(db, at, plan_id, SIGNER, current_hash(db, plan_id)).symbol

    assert sign(kh1, utc(2026, 5, 4, 2)) == "Số 01-KH/ĐU"
    assert sign(tb, utc(2026, 5, 4, 3)) == "Số 01-TB/ĐU"
    assert sign(kh2, utc(2026, 12, 31, 17, 30)) == "Số 02-KH/ĐU"  # a new year does not restart the term
    config = example_config()
    config["organisation"]["term"] = "2030-2035"  # type: ignore[index]
    load_directory(db, config)
    assert sign(kh3, utc(2030, 11, 2, 2)) == "Số 01-KH/ĐU"  # a new term does
    assert sign(kh4, utc(2030, 11, 2, 3)) == "Số 02-KH/ĐU"


def test_two_organisations_with_the_same_code_keep_separate_registers(db: Database) -> None:
    load_directory(db, _state_config())
    other = _state_config("ubnd-hamthanh", "ubnd.hamthanh.example.vn")
    other["organisation"]["name"] = "ỦY BAN NHÂN DÂN XÃ HÀM THẠNH"
    load_directory(db, other)
    ours = _state_plan(db, "KH")
    theirs = _state_plan(db, "KH", "ubnd-hamthanh", "ubnd.hamthanh.example.vn")
    at = utc(2026, 6, 1, 3)
    assert _sign_at(db, at, ours[0], "chutich@ubnd.hamliem.example.vn", ours[1]).number == 1
    assert _sign_at(db, at, theirs[0], "chutich@ubnd.hamthanh.example.vn", theirs[1]).number == 1


# ---- the race: signing from several OS processes ----------------------------------------------

SIGNER_PROCESS = """
import sys
from models.db import Database
from models.services import signing

url, signer = sys.argv[1], sys.argv[2]
db = Database.from_url(url)
with db.engine.connect():  # connect (and keep the pooled connection) before the start signal
    pass
print("ready", flush=True)
jobs = sys.stdin.readline().split()  # the start signal: "plan_id:hash plan_id:hash ..."
done = []
for job in jobs:
    plan_id, version = job.split(":")
    done.append(f"{plan_id}={signing.sign(db, int(plan_id), signer, version).number}")
print(" ".join(done), flush=True)
db.engine.dispose()
"""

PLANS, PROCESSES = 50, 4


@pytest.mark.slow
def test_numbers_are_gap_free_and_unique_when_signing_from_several_processes(
    db: Database, db_url: str
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [  # started first: they import while the plans are built
        subprocess.Popen(
            [sys.executable, "-c", SIGNER_PROCESS, db_url, SIGNER],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        load_people(db)
        jobs = [f"{p}:{current_hash(db, p)}" for p in (build(db, State.APPROVED) for _ in range(PLANS))]
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", proc.stderr
        for i, proc in enumerate(procs):  # released together, each with an interleaved share
            assert proc.stdin is not None
            proc.stdin.write(" ".join(jobs[i::PROCESSES]) + "\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err

    reported = dict(pair.split("=") for out, _ in outputs for pair in out.split())
    assert len(reported) == PLANS
    assert sorted(int(n) for n in reported.values()) == list(range(1, PLANS + 1))
    with db.read() as s:
        entries = s.exec(select(RegisterEntry).order_by(col(RegisterEntry.number))).all()
        signed = {p.id: p for p in s.exec(select(Plan).where(Plan.state == State.SIGNED)).all()}
        [register] = s.exec(select(Register)).all()
        org = s.exec(select(Organisation).where(Organisation.key == "hamliem")).one()
    assert (register.scope, register.doc_type, register.last_number) == ("2025-2030", "KH", PLANS)
    assert [e.number for e in entries] == list(range(1, PLANS + 1))
    assert len(signed) == PLANS and {e.plan_id for e in entries} == set(signed)
    for entry in entries:
        plan = signed[entry.plan_id]
        assert (
            (plan.number, plan.symbol)
            == (entry.number, entry.symbol)
            == (int(reported[str(entry.plan_id)]), f"Số {entry.number:02d}-KH/ĐU")
        )
    # Four processes appended to one audit chain at once: it still holds.
    report = audit.verify(db, org.id or 0)
    assert report.broken_at is None, report.reason
