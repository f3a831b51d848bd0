"""In headless Chromium, on the live web app: a lead unit opens the link its assignment email
carries, acknowledges, and sends its report with a file; the follower signs in, reads it on the
plan page and accepts it; the grid shows it beside a returned and a missing report. The
screenshots are the README's (BANHANH_WEB_SCREENSHOTS=docs writes them into docs/)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from flows.embedded import free_port
from models.db import Database
from models.services.tracking_views import grid
from models.services.tracking_work import decide_report, submit_report
from models.settings import Settings
from tests.tracking.world import FOLLOWER, A, B, issue_tracked
from tests.web.conftest import last_link, queued_link
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, live_app, need_chromium, screenshot_path

pytestmark = [pytest.mark.slow, pytest.mark.one_database]


class Clock:
    def __init__(self, day: int) -> None:
        self.set(day)

    def set(self, day: int) -> None:
        self.now = datetime(2027, 1, day, 2, tzinfo=UTC)  # 9:00 in Viet Nam

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def site(db: Database, db_url: str, tmp_path: Path) -> Iterator[str]:
    need_chromium()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path,
        secret_key="test-key",
        database_url=db_url,
        web_port=free_port(),
        throttle_per_minute=10_000,
    )
    with live_app(settings, db) as url:
        yield url


async def sign_in(page: Page, url: str, db: Database) -> None:
    await page.goto(f"{url}/login")
    await page.get_by_label("Thư điện tử").fill(FOLLOWER)
    await page.get_by_role("button", name="Gửi đường dẫn đăng nhập").click()
    await expect(page.get_by_role("heading", name="Xin kiểm tra hộp thư")).to_be_visible()
    await page.goto(url + await queued_link(db, FOLLOWER, "sign_in"))
    await page.get_by_role("button", name="Tiếp tục").click()
    await expect(page.get_by_role("heading", name="Hộp việc")).to_be_visible()


async def test_a_unit_reports_by_its_link_and_the_follower_accepts(
    db: Database, site: str, tmp_path: Path
) -> None:
    clock = Clock(4)
    db.clock = clock
    plan_id, period = issue_tracked(db)
    clock.set(5)
    submit_report(db, period[B], B, "Đang tổng hợp.")
    decide_report(db, period[B], FOLLOWER, False, "Bổ sung số buổi tuyên truyền và số người dự.")
    clock.set(12)
    url = site
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # The lead unit: the link from its email, no account.
        unit = await (
            await browser.new_context(viewport={"width": 560, "height": 900}, locale="vi-VN")
        ).new_page()
        await unit.goto(url + last_link(db, A, "assignment"))
        await expect(unit.get_by_role("heading", name="Xác nhận đã nhận nhiệm vụ")).to_be_visible()
        await unit.get_by_role("button", name="Xác nhận đã nhận nhiệm vụ").click()
        await expect(unit.get_by_role("heading", name="Đã xác nhận nhận nhiệm vụ")).to_be_visible()
        await unit.get_by_role("button", name="Gửi báo cáo").click()  # nothing written: refused by name
        await expect(unit.get_by_role("alert")).to_contain_text("Nội dung báo cáo: Cần điền mục này.")
        await unit.get_by_label("Nội dung báo cáo").fill(
            "Đảng ủy UBND xã đã ban hành Kế hoạch số 05-KH/ĐU, triển khai đến 12 chi bộ; "
            "tổ chức 3 hội nghị quán triệt với 240 đảng viên tham dự."
        )
        attached = tmp_path / "so-lieu-quy-I.txt"
        attached.write_text("12 chi bộ; 3 hội nghị; 240 đảng viên\n", encoding="utf-8")
        await unit.get_by_label("Tệp kèm theo (nếu có)").set_input_files(str(attached))
        await unit.get_by_role("button", name="Gửi báo cáo").click()
        await expect(unit.get_by_role("status")).to_contain_text("Đã gửi báo cáo")
        await expect(unit.locator(".period")).to_contain_text("so-lieu-quy-I.txt")
        await unit.screenshot(path=screenshot_path(tmp_path, "tracking-report"), full_page=True)
        await unit.set_viewport_size({"width": 375, "height": 800})  # a phone: nothing scrolls sideways
        assert await unit.evaluate("document.documentElement.scrollWidth") <= 375

        # A week after the due date, the follower signs in with the link of its sign-in email, reads
        # the report on the plan page and accepts it; the returned and the missing one are overdue.
        clock.set(18)
        follower = await (
            await browser.new_context(viewport={"width": 1100, "height": 900}, locale="vi-VN")
        ).new_page()
        await sign_in(follower, url, db)
        await follower.goto(f"{url}/plans/{plan_id}#tracking")
        report = follower.locator("li.report")
        await expect(report).to_contain_text("triển khai đến 12 chi bộ")
        await expect(report).to_contain_text("so-lieu-quy-I.txt")
        await report.screenshot(path=screenshot_path(tmp_path, "tracking-accept"))
        await report.get_by_role("button", name="Chấp nhận báo cáo").click()
        await expect(follower.locator("table.grid td.cell-accepted")).to_have_count(1)
        assert [p["cell"] for r in grid(db, plan_id) for p in r["periods"]] == [
            "accepted",
            "returned",
            "missing",
        ]
        section = follower.locator("section[aria-labelledby=tracking]")
        await expect(section.locator("li.overdue")).to_have_count(2)
        await expect(section.locator("td.cell-missing")).to_contain_text("chưa nộp, quá hạn")
        await section.screenshot(path=screenshot_path(tmp_path, "tracking-grid"))
        await follower.goto(f"{url}/units/hoi-nong-dan/tracking")
        await expect(follower.locator("td.cell-missing")).to_contain_text("chưa nộp, quá hạn")
        await follower.set_viewport_size({"width": 375, "height": 800})
        for path in ("/units/hoi-nong-dan/tracking", f"/plans/{plan_id}"):
            await follower.goto(url + path)
            assert await follower.evaluate("document.documentElement.scrollWidth") <= 375, path
        await browser.close()
