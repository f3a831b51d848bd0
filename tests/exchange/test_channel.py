"""The edXML channel: a plan issued to units on both channels, the packages through a stand-in
exchange endpoint run by the test, the receivers' statuses back on their copies."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import update
from sqlmodel import select

from exchange import client, edxml, signature, status
from exchange.delivery import poll_statuses, send_due
from exchange.package import Organ, Staff
from exchange.standin import StandIn
from exchange.status import StatusCode
from models.db import Database
from models.directory import Organisation
from models.lifecycle import State
from models.records import OutboxMessage
from models.services import audit, distribution
from models.services.queries import deliveries
from models.services.queries import history as audit_entries
from models.settings import Settings
from notifications.dispatcher import Dispatcher
from tests.exchange.issued import PASSWORD, signed_plan
from tests.exchange.test_refusals import hamliem
from tests.factory import SECRETARIAT, drain_outbox
from tests.web.conftest import new_client, sign_in, web_settings

BY_EXCHANGE = ("tt-tinh-uy", "tt-dang-uy")  # Thường trực Tỉnh ủy, Thường trực Đảng ủy
TINH_UY, DANG_UY = "001.00.21.H37", "002.00.21.H37"


def by_unit(db: Database, plan_id: int) -> dict[str | None, dict[str, object]]:
    return {d["unit"]: d for d in deliveries(db, plan_id)}


async def test_a_plan_goes_to_units_on_both_channels_and_their_answers_come_back(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    hamliem(db, tmp_path, by_exchange=BY_EXCHANGE)
    plan_id = signed_plan(db)
    distribution.start_distribution(db, plan_id)
    rows = by_unit(db, plan_id)
    assert {u for u, d in rows.items() if d["channel"] == "edxml"} == set(BY_EXCHANGE)
    assert all(rows[u]["status"] == "queued" for u in BY_EXCHANGE)
    with db.read() as session:
        kinds = sorted(
            m.kind for m in session.exec(select(OutboxMessage).where(OutboxMessage.plan_id == plan_id))
        )
    assert kinds.count("edxml") == 2 and "email" in kinds

    with StandIn() as endpoint:
        cfg = Settings(_env_file=None, data_dir=tmp_path, database_url=db_url, exchange_url=endpoint.url)  # type: ignore[call-arg]

        endpoint.store.down = True  # the endpoint is away: the packages wait, nothing fails
        away = send_due(db, cfg, endpoint.url)
        assert away.unavailable and away.claimed == 2 and endpoint.store.packages == {}
        assert all(by_unit(db, plan_id)[u]["status"] == "queued" for u in BY_EXCHANGE)

        endpoint.store.down = False
        dispatcher = Dispatcher(db, cfg)  # its exchange pass, as `make serve` runs it
        assert await dispatcher.exchange() == 2
        rows = by_unit(db, plan_id)
        assert all(rows[u]["status"] == "sent" for u in BY_EXCHANGE)
        assert len(endpoint.store.packages) == 2 and endpoint.store.posts == 2
        assert set(endpoint.store.packages) == {rows[u]["message_id"] for u in BY_EXCHANGE}

        # The copy of a sender that died after sending and before recording: sent again, same id.
        with db.write() as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.plan_id == plan_id,
                    OutboxMessage.kind == "edxml",
                    OutboxMessage.to_name == "Thường trực Tỉnh ủy",
                )  # type: ignore[arg-type]
                .values(status="pending")
            )
        assert send_due(db, cfg, endpoint.url).claimed == 1
        assert endpoint.store.posts == 3 and len(endpoint.store.packages) == 2  # kept once

        drain_outbox(db, plan_id)  # the emails (the SMTP side is tested in tests/notifications)
        distribution.complete_distribution(db, plan_id)
        assert distribution.is_state(db, plan_id, State.ISSUED)

        key = signature.load_key(tmp_path / "seal.p12", PASSWORD)
        for organ_id, code, description in (
            (TINH_UY, StatusCode.RECEIVED, "Đã vào sổ văn bản đến số 125"),
            (DANG_UY, StatusCode.REFUSED, "Không thuộc thẩm quyền"),
        ):
            [package_xml] = client.packages(endpoint.url, organ_id)  # the receiver's inbox
            signature.verify(package_xml, key.certificate_pem)
            package = edxml.parse(package_xml)
            assert [r.organ_id for r in package.receivers] == [organ_id]
            assert package.promulgation_amount == sum(
                1 for d in deliveries(db, plan_id) if d["status"] != "filed"
            )
            answer = status.answer(
                package,
                Organ(organ_id, "nơi nhận"),
                code,
                description,
                datetime(2026, 12, 7, 8, 15),
                Staff(staff="Văn thư"),
            )
            client.post_status(endpoint.url, status.build(answer))

        stray = status.answer(  # about a document we never sent: read, recorded nowhere
            replace(package, code_number="99"),
            Organ(TINH_UY, "nơi nhận"),
            StatusCode.ARRIVED,
            "",
            datetime(2026, 12, 7),
            Staff(),
        )
        client.post_status(endpoint.url, status.build(stray))
        cursors: dict[str, int] = {}
        assert poll_statuses(db, endpoint.url, cursors) == 2
        assert poll_statuses(db, endpoint.url, cursors) == 0  # nothing new after the cursor
        assert poll_statuses(db, endpoint.url, {}) == 0  # read again from the start: recorded once

    rows = by_unit(db, plan_id)
    received, refused = rows["tt-tinh-uy"], rows["tt-dang-uy"]
    assert (received["answer_code"], received["answer"]) == ("03", "Đã vào sổ văn bản đến số 125")
    assert received["acknowledged_at"] == "2026-12-07T01:15:00+00:00"  # 08:15 in Hà Nội: counts as received
    assert (refused["answer_code"], refused["answer"], refused["acknowledged_at"]) == (
        "02",
        "Không thuộc thẩm quyền",
        None,
    )
    with db.read() as session:
        org = session.exec(select(Organisation).where(Organisation.key == "hamliem")).one()
    report = audit.verify(db, org.id or 0)
    assert report.broken_at is None, report
    answers = [e for e in audit_entries(db, plan_id) if e["action"] == "exchange_status"]
    assert [(e["detail"]["unit"], e["detail"]["code"]) for e in answers] == [
        ("tt-tinh-uy", "03"),
        ("tt-dang-uy", "02"),
    ]

    with new_client(db, web_settings(tmp_path, database_url=db_url)) as browser:  # the deliveries page
        sign_in(browser, db, SECRETARIAT)
        page = browser.get(f"/plans/{plan_id}/deliveries").text
    assert page.count("qua trục liên thông") == 2
    assert "trả lời 02 · từ chối tiếp nhận: Không thuộc thẩm quyền" in page
    assert "trả lời 03 · đã tiếp nhận: Đã vào sổ văn bản đến số 125" in page


def test_a_secret_plan_goes_to_no_exchange(db: Database, tmp_path: Path) -> None:
    hamliem(db, tmp_path, by_exchange=BY_EXCHANGE)
    plan_id = signed_plan(db, secrecy="mật")
    distribution.start_distribution(db, plan_id)
    rows = by_unit(db, plan_id)
    assert {rows[u]["status"] for u in BY_EXCHANGE} == {"not_emailed"}
    assert {rows[u]["channel"] for u in BY_EXCHANGE} == {"email"}
    with db.read() as session:
        kinds = {m.kind for m in session.exec(select(OutboxMessage).where(OutboxMessage.plan_id == plan_id))}
    assert "edxml" not in kinds


async def test_without_an_endpoint_the_copy_fails_and_a_retry_sends_a_new_package(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    hamliem(db, tmp_path, by_exchange=("tt-tinh-uy",))
    plan_id = signed_plan(db)
    distribution.start_distribution(db, plan_id)
    drain_outbox(db, plan_id)
    none = Settings(_env_file=None, data_dir=tmp_path, database_url=db_url)  # type: ignore[call-arg]
    assert await Dispatcher(db, none).no_exchange() == 1
    failed = by_unit(db, plan_id)["tt-tinh-uy"]
    assert failed["status"] == "failed" and "BANHANH_EXCHANGE_URL" in str(failed["reason"])
    assert distribution.is_state(db, plan_id, State.ISSUED)  # not left distributing

    assert distribution.retry_failed(db, plan_id, SECRETARIAT) == ["Thường trực Tỉnh ủy"]
    with StandIn() as endpoint:
        cfg = Settings(_env_file=None, data_dir=tmp_path, database_url=db_url, exchange_url=endpoint.url)  # type: ignore[call-arg]
        assert send_due(db, cfg, endpoint.url).claimed == 1
        [package_xml] = client.packages(endpoint.url, TINH_UY)
    again = by_unit(db, plan_id)["tt-tinh-uy"]
    assert again["status"] == "sent" and again["message_id"] != failed["message_id"]  # a new package
    assert edxml.parse(package_xml).receivers[0].organ_id == TINH_UY
