"""Tracked work on the web app, in-process on a real database: the lead unit reports by the link in
its email (a refusal names the field), the follower sees the grid on the plan page and accepts or
returns, downloads the CSV, opens a unit's page and assembles the summary Báo cáo."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.db import Database
from models.services.tracking_views import grid
from tests.factory import R3, SECRETARIAT, SIGNER
from tests.tracking.world import FOLLOWER, A, B, C, issue_tracked
from tests.web.conftest import csrf_of, last_link, new_client, sign_in, web_settings

JANUARY_4 = datetime(2027, 1, 4, 2, tzinfo=UTC)  # Monday morning in Viet Nam; reports are due on the 15th


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[tuple[Database, TestClient, int, dict[str, int]]]:
    db.clock = lambda: JANUARY_4
    plan_id, period = issue_tracked(db)
    settings = web_settings(tmp_path, database_url="sqlite://", throttle_per_minute=10_000)
    with new_client(db, settings) as client:
        yield db, client, plan_id, period


def test_a_unit_reports_by_its_link_and_the_follower_accepts(
    world: tuple[Database, TestClient, int, dict[str, int]],
) -> None:
    db, client, plan_id, period = world
    link = last_link(db, A, "assignment")
    shown = client.get(link)
    assert shown.status_code == 200 and "Gửi báo cáo" in shown.text and "chưa đến hạn" in shown.text

    # Nothing to send: the form comes back naming the field, in Vietnamese.
    empty = client.post(f"{link}/report", data={"period": str(period[A]), "text": " "})
    assert empty.status_code == 400
    assert "Nội dung báo cáo</strong>: Cần điền mục này." in empty.text
    # Another unit's period is not this link's.
    other = client.post(f"{link}/report", data={"period": str(period[B]), "text": "Báo cáo."})
    assert other.status_code == 404 and "không thuộc nhiệm vụ của đường dẫn này" in other.text
    assert client.post(link[:-3] + "abc/report", data={"text": "x"}).status_code == 404

    sent = client.post(
        f"{link}/report",
        data={"period": str(period[A]), "text": "Đã triển khai đến 12 chi bộ."},
        files=[("file", ("so-lieu.txt", b"12 chi bo", "text/plain"))],
    )
    assert sent.status_code == 200 and "Đã gửi báo cáo" in sent.text
    assert "so-lieu.txt" in sent.text and "Gửi báo cáo</button>" not in sent.text

    # The follower signs in: the plan page shows the grid and the report to decide.
    sign_in(client, db, FOLLOWER)
    page = client.get(f"/plans/{plan_id}")
    assert page.status_code == 200
    assert "Theo dõi thực hiện" in page.text and "Đã triển khai đến 12 chi bộ." in page.text
    assert "đã nộp đúng hạn, chờ xem xét" in page.text
    file_link = re.search(r'href="(/tracking/files/\d+)" download>so-lieu.txt<', page.text)
    assert file_link is not None
    download = client.get(file_link.group(1))
    assert download.content == b"12 chi bo" and download.headers["content-disposition"].startswith(
        "attachment"
    )
    csrf = csrf_of(page.text)
    refused = client.post(f"/tracking/periods/{period[A]}/decide", data={"csrf": csrf, "decision": "return"})
    assert (
        refused.status_code == 400
        and "Ý kiến" in refused.text
        and "Cần ghi ý kiến hoặc lý do." in refused.text
    )
    accepted = client.post(f"/tracking/periods/{period[A]}/decide", data={"csrf": csrf, "decision": "accept"})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/plans/{plan_id}#tracking"
    assert [p["cell"] for r in grid(db, plan_id) for p in r["periods"]] == ["accepted", "due", "due"]
    assert "đã chấp nhận" in client.get(f"/plans/{plan_id}").text

    csv = client.get(f"/plans/{plan_id}/tracking.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "1,du-ubnd,Đảng ủy UBND xã,accepted (2027-01-15)" in csv.text
    owed = client.get("/units/mttq/tracking")
    assert owed.status_code == 200 and "Ủy ban Mặt trận Tổ quốc Việt Nam xã" in owed.text
    assert "15/01/2027" in owed.text and "Báo cáo còn phải nộp" in owed.text

    # The summary Báo cáo, from the plan page's button; its page names the plan it reports on.
    bad = client.post(f"/plans/{plan_id}/summary", data={"csrf": csrf, "milestone": "giua-ky"})
    assert bad.status_code == 400 and "Mốc sơ kết, tổng kết" in bad.text
    made = client.post(f"/plans/{plan_id}/summary", data={"csrf": csrf, "milestone": "so_ket"})
    assert made.status_code == 303
    report_path = made.headers["location"]
    report_page = client.get(report_path)  # the follower drafted it, so sees it
    assert report_page.status_code == 200 and "Lập dự thảo Báo cáo" not in report_page.text
    assert f'Báo cáo kết quả thực hiện: <a href="/plans/{plan_id}">' in report_page.text
    assert f'Báo cáo kết quả: <a href="{report_path}">' in client.get(f"/plans/{plan_id}").text


def test_only_a_follower_decides(world: tuple[Database, TestClient, int, dict[str, int]]) -> None:
    db, client, plan_id, period = world
    link = last_link(db, B, "assignment")
    files = [("file", ("b.txt", b"b", "text/plain"))]
    assert (
        client.post(
            f"{link}/report", data={"period": str(period[B]), "text": "Báo cáo."}, files=files
        ).status_code
        == 200
    )
    sign_in(client, db, R3)  # a reviewer of the organisation who cannot see this plan
    csrf = csrf_of(client.get("/inbox").text)
    answer = client.post(f"/tracking/periods/{period[B]}/decide", data={"csrf": csrf, "decision": "accept"})
    assert answer.status_code == 404
    assert client.get(f"/plans/{plan_id}/tracking.csv").status_code == 404
    assert client.get("/tracking/files/1").status_code == 404
    client.cookies.clear()
    sign_in(client, db, SECRETARIAT)  # the office follows every assignment
    page = client.get(f"/plans/{plan_id}")
    assert "Chấp nhận báo cáo" in page.text and "Lập dự thảo Báo cáo" in page.text


def test_a_unit_asks_for_more_time_and_the_signer_grants_it(
    world: tuple[Database, TestClient, int, dict[str, int]],
) -> None:
    db, client, plan_id, period = world
    link = last_link(db, C, "assignment")
    ask = {"period": str(period[C]), "until": "2027-01-29", "reason": "Chờ số liệu của các chi hội."}
    bad_date = client.post(f"{link}/extend", data={**ask, "until": "29/01/2027"})
    assert bad_date.status_code == 400 and "Gia hạn đến ngày</strong>:" in bad_date.text
    earlier = client.post(f"{link}/extend", data={**ask, "until": "2027-01-10"})
    assert earlier.status_code == 400 and "Ngày mới phải sau hạn hiện tại" in earlier.text
    no_reason = client.post(f"{link}/extend", data={**ask, "reason": ""})
    assert no_reason.status_code == 400 and "Lý do</strong>: Cần ghi ý kiến hoặc lý do." in no_reason.text
    asked = client.post(f"{link}/extend", data=ask)
    assert asked.status_code == 200 and "Đã gửi đề nghị gia hạn đến ngày 2027-01-29" in asked.text
    assert "Đã đề nghị gia hạn đến ngày 29/01/2027, đang chờ quyết định." in asked.text

    sign_in(client, db, FOLLOWER)  # the follower sees the request, and may not decide it
    page = client.get(f"/plans/{plan_id}")
    assert "Chờ số liệu của các chi hội." in page.text and "Đồng ý gia hạn" not in page.text
    client.cookies.clear()
    sign_in(client, db, SIGNER)  # the plan's signer decides
    page = client.get(f"/plans/{plan_id}")
    assert "đề nghị đến 29/01/2027" in page.text and "Đồng ý gia hạn" in page.text
    granted = client.post(
        f"/tracking/periods/{period[C]}/extension",
        data={"csrf": csrf_of(page.text), "decision": "grant", "comment": "Đồng ý"},
    )
    assert granted.status_code == 303
    row = grid(db, plan_id)[2]["periods"][0]
    assert (row["due"], row["original_due"], row["cell"]) == ("2027-01-29", "2027-01-15", "due, extended")
    assert "đã gia hạn" in client.get(f"/plans/{plan_id}").text


def test_the_office_records_the_report_of_a_unit_without_email(db: Database, tmp_path: Path) -> None:
    db.clock = lambda: JANUARY_4
    by_hand = {"lead": "cb-thon-3", "follower": "bxdd", "deadline": "date", "due": "2027-01-15"}
    plan_id, period = issue_tracked(db, [by_hand])
    action = f"/tracking/periods/{period['cb-thon-3']}/report"
    settings = web_settings(tmp_path, database_url="sqlite://", throttle_per_minute=10_000)
    with new_client(db, settings) as client:
        sign_in(client, db, FOLLOWER)  # not the office: no form to record for a unit
        assert "Ghi báo cáo" not in client.get(f"/plans/{plan_id}").text
        client.cookies.clear()
        sign_in(client, db, SECRETARIAT)
        page = client.get(f"/plans/{plan_id}")
        assert f'action="{action}"' in page.text and "Chi bộ thôn 3 — Một lần" in page.text
        csrf = csrf_of(page.text)
        empty = client.post(action, data={"csrf": csrf, "text": ""})
        assert empty.status_code == 400 and "Văn bản" in empty.text
        recorded = client.post(
            action,
            data={"csrf": csrf, "text": "Chi bộ báo cáo bằng văn bản giấy ngày 10/01."},
            files=[("file", ("bao-cao-giay.pdf", b"%PDF-1.7", "application/pdf"))],
        )
        assert recorded.status_code == 303
        # A unit with an address reports for itself: the office's form is refused for it.
        refused = client.post(f"/tracking/periods/{period[A]}/report", data={"csrf": csrf, "text": "Thay."})
        assert refused.status_code == 403
    assert [p["cell"] for p in grid(db, plan_id)[3]["periods"]] == ["on time"]
    assert [r["emailed"] for r in grid(db, plan_id)] == [True, True, True, False]
