"""At 375 px (a phone), no page scrolls sideways and every action on it is on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from flows.embedded import free_port
from models.db import Database
from models.lifecycle import State
from models.services import access, plans
from notifications.catcher import MailCatcher, read_index
from notifications.dispatcher import OutboxSender
from tests.factory import R1, SECRETARIAT, SIGNER, build
from tests.web.conftest import last_link, web_settings
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, live_app, need_chromium, screenshot_path

# Layout in a browser: the pages' queries run on both databases in test_pages.py and test_security.py.
pytestmark = [pytest.mark.slow, pytest.mark.one_database]
WIDTH = 375
LONG_TITLE = "Kế hoạch " + "tổ chức thực hiện Nghị quyết số 06-NQ/TU " * 6 + "X" * 80

# Every visible control: its box must lie inside the viewport's width.
OFF_SCREEN = """(width) => [
  ...document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
  .filter(([, r]) => r.width === 0 || r.left < 0 || r.right > width + 0.5)
  .map(([html]) => html)"""


async def check(page: Page, url: str) -> None:
    response = await page.goto(url)
    assert response is not None and response.status < 400, url
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{url} scrolls sideways: {width} px"
    assert await page.evaluate(OFF_SCREEN, WIDTH) == [], url


async def signed_in_page(browser: object, base: str, db: Database, email: str, hours: int) -> Page:
    context = await browser.new_context(viewport={"width": WIDTH, "height": 740})  # type: ignore[attr-defined]
    page: Page = await context.new_page()
    access.request_sign_in(db, email, hours)
    await page.goto(base + last_link(db, email, "sign_in"))
    await page.get_by_role("button", name="Tiếp tục").click()
    await page.wait_for_url("**/inbox")
    return page


async def test_no_page_scrolls_sideways_at_375_px(people: Database, tmp_path: Path, db_url: str) -> None:
    need_chromium()
    db = people
    draft = build(db, State.DRAFT)
    plans.edit_plan(db, draft, SECRETARIAT, title=LONG_TITLE)
    approved = build(db, State.APPROVED)
    issued = build(db, State.ISSUED)
    second_round = build(db, State.CHANGES_REQUESTED)
    plans.edit_plan(db, second_round, SECRETARIAT, body="I. MỤC ĐÍCH\n\n- " + "Đã sửa rất dài " * 40)
    plans.submit(db, second_round, SECRETARIAT)
    with MailCatcher(tmp_path / "mail", port=0) as catcher:
        settings = web_settings(tmp_path, database_url=db_url, smtp_port=catcher.port, web_port=free_port())
        async with OutboxSender(db, settings) as sender:
            while await sender.send_due():
                pass
        mail = read_index(settings.mail_dir)[0]["eml"]
        with live_app(settings, db) as base:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                anonymous = await (
                    await browser.new_context(viewport={"width": WIDTH, "height": 740})
                ).new_page()
                for path in ("/login", last_link(db, R1, "review_requested")):
                    await check(anonymous, base + path)
                office = await signed_in_page(browser, base, db, SECRETARIAT, settings.link_hours)
                for path in (
                    "/inbox",
                    "/plans/new",
                    f"/plans/{draft}",
                    f"/plans/{draft}/edit",
                    f"/plans/{draft}/assign",
                    f"/plans/{issued}",
                    f"/plans/{issued}/deliveries",
                    "/directory",
                    "/register",
                    "/mail",
                    f"/mail/{mail}",
                ):
                    await check(office, base + path)
                reviewer = await signed_in_page(browser, base, db, R1, settings.link_hours)
                for path in ("/inbox", f"/plans/{second_round}", f"/plans/{second_round}/review"):
                    await check(reviewer, base + path)
                assert await reviewer.locator("div.diff ins").count() > 0
                # Chromium paints an off-screen cross-origin (sandboxed) frame only once it is seen.
                await reviewer.locator("iframe.document").scroll_into_view_if_needed()
                await reviewer.wait_for_timeout(500)
                await reviewer.screenshot(path=screenshot_path(tmp_path, "phone-review"), full_page=True)
                signer = await signed_in_page(browser, base, db, SIGNER, settings.link_hours)
                for path in ("/inbox", f"/plans/{approved}/sign"):
                    await check(signer, base + path)
                await browser.close()
