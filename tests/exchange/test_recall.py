"""Recall of a plan issued to units on both channels, on the real engine: the copies go out through
a real SMTP server (the in-process catcher) and a stand-in exchange endpoint; the recall is asked
and confirmed by two people; emailed recipients confirm by the link in their notice, exchange
recipients answer 15 or 16; the plan and its register row stay, frozen and marked."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from documents.evidence import render_evidence_html
from exchange import client, edxml, status
from exchange.delivery import poll_statuses
from exchange.package import Business, Organ, Staff
from exchange.standin import StandIn
from exchange.status import StatusCode
from models.db import Database
from models.directory import Organisation
from models.errors import BanHanhError, Invalid, NotAllowed, WrongState
from models.lifecycle import State
from models.services import audit, distribution, plans, queries, recall, replacement
from models.services.directory import load_directory
from models.services.evidence import gather
from models.services.queries import deliveries, history, outgoing_register, plan_status
from models.settings import Settings
from notifications.catcher import MailCatcher, load_message, read_index
from notifications.dispatcher import Dispatcher
from tests.exchange.issued import config_with_exchange, make_seal, signed_plan
from tests.exchange.test_channel import BY_EXCHANGE, DANG_UY, TINH_UY
from tests.exchange.test_cli import banhanh
from tests.exchange.test_refusals import HAMLIEM
from tests.factory import R1, R2, SECRETARIAT, SIGNER, SIGNER2, build, drain_outbox, drive, load_people
from tests.mailbox import send_all
from tests.notifications.conftest import settings_for
from tests.web.conftest import new_client, sign_in, web_settings

LINK = re.compile(r"https?://\S+(/recall/[A-Za-z0-9_-]+)")
REASON = "Sai nội dung mục II: nhầm thời hạn báo cáo"


def load(db: Database, tmp_path: Path) -> None:
    """Hàm Liêm with agency identifiers, two units on the exchange, and a second signer."""
    config: dict[str, Any] = copy.deepcopy(
        config_with_exchange(HAMLIEM, make_seal(tmp_path, "Seal hamliem"), by_exchange=BY_EXCHANGE)
    )
    config["people"].append(
        {"email": SIGNER2, "name": "Đặng Văn Thư", "title": "Bí thư", "roles": ["signer"]}
    )
    load_directory(db, config)


def mails(catcher: MailCatcher, event: str) -> list[dict[str, Any]]:
    return [e for e in read_index(catcher.mail_dir) if e["event"] == event]


def link_of(catcher: MailCatcher, entry: dict[str, Any]) -> str:
    text = load_message(catcher.mail_dir, entry["eml"]).get_body(preferencelist=("plain",))
    assert text is not None
    match = LINK.search(str(text.get_content()))
    assert match, f"the recall notice to {entry['rcpt_tos']} has its link"
    return match.group(1)


def entries(db: Database, plan_id: int) -> int:
    return len(history(db, plan_id))


def refused_unchanged(db: Database, plan_id: int, error: BanHanhError, code: str, field: str) -> None:
    """A coded error whose Vietnamese message is its own, naming the field; nothing written."""
    assert error.code == code and error.field == field
    assert error.message != error.reason and "{" not in error.message


def org_id(db: Database) -> int:
    with db.read() as session:
        from sqlmodel import select

        return session.exec(select(Organisation.id).where(Organisation.key == "hamliem")).one() or 0


async def test_a_plan_on_both_channels_is_recalled_and_each_recipient_answers(
    db: Database, db_url: str, tmp_path: Path, catcher: MailCatcher
) -> None:
    load(db, tmp_path)
    plan_id = signed_plan(db)
    with StandIn() as endpoint:
        cfg = settings_for(catcher.port, tmp_path, database_url=db_url, exchange_url=endpoint.url)
        distribution.start_distribution(db, plan_id)
        await send_all(db, cfg, plan_id)
        dispatcher = Dispatcher(db, cfg)
        assert await dispatcher.exchange() == 2  # the last copies: the plan is issued with them
        assert distribution.is_state(db, plan_id, State.ISSUED)
        copies = deliveries(db, plan_id)
        emailed = {d["email"] for d in copies if d["status"] == "sent" and d["channel"] == "email"}
        assert emailed and {d["unit"] for d in copies if d["channel"] == "edxml"} == set(BY_EXCHANGE)

        # Bad input: refused with a code and a Vietnamese message, and nothing written.
        before = entries(db, plan_id)
        with pytest.raises(Invalid) as caught:
            recall.request(db, plan_id, SIGNER, "   ")
        refused_unchanged(db, plan_id, caught.value, "recall.reason_required", "reason")
        assert "lý do" in caught.value.message
        with pytest.raises(NotAllowed) as not_signer:  # a signer, but not this plan's, nor the head
            recall.request(db, plan_id, SIGNER2, REASON)
        refused_unchanged(db, plan_id, not_signer.value, "recall.not_signer", "as")
        with pytest.raises(NotAllowed) as reviewer:
            recall.request(db, plan_id, R1, REASON)
        assert reviewer.value.code == "plan.wrong_role"
        assert entries(db, plan_id) == before and distribution.is_state(db, plan_id, State.ISSUED)

        recall.request(db, plan_id, SIGNER, REASON)
        assert distribution.is_state(db, plan_id, State.RECALL_REQUESTED)
        with pytest.raises(NotAllowed) as same:  # the one who asked cannot confirm it
            recall.confirm(db, plan_id, SIGNER)
        refused_unchanged(db, plan_id, same.value, "recall.same_person", "as")
        assert "người khác" in same.value.message
        assert distribution.is_state(db, plan_id, State.RECALL_REQUESTED)
        with pytest.raises(WrongState):  # a second request while one is open
            recall.request(db, plan_id, SIGNER, REASON)

        queued = recall.confirm(db, plan_id, SIGNER2)
        assert queued == len(emailed) + 2
        assert distribution.is_state(db, plan_id, State.RECALLED)

        await send_all(db, cfg, plan_id)
        notices = mails(catcher, "recall_notice")
        assert sorted(e["rcpt_tos"][0] for e in notices) == sorted(emailed)
        assert [e["rcpt_tos"] for e in mails(catcher, "recall_requested")] == [[SIGNER2]]
        assert SECRETARIAT in {e["rcpt_tos"][0] for e in mails(catcher, "recalled")}

        assert await dispatcher.exchange() == 2  # the recall packages, business type 1
        for organ_id, code, words in (
            (TINH_UY, StatusCode.RECALL_AGREED, "Đã hủy bản điện tử"),
            (DANG_UY, StatusCode.RECALL_REFUSED, "Văn bản đã triển khai"),
        ):
            sent, recalled = [edxml.parse(x) for x in client.packages(endpoint.url, organ_id)]
            assert sent.business is Business.NEW and recalled.business is Business.RECALL
            assert recalled.business_document_id == sent.document_id and recalled.attachments == ()
            assert recalled.business_reason == REASON
            answer = status.answer(
                recalled, Organ(organ_id, "nơi nhận"), code, words, datetime(2026, 12, 8, 9, 0), Staff()
            )
            client.post_status(endpoint.url, status.build(answer))
        assert poll_statuses(db, endpoint.url, {}) == 2

    # Emailed recipients confirm by their links: a GET changes nothing, the POST records it once.
    waiting = notices[-1]["rcpt_tos"][0]
    with new_client(db, web_settings(tmp_path, database_url=db_url)) as browser:
        for entry in notices:
            path = link_of(catcher, entry)
            shown = browser.get(path)
            assert shown.status_code == 200 and "Xác nhận đã hủy" in shown.text and REASON in shown.text
            if entry["rcpt_tos"][0] == waiting:
                continue
            done = browser.post(path)
            assert done.status_code == 200 and "Đã xác nhận hủy văn bản" in done.text
            assert browser.post(path).status_code == 200  # a double click records nothing more
        assert browser.get("/recall/" + "x" * 40).status_code == 404

        # One has not answered: a reminder carries the same link; then the secretariat marks it.
        assert recall.remind(db, plan_id, SECRETARIAT) == 1
        cfg = settings_for(catcher.port, tmp_path, database_url=db_url)
        await send_all(db, cfg, plan_id)
        [reminder] = mails(catcher, "recall_reminder")
        assert reminder["rcpt_tos"] == [waiting] and link_of(catcher, reminder) == link_of(
            catcher, notices[-1]
        )
        with pytest.raises(Invalid) as no_note:
            recall.mark(db, plan_id, SECRETARIAT, waiting, "")
        refused_unchanged(db, plan_id, no_note.value, "recall.note_required", "note")
        recall.mark(db, plan_id, SECRETARIAT, waiting, "Đã xác nhận qua điện thoại")

        rows = {d["unit"] if d["channel"] == "edxml" else d["email"]: d for d in deliveries(db, plan_id)}
        assert (rows["tt-tinh-uy"]["recall_status"], rows["tt-tinh-uy"]["answer_code"]) == ("destroyed", "15")
        assert (rows["tt-dang-uy"]["recall_status"], rows["tt-dang-uy"]["answer_code"]) == ("refused", "16")
        assert rows["tt-dang-uy"]["recall_note"] == "Văn bản đã triển khai"
        assert rows[waiting]["recall_status"] == "marked"
        assert all(rows[e]["recall_status"] == "destroyed" for e in emailed - {waiting})

        sign_in(browser, db, SECRETARIAT)  # the deliveries page and the plan page show it
        page = browser.get(f"/plans/{plan_id}/deliveries").text
        assert "trả lời 16 · từ chối thu hồi: Văn bản đã triển khai" in page
        assert "đã xác nhận hủy" in page and "Văn phòng ghi nhận đã hủy" in page
        plan_page = browser.get(f"/plans/{plan_id}").text
        assert "Đã thu hồi" in plan_page and REASON in plan_page

    # Frozen and marked: nothing more moves it; the register keeps the row, marked.
    with pytest.raises(WrongState):
        distribution.resend(db, plan_id, SECRETARIAT, sorted(emailed)[0])
    with pytest.raises(WrongState):
        recall.request(db, plan_id, SIGNER, REASON)
    assert plan_status(db, plan_id)["state"] == State.RECALLED
    [row] = [r for r in outgoing_register(db, "hamliem") if r["plan"] == plan_id]
    assert "Đã thu hồi" in row["notes"]

    shown = banhanh(db_url, tmp_path, "plan", "recall-status", str(plan_id), "--json")
    assert shown.returncode == 0, shown.stderr
    told = json.loads(shown.stdout)
    assert told["recall"]["reason"] == REASON and told["recall"]["decided_by"] == SIGNER2
    assert told["counts"] == {"destroyed": len(emailed), "refused": 1, "marked": 1} | {
        k: v for k, v in told["counts"].items() if k in ("by_hand", "not_sent")
    }
    listed = banhanh(db_url, tmp_path, "plan", "deliveries", str(plan_id), "--json")
    answers = {d["unit"]: (d["answer_code"], d["recall_status"]) for d in json.loads(listed.stdout)}
    assert answers["tt-tinh-uy"] == ("15", "destroyed") and answers["tt-dang-uy"] == ("16", "refused")
    evidence = gather(db, plan_id)  # the evidence export keeps the recall and each answer
    assert evidence.recall is not None and evidence.recall["reason"] == REASON
    assert {"request_recall", "confirm_recall"} <= {d["action"] for d in evidence.decisions}
    html = render_evidence_html(evidence)
    assert (
        "thu hồi: refused" in html and "Văn bản đã triển khai" in html and evidence.chain.startswith("intact")
    )
    actions = [e["action"] for e in history(db, plan_id)]
    assert {
        "request_recall",
        "confirm_recall",
        "recall_destroyed",
        "recall_marked",
        "exchange_status",
    } <= set(actions)
    report = audit.verify(db, org_id(db))
    assert report.broken_at is None, report


def test_a_recall_can_be_cancelled_and_a_plan_not_issued_is_not_recalled(db: Database) -> None:
    load_people(db)
    approved = build(db, State.APPROVED)
    before = entries(db, approved)
    with pytest.raises(WrongState) as caught:
        recall.request(db, approved, SIGNER, REASON)
    assert caught.value.code == "plan.wrong_state" and "thu hồi" in caught.value.message
    assert entries(db, approved) == before

    issued = build(db, State.ISSUED)
    recall.request(db, issued, SIGNER, REASON)
    # The confirmation waits in the second signer's task list, not in the asker's.
    assert [(t["plan"], t["step"]) for t in queries.open_tasks(db, SIGNER2)] == [(issued, "confirm_recall")]
    assert all(t["step"] != "confirm_recall" for t in queries.open_tasks(db, SIGNER))
    recall.cancel(db, issued, SIGNER2)
    assert queries.open_tasks(db, SIGNER2) == []
    assert distribution.is_state(db, issued, State.ISSUED)
    assert recall.status(db, issued)["recall"]["status"] == "cancelled"  # kept on record
    assert audit.verify(db, org_id(db)).broken_at is None


def test_the_scheduled_reminders_nudge_who_has_not_confirmed_once_per_round(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.RECALLED)
    waiting = [d for d in deliveries(db, plan_id) if d["recall_status"] == "notified"]
    assert waiting and recall.send_due_reminders(db) == 0  # not due on the day of the recall
    later = db.clock() + timedelta(days=7)
    db.clock = lambda: later  # type: ignore[method-assign]
    assert recall.send_due_reminders(db) == len(waiting)
    assert recall.send_due_reminders(db) == 0  # a second run of the flow sends nothing twice
    assert [e["action"] for e in history(db, plan_id)].count("remind_recall") == 1
    assert audit.verify(db, org_id(db)).broken_at is None


async def test_a_replacement_reaches_exchange_units_as_a_replacement_package(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    load(db, tmp_path)
    old = signed_plan(db)
    with StandIn() as endpoint:
        cfg = Settings(_env_file=None, data_dir=tmp_path, database_url=db_url, exchange_url=endpoint.url)  # type: ignore[call-arg]
        dispatcher = Dispatcher(db, cfg)
        distribution.start_distribution(db, old)
        drain_outbox(db, old)
        assert await dispatcher.exchange() == 2 and distribution.is_state(db, old, State.ISSUED)

        new = replacement.replace(db, old, SECRETARIAT)
        plans.assign(db, new, SECRETARIAT, reviewers=[R1, R2])
        drive(db, new, State.SIGNED)
        distribution.start_distribution(db, new)
        drain_outbox(db, new)
        assert await dispatcher.exchange() == 2
        assert distribution.is_state(db, new, State.ISSUED) and distribution.is_state(
            db, old, State.SUPERSEDED
        )
        sent, replacing = [edxml.parse(x) for x in client.packages(endpoint.url, TINH_UY)]
    assert sent.business is Business.NEW and replacing.business is Business.REPLACE
    assert replacing.business_document_id == sent.document_id
    assert [r.document_id for r in replacing.replaces] == [sent.document_id]
    assert replacing.business_reason.startswith("Kế hoạch này thay thế Kế hoạch số ")
    assert audit.verify(db, org_id(db)).broken_at is None
