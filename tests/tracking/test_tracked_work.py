"""After issuance, on the real engine with a controllable clock: a plan is issued; three units get
assignments; one reports on time (after an extension moved its due date) and is accepted; one
reports late after its reminders and is returned, then accepted; one never reports and is
escalated. The grid and the CSV show exactly that, and the emails the real SMTP server (aiosmtpd)
received match, each once. Real databases, real services, the real outbox sender."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from models.db import Database
from models.errors import Invalid, NotAllowed, WrongState
from models.lifecycle import State
from models.numbering import VN_TZ
from models.services import audit, distribution, plans
from models.services.queries import outbox, plan_status
from models.services.tracking import confirm_assignments
from models.services.tracking_views import grid, grid_csv, overdue, owed
from models.services.tracking_work import (
    acknowledge,
    ask_extension,
    decide_extension,
    decide_report,
    send_due_tracking,
    submit_report,
)
from models.tables import Organisation
from models.tracked import TrackingPeriod
from notifications.catcher import MailCatcher, load_message, read_index
from notifications.dispatcher import OutboxSender
from tests.factory import (
    R1,
    R2,
    REPO,
    SECRETARIAT,
    SIGNER,
    drive,
    load_people,
    sample_draft,
)
from tests.notifications.conftest import settings_for
from web.app import create_app

A, B, C = "dangu-ubnd@hamliem.example.vn", "mttq@hamliem.example.vn", "hoinongdan@hamliem.example.vn"
FOLLOWER = "bxdd@hamliem.example.vn"
TRACKING_EVENTS = {"assignment", "tracking_reminder", "tracking_escalation", "tracking_update"}
ITEMS: list[dict[str, Any]] = [
    {
        "lead": code,
        "follower": "bxdd",
        "what": what,
        "deadline": "date",
        "due": "2027-01-15",
    }
    for code, what in (
        ("du-ubnd", "Xây dựng kế hoạch thực hiện, báo cáo kết quả."),
        ("mttq", "Tổ chức tuyên truyền sâu rộng, báo cáo kết quả."),
        ("hoi-nong-dan", "Tuyên truyền đến hội viên, báo cáo kết quả."),
    )
]


LINK = re.compile(r"https?://\S+/tracking/[A-Za-z0-9_-]+")


def _text(catcher: MailCatcher, entry: dict[str, Any]) -> str:
    body = load_message(catcher.mail_dir, entry["eml"]).get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def at(day: int, hour: int = 9) -> datetime:
    """A moment of January 2027 in Viet Nam."""
    return datetime(2027, 1, day, hour, tzinfo=VN_TZ).astimezone(UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def received(catcher: MailCatcher) -> Counter[tuple[str, str]]:
    """(event, address) of every tracking email the SMTP server received."""
    out: Counter[tuple[str, str]] = Counter()
    for m in catcher.messages():
        if m["event"] in TRACKING_EVENTS:
            out[(m["event"], m["to"].rsplit("<", 1)[-1].rstrip(">").strip())] += 1
    return out


def _issue(db: Database, clock: Clock, secrecy: str = "") -> int:
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2], secrecy=secrecy)
    confirm_assignments(db, plan_id, SECRETARIAT, ITEMS)
    return drive(db, plan_id, State.DISTRIBUTING)


def _periods(db: Database, plan_id: int) -> dict[str, int]:
    """Each lead unit's one period id, by the unit's address."""
    with db.read() as s:
        rows = s.exec(select(TrackingPeriod).where(TrackingPeriod.plan_id == plan_id)).all()
    by_seq = {row.assignment_id: row.id or 0 for row in rows}
    ids = [by_seq[k] for k in sorted(by_seq)]
    return dict(zip((A, B, C), ids, strict=True))


async def test_issued_work_reported_returned_extended_and_escalated(
    db: Database, db_url: str, catcher: MailCatcher, tmp_path: Path
) -> None:
    clock = Clock(at(4, 8))  # Monday 4 January 2027
    db.clock = clock
    plan_id = _issue(db, clock)
    settings = settings_for(catcher.port, tmp_path)

    async def flush() -> None:
        async with OutboxSender(db, settings) as sender:
            while await sender.send_due(plan_id=plan_id):
                pass

    await flush()  # the copies reach every recipient
    distribution.complete_distribution(db, plan_id)  # issued: the work begins
    assert plan_status(db, plan_id)["state"] == State.ISSUED
    await flush()
    assert received(catcher) == Counter({("assignment", A): 1, ("assignment", B): 1, ("assignment", C): 1})
    period = _periods(db, plan_id)

    # Unit C opens the link in its email: the page changes nothing, the button acknowledges, once.
    (entry,) = [
        e for e in read_index(catcher.mail_dir) if e["event"] == "assignment" and e["rcpt_tos"] == [C]
    ]
    found = LINK.search(_text(catcher, entry))
    assert found is not None, "the assignment email carries its link"
    page = "/tracking/" + found.group(0).rsplit("/tracking/", 1)[1]
    app = create_app(settings, db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:
        shown = await client.get(page)
        assert shown.status_code == 200 and "Xác nhận đã nhận nhiệm vụ" in shown.text
        assert not grid(db, plan_id)[2]["acknowledged"]
        done = await client.post(page)
        assert done.status_code == 200 and "Đã xác nhận nhận nhiệm vụ" in done.text
        assert (await client.get(page[:-3] + "abc")).status_code == 404
    assert grid(db, plan_id)[2]["acknowledged"]

    # Tuesday: unit A acknowledges and asks for a week more; the plan's signer grants it.
    clock.now = at(5)
    assert acknowledge(db, plan_id, "du-ubnd", A) is True
    assert acknowledge(db, plan_id, "du-ubnd", A) is False
    with pytest.raises(NotAllowed):
        acknowledge(db, plan_id, "du-ubnd", B)  # another unit cannot answer for it
    with pytest.raises(Invalid) as refused:
        ask_extension(db, period[A], A, date(2027, 1, 22), " ")
    assert refused.value.code == "tracking.comment_required"
    ask_extension(db, period[A], A, date(2027, 1, 22), "Chờ số liệu của các thôn")
    with pytest.raises(NotAllowed):
        decide_extension(db, period[A], FOLLOWER, True)  # only the designated person decides
    assert decide_extension(db, period[A], SIGNER, True, "Đồng ý") == "extended"

    # Wednesday 13: two working days before the 15th, B and C are reminded (A's date moved).
    clock.now = at(13)
    assert send_due_tracking(db) == {"before": 2}
    assert send_due_tracking(db) == {}  # each once
    clock.now = at(15)
    assert send_due_tracking(db) == {"on": 2}

    # Monday 18, before the run: B reports late; the follower returns it, B reports again, accepted.
    clock.now = at(18, 8)
    with pytest.raises(WrongState):
        decide_report(db, period[B], FOLLOWER, True)  # nothing to accept yet
    assert (
        submit_report(db, period[B], B, "Đã tổ chức 3 hội nghị.", [("so-lieu.txt", b"3 hoi nghi")])
        == "submitted"
    )
    with pytest.raises(Invalid):
        decide_report(db, period[B], FOLLOWER, False, "")  # a return says why
    assert decide_report(db, period[B], FOLLOWER, False, "Bổ sung số người dự") == "returned"
    assert submit_report(db, period[B], B, "Đã tổ chức 3 hội nghị, 240 người dự.") == "submitted"
    assert decide_report(db, period[B], FOLLOWER, True) == "accepted"
    clock.now = at(18)
    assert send_due_tracking(db) == {"escalation": 1}  # C never reported
    assert [(r["unit_code"], r["due"]) for r in overdue(db)] == [("hoi-nong-dan", "2027-01-15")]

    # Wednesday 20: A reports before its moved date; accepted. Nothing more is sent, ever.
    clock.now = at(20, 8)
    assert [r["period_id"] for r in owed(db, "du-ubnd")] == [period[A]]
    assert submit_report(db, period[A], A, "Đã ban hành kế hoạch số 05-KH/ĐU.") == "submitted"
    assert decide_report(db, period[A], SECRETARIAT, True) == "accepted"  # the office follows too
    assert owed(db, "du-ubnd") == []
    for day in (20, 22, 25, 29):
        clock.now = at(day)
        assert send_due_tracking(db) == {}
    await flush()

    rows = grid(db, plan_id)
    assert [(r["unit_code"], [(p["due"], p["cell"]) for p in r["periods"]]) for r in rows] == [
        ("du-ubnd", [("2027-01-22", "accepted, extended")]),
        ("mttq", [("2027-01-15", "accepted, late")]),
        ("hoi-nong-dan", [("2027-01-15", "missing")]),
    ]
    assert [r["acknowledged"] for r in rows] == [True, False, True]
    assert rows[0]["periods"][0]["original_due"] == "2027-01-15"
    expected_csv = (
        "assignment,unit_code,unit,once\r\n"
        '1,du-ubnd,Đảng ủy UBND xã,"accepted, extended (2027-01-22)"\r\n'
        '2,mttq,Ủy ban Mặt trận Tổ quốc Việt Nam xã,"accepted, late (2027-01-15)"\r\n'
        "3,hoi-nong-dan,Hội Nông dân xã,missing (2027-01-15)\r\n"
    )
    assert grid_csv(rows) == expected_csv
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}
    shown = subprocess.run(
        [sys.executable, "-m", "cli", "tracking", "show", str(plan_id), "--csv"],
        env=env,
        text=True,
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.replace("\r\n", "\n") == expected_csv.replace("\r\n", "\n")
    listed = subprocess.run(
        [sys.executable, "-m", "cli", "tracking", "show", str(plan_id), "--json"],
        env=env,
        text=True,
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert [r["unit_code"] for r in json.loads(listed.stdout)] == ["du-ubnd", "mttq", "hoi-nong-dan"]

    assert received(catcher) == Counter(
        {
            ("assignment", A): 1,
            ("assignment", B): 1,
            ("assignment", C): 1,
            ("tracking_update", SIGNER): 1,  # A asks for an extension
            ("tracking_update", A): 2,  # granted; accepted
            ("tracking_reminder", B): 2,  # two days before; on the day
            ("tracking_reminder", C): 2,
            ("tracking_update", FOLLOWER): 3,  # B's two reports, A's report
            ("tracking_update", B): 2,  # returned; accepted
            ("tracking_escalation", FOLLOWER): 1,  # C, to its follower
        }
    )
    with db.read() as s:
        org_id = s.exec(select(Organisation.id).where(Organisation.key == "hamliem")).one() or 0
    report = audit.verify(db, org_id)
    assert report.broken_at is None, report.reason


def test_after_downtime_only_the_latest_message_goes_out(db: Database) -> None:
    """A period whose reminder days and due date all passed while nothing ran gets the escalation only."""
    clock = Clock(at(4, 8))
    db.clock = clock
    plan_id = _issue(db, clock)
    from tests.factory import drain_outbox

    drain_outbox(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    clock.now = at(25)
    assert send_due_tracking(db) == {"escalation": 3}
    assert send_due_tracking(db) == {}
    with db.read() as s:
        states = {p.state for p in s.exec(select(TrackingPeriod)).all()}
    assert states == {"overdue"}
    # A late report still comes in; the escalation is not sent again when it is returned.
    period = _periods(db, plan_id)
    submit_report(db, period[C], C, "Báo cáo muộn.")
    decide_report(db, period[C], FOLLOWER, False, "Thiếu số liệu")
    clock.now = at(26) + timedelta(hours=1)
    assert send_due_tracking(db) == {}


def test_a_secret_plans_work_is_tracked_without_a_plain_email(db: Database) -> None:
    """The periods and every step are kept; no assignment, reminder or escalation goes by plain email."""
    clock = Clock(at(4, 8))
    db.clock = clock
    plan_id = _issue(db, clock, secrecy="mật")
    distribution.complete_distribution(db, plan_id)
    period = _periods(db, plan_id)
    for day in (13, 15, 18):
        clock.now = at(day)
        send_due_tracking(db)
    submit_report(db, period[A], A, "Báo cáo.")
    decide_report(db, period[A], FOLLOWER, True)
    assert [p["cell"] for r in grid(db, plan_id) for p in r["periods"]] == [
        "accepted, late",
        "missing",
        "missing",
    ]
    assert not [o for o in outbox(db, plan_id) if o["event"] in TRACKING_EVENTS]
