"""The whole path in headless Chromium, on the real engine: Prefect server, runner,
dispatcher and SMTP catcher. People act only through the pages and the links in their mail."""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from flows.embedded import free_port
from models.services.directory import load_directory
from models.services.queries import deliveries, plan_status
from notifications.catcher import load_message, read_index
from tests.engine import Engine
from tests.flows.helpers import suspended_on, until
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, LINK, REPO, live_app, need_chromium, screenshot_path

# The path in a browser: the pages' queries run on both databases in test_pages.py and
# test_security.py, the whole engine on PostgreSQL in tests/scale/test_multi_worker.py.
pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.one_database]

OFFICE = "vanphong@duk.example.vn"
REVIEWER_1 = "tuyengiao@duk.example.vn"
REVIEWER_2 = "kiemtra@duk.example.vn"
SIGNER = "pbt@duk.example.vn"
SEED_000 = next((REPO / "examples" / "seeds").glob("000_*.txt"))
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(engine: Engine) -> Iterator[str]:
    need_chromium()
    # the dispatcher (started after this) writes links to this port into the emails
    engine.settings = engine.settings.model_copy(update={"web_port": free_port()})
    load_directory(engine.db, tomllib.loads((REPO / "examples" / "duk.toml").read_text(encoding="utf-8")))
    with live_app(engine.settings, engine.db) as url:
        yield url


async def caught_link(mail_dir: Path, to: str, subject: str) -> str:
    """The link in the newest caught message to `to` with `subject`, read from the catcher's
    files as `banhanh mail show --to` prints it: how the first person signs in."""
    for _ in range(120):
        for entry in reversed(read_index(mail_dir)):
            if to in entry.get("rcpt_tos", []) and subject in entry.get("subject", ""):
                text = load_message(mail_dir, entry["eml"]).get_body(preferencelist=("plain",))
                found = LINK.search(text.get_content() if text is not None else "")
                assert found, entry
                return found.group(0)
        await asyncio.sleep(0.5)
    raise AssertionError(f"no message to {to} about {subject!r}")


async def open_mail_link(
    page: Page, url: str, to: str, subject: str, reader: Page, shot: Path | None = None
) -> str:
    """The secretariat (`reader`) finds the message in the catcher's view (only a secretariat
    may read it); the person it was for opens its link in their own browser and confirms.
    Returns the link."""
    message = reader.locator("ul.list a", has_text=subject).first
    for _ in range(120):
        await reader.goto(f"{url}/mail?to={to}")
        if await message.count():
            break
        await reader.wait_for_timeout(500)
    await message.click()
    if shot is not None:
        await reader.screenshot(path=shot, full_page=True)
    link = await reader.locator("pre.mail a[href*='/l/']").first.get_attribute("href")
    assert link
    await follow_link(page, link)
    return link


async def follow_link(page: Page, link: str) -> None:
    await page.goto(link)
    await expect(page.get_by_role("button", name="Tiếp tục")).to_be_visible()
    await page.get_by_role("button", name="Tiếp tục").click()


async def press(page: Page, name: str) -> None:
    """Click a button below the document frame, scrolled to first as a reader would: Chromium
    lays out an off-screen sandboxed frame late, which can move a button under a blind click."""
    button = page.get_by_role("button", name=name, exact=True)
    await button.scroll_into_view_if_needed()
    await button.click()


async def person(browser: Browser) -> Page:
    context = await browser.new_context(viewport=DESKTOP, locale="vi-VN")
    return await context.new_page()


async def test_import_review_change_resubmit_approve_sign_and_deliver(
    site: str,
    engine: Engine,
    dispatcher: object,
    tmp_path: Path,
) -> None:
    db, url = engine.db, site
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # The secretariat signs in with the link the catcher received.
        office = await person(browser)
        await office.goto(f"{url}/login")
        await office.screenshot(path=screenshot_path(tmp_path, "login"), full_page=True)
        await office.get_by_label("Thư điện tử").fill(OFFICE)
        await office.get_by_role("button", name="Gửi đường dẫn đăng nhập").click()
        await follow_link(office, await caught_link(engine.settings.mail_dir, OFFICE, "Đường dẫn đăng nhập"))
        await expect(office.get_by_role("heading", name="Hộp việc")).to_be_visible()

        # Import seed 000, choose two reviewers and the signer, submit.
        await office.goto(f"{url}/plans/new")
        await office.set_input_files("#file", str(SEED_000))
        await office.get_by_role("button", name="Tạo dự thảo").click()
        await expect(office.get_by_role("heading", name="Đã tạo dự thảo KH-1")).to_be_visible()
        await office.get_by_role("link", name="Chọn người cho ý kiến").click()
        await office.get_by_label("Thạch Thị Sa Rênh").check()
        await office.get_by_label("Nguyễn Hoàng Khải").check()
        await office.get_by_label("Người ký").select_option(SIGNER)
        await office.get_by_role("button", name="Lưu").click()
        await office.get_by_role("button", name="Trình xem xét").click()
        await expect(office.locator(".facts")).to_contain_text("đang xem xét")
        await suspended_on(db, 1, "review-r1")

        # Reviewer 1 opens the link from the email and requests changes.
        first = await person(browser)
        await open_mail_link(
            first, url, REVIEWER_1, "Đề nghị cho ý kiến", office, screenshot_path(tmp_path, "catcher")
        )
        await expect(first.get_by_role("button", name="Đề nghị chỉnh sửa")).to_be_visible()
        await first.get_by_label("Ý kiến").fill("Bổ sung thời hạn sơ kết tại mục III.")
        await press(first, "Đề nghị chỉnh sửa")
        await expect(first.locator(".facts")).to_contain_text("cần chỉnh sửa")
        await suspended_on(db, 1, "draft-r1-v1")

        # The secretariat edits and resubmits.
        await office.goto(f"{url}/plans/1")
        await expect(office.locator(".timeline")).to_contain_text("Bổ sung thời hạn sơ kết")
        await office.get_by_role("link", name="Sửa nội dung").click()
        body = office.get_by_label("Nội dung")
        await body.fill((await body.input_value()) + "\n\n3. Sơ kết việc thực hiện vào quý IV năm 2022.")
        await office.get_by_role("button", name="Lưu phiên bản mới").click()
        await office.get_by_role("button", name="Trình xem xét").click()
        await suspended_on(db, 1, "review-r2")
        version = str(plan_status(db, 1)["version_hash"])

        # Both approve version 2, each from their own new email; reviewer 1 sees the change.
        approve_link = await open_mail_link(first, url, REVIEWER_1, version, office)
        # The changes since the version they saw, word by word: the added sentence is marked.
        await expect(first.locator("div.diff ins")).to_contain_text("Sơ kết việc thực hiện vào quý IV")
        await first.screenshot(path=screenshot_path(tmp_path, "review"), full_page=True)
        await press(first, "Đồng ý")
        await expect(first.locator(".timeline")).to_contain_text("Thạch Thị Sa Rênh: đồng ý")
        # The same email link opened again, signed in: to the plan, not an error page.
        await first.goto(approve_link)
        await expect(first).to_have_url(f"{url}/plans/1")
        await expect(first.locator(".timeline")).to_contain_text("Thạch Thị Sa Rênh: đồng ý")
        second = await person(browser)
        await open_mail_link(second, url, REVIEWER_2, version, office)
        await press(second, "Đồng ý")
        await expect(second.locator(".facts")).to_contain_text("đã được thông qua")
        await suspended_on(db, 1, "sign-v2")

        # The signer signs from the ready-to-sign email.
        signer = await person(browser)
        await open_mail_link(signer, url, SIGNER, "Trình ký", office)
        await signer.goto(f"{url}/inbox")
        await expect(signer.locator("ul.list a", has_text="Ký ban hành")).to_be_visible()
        await signer.screenshot(path=screenshot_path(tmp_path, "inbox"))
        await signer.locator("ul.list a", has_text="Ký ban hành").click()
        await press(signer, "Ký ban hành")
        await expect(signer.locator(".facts")).to_contain_text("Số 01-KH/ĐUK")

        await until("plan issued", lambda: plan_status(db, 1)["state"] == "issued")
        await office.goto(f"{url}/plans/1/deliveries")
        rows = office.locator("li.delivery")
        emailed = [d for d in deliveries(db, 1) if d["email"]]
        await expect(rows.filter(has_text="đã gửi")).to_have_count(len(emailed))
        assert len(emailed) == 7 and all(d["status"] == "sent" for d in emailed)
        assert [d["status"] for d in deliveries(db, 1) if not d["email"]] == ["filed"]
        await office.screenshot(path=screenshot_path(tmp_path, "deliveries"), full_page=True)
        await office.goto(f"{url}/plans/1")
        await expect(office.locator(".timeline")).to_contain_text("ký ban hành")
        await office.screenshot(path=screenshot_path(tmp_path, "plan"), full_page=True)

        # The official PDF, downloaded from the plan page.
        async with office.expect_download() as pending:
            await office.get_by_role("link", name="PDF", exact=True).click()
        pdf = Path(await (await pending.value).path())
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000

        # On a phone: the plan page and the document itself, no wider than the screen.
        await signer.set_viewport_size(PHONE)
        for name, path in (("phone-plan", "/plans/1"), ("phone-document", "/plans/1/document")):
            await signer.goto(f"{url}{path}")
            await signer.screenshot(path=screenshot_path(tmp_path, name))
            assert await signer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path

        await draft_searched_edited_twice_and_withdrawn(office, url)
        await browser.close()


async def draft_searched_edited_twice_and_withdrawn(office: Page, url: str) -> None:
    """A second draft: the inbox search finds plan 1 by a sentence only its text has; the
    draft is saved over from a stale tab (refused, the typed text kept), then withdrawn after
    the confirmation page."""
    await office.goto(f"{url}/plans/new")
    await office.set_input_files("#file", str(SEED_000))
    await office.get_by_role("button", name="Tạo dự thảo").click()
    await expect(office.get_by_role("heading", name="Đã tạo dự thảo KH-2")).to_be_visible()

    await office.goto(f"{url}/inbox")
    await office.get_by_label("Tìm (số, trích yếu, nội dung)").fill("quý IV năm 2022")
    await office.get_by_role("button", name="Lọc").click()
    found = office.locator("ul.list li.item a")
    await expect(found).to_have_count(1)  # only plan 1's text has the sentence added in review
    await expect(found).to_have_attribute("href", "/plans/1")

    await office.goto(f"{url}/plans/2/edit")
    stale = await office.context.new_page()
    await stale.goto(f"{url}/plans/2/edit")
    body = office.get_by_label("Nội dung")
    await body.fill((await body.input_value()) + "\n\nBổ sung từ tab thứ nhất.")
    await office.get_by_role("button", name="Lưu phiên bản mới").click()
    stale_body = stale.get_by_label("Nội dung")
    await stale_body.fill((await stale_body.input_value()) + "\n\nBổ sung từ tab cũ.")
    await stale.get_by_role("button", name="Lưu phiên bản mới").click()
    await expect(stale.get_by_role("alert")).to_contain_text("phiên bản mới")
    await expect(stale.locator("#mine-body")).to_have_value(re.compile("Bổ sung từ tab cũ"))
    await expect(stale.locator("#body")).to_have_value(re.compile("Bổ sung từ tab thứ nhất"))
    await stale.close()

    await office.goto(f"{url}/plans/2")
    await office.get_by_role("link", name="Rút lại dự thảo…").click()
    await expect(office.get_by_role("heading", name="Rút lại KH-2?")).to_be_visible()
    await office.get_by_label("Lý do rút lại (bắt buộc)").fill("Trùng với KH-1.")
    await office.get_by_role("button", name="Rút lại dự thảo").click()
    await expect(office.locator(".facts")).to_contain_text("đã rút lại")
