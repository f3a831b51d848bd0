"""Replacement and correction of an issued plan, on the real engine: each is a plan of its own that
goes through the whole workflow; the replacement's issuance supersedes the old plan and its
recipients are told (counted at a real SMTP server); the correction letter is a công văn linked
both ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import func, select

from models.db import Database
from models.directory import Organisation
from models.errors import Invalid, NotAllowed, WrongState
from models.lifecycle import State
from models.plans import Plan
from models.services import audit, distribution, plans, related, replacement
from models.services.queries import deliveries, history, outgoing_register, plan_status
from models.services.versions import current_version
from notifications.catcher import MailCatcher, read_index
from tests.exchange.test_cli import banhanh
from tests.factory import R1, R2, SECRETARIAT, build, drive, load_people
from tests.mailbox import send_all
from tests.notifications.conftest import settings_for
from tests.web.conftest import new_client, sign_in, web_settings


def plan_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Plan)).one()


def org_id(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(Organisation.id).where(Organisation.key == "hamliem")).one() or 0


def body_of(db: Database, plan_id: int) -> str:
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None
        return current_version(session, plan).body


async def test_a_replacement_supersedes_the_plan_and_its_recipients_are_told(
    db: Database, db_url: str, tmp_path: Path, catcher: MailCatcher
) -> None:
    load_people(db)
    cfg = settings_for(catcher.port, tmp_path)
    old = build(db, State.DISTRIBUTING)
    await send_all(db, cfg, old)  # the copies, through the SMTP server
    assert distribution.finish_ready(db, [old]) == [old]
    emailed = sorted(d["email"] for d in deliveries(db, old) if d["status"] == "sent")
    symbol = str(plan_status(db, old)["symbol"])

    draft = build(db, State.DRAFT)
    count = plan_count(db)
    with pytest.raises(WrongState) as not_issued:
        replacement.replace(db, draft, SECRETARIAT)
    assert not_issued.value.code == "replace.not_issued" and "đã ban hành" in not_issued.value.message
    with pytest.raises(NotAllowed):
        replacement.replace(db, old, R1)
    assert plan_count(db) == count

    new = replacement.replace(db, old, SECRETARIAT)
    number = symbol.removeprefix("Số ").strip()
    assert f"Kế hoạch này thay thế Kế hoạch số {number} ngày " in body_of(db, new)
    with pytest.raises(WrongState) as twice:
        replacement.replace(db, old, SECRETARIAT)
    assert twice.value.code == "replace.exists"

    plans.assign(db, new, SECRETARIAT, reviewers=[R1, R2])
    assert plan_status(db, old)["state"] == State.ISSUED  # until the replacement is issued
    drive(db, new, State.ISSUED)
    assert plan_status(db, old)["state"] == State.SUPERSEDED
    supersede = [e for e in history(db, old) if e["action"] == "supersede"]
    assert len(supersede) == 1 and supersede[0]["actor"] == "system"

    await send_all(db, cfg, old)
    told = [e for e in read_index(catcher.mail_dir) if e["event"] == "superseded"]
    assert sorted(e["rcpt_tos"][0] for e in told) == emailed  # each recipient of the old plan, once

    assert [(r["words"], r["plan"]) for r in related.shown(db, old)] == [("Được thay thế bởi", new)]
    assert [(r["words"], r["plan"]) for r in related.shown(db, new)] == [("Thay thế", old)]
    rows = {r["plan"]: r for r in outgoing_register(db, "hamliem")}
    assert "Được thay thế bởi" in rows[old]["notes"] and f"Thay thế {number}" in rows[new]["notes"]
    with new_client(db, web_settings(tmp_path, database_url=db_url)) as browser:
        sign_in(browser, db, SECRETARIAT)
        old_page, new_page = browser.get(f"/plans/{old}").text, browser.get(f"/plans/{new}").text
    assert "Đã bị thay thế" in old_page and f'href="/plans/{new}"' in old_page
    assert f'href="/plans/{old}"' in new_page and "Thay thế" in new_page
    assert audit.verify(db, org_id(db)).broken_at is None


def test_a_correction_letter_is_a_cong_van_linked_both_ways(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    load_people(db)
    old = build(db, State.ISSUED)
    count = plan_count(db)
    with pytest.raises(Invalid) as empty:
        replacement.correct(db, old, SECRETARIAT, "  ")
    assert empty.value.code == "correct.what_required" and empty.value.field == "what"
    assert "đính chính" in empty.value.message and plan_count(db) == count
    refused = banhanh(db_url, tmp_path, "plan", "correct", str(old), "--what", "", "--as", SECRETARIAT)
    assert refused.returncode != 0 and "correct.what_required" in refused.stderr + refused.stdout
    assert plan_count(db) == count

    what = "Tại mục II, điểm 2: thời hạn báo cáo là ngày 15/12/2026, không phải ngày 05/12/2026."
    made = banhanh(db_url, tmp_path, "plan", "correct", str(old), "--what", what, "--as", SECRETARIAT)
    assert made.returncode == 0, made.stderr
    letter = int(made.stdout.split("Plan ", 1)[1].split()[0])  # "Plan 3 drafted: a correction letter …"
    status = plan_status(db, letter)
    assert str(status["title"]).startswith("Đính chính Kế hoạch số ") and what in body_of(db, letter)
    plans.assign(db, letter, SECRETARIAT, reviewers=[R1, R2])
    drive(db, letter, State.ISSUED)
    printed = str(plan_status(db, letter)["symbol"])
    assert printed.startswith("Số ") and "-CV/" in printed  # a Party công văn: Số 02-CV/…
    assert plan_status(db, old)["state"] == State.ISSUED  # a correction replaces nothing
    assert [(r["words"], r["plan"], r["note"]) for r in related.shown(db, old)] == [
        ("Được đính chính bởi", letter, what)
    ]
    assert [(r["words"], r["plan"]) for r in related.shown(db, letter)] == [("Đính chính", old)]
    [row] = [r for r in outgoing_register(db, "hamliem") if r["plan"] == old]
    assert "Được đính chính bởi" in row["notes"]
    shown = json.loads(banhanh(db_url, tmp_path, "plan", "show", str(old), "--json").stdout)
    assert [(r["kind"], r["plan"], r["symbol"]) for r in shown["related"]] == [("corrects", letter, printed)]
    assert audit.verify(db, org_id(db)).broken_at is None
