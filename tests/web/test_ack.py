"""Acknowledgement of receipt through the web: the link in the real email, a real SQLite file.

The plan is distributed through the outbox sender to the in-process SMTP catcher; the link
is read from the email each recipient got, then opened with an ASGI client on the web app.
"""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.db import Database
from models.errors import Refused
from models.lifecycle import State
from models.services import acknowledgements
from models.services.directory import load_directory
from models.services.queries import deliveries, history, outbox
from models.settings import Settings
from notifications.catcher import MailCatcher, load_message, read_index
from notifications.links import ack_token, secret_key
from tests.factory import R1, SECRETARIAT, build, example_config
from tests.mailbox import send_all
from tests.notifications.conftest import settings_for
from web.app import create_app

MARKUP_UNIT = 'Chi bộ <script>alert(1)</script> & "Tổ 1"'
MARKUP_EMAIL = "chibo.to1@hamliem.example.vn"
LINK = re.compile(r"https?://\S+/ack/[A-Za-z0-9_-]+")


def load_directory_with_markup(db: Database) -> None:
    config: dict[str, Any] = copy.deepcopy(example_config())
    group = next(u for u in config["units"] if u["code"] == "cs-dang-truc-thuoc")
    config["units"].append({"code": "cb-to-1", "name": MARKUP_UNIT, "email": MARKUP_EMAIL})
    group["members"].append("cb-to-1")
    load_directory(db, config)


def links(catcher: MailCatcher, event: str) -> dict[str, str]:
    """The acknowledgement link of each recipient's email of ``event``, read from its text part."""
    found: dict[str, str] = {}
    for entry in read_index(catcher.mail_dir):
        if entry["event"] != event:
            continue
        text = load_message(catcher.mail_dir, entry["eml"]).get_body(preferencelist=("plain",))
        assert text is not None
        match = LINK.search(str(text.get_content()))
        assert match, f"{event} email to {entry['rcpt_tos']} has no acknowledgement link"
        found[entry["rcpt_tos"][0]] = match.group(0)
    return found


@pytest.fixture
def settings(catcher: MailCatcher, tmp_path: Path) -> Settings:
    return settings_for(catcher.port, tmp_path)


@pytest.fixture
async def distributed(
    db: Database, settings: Settings, catcher: MailCatcher
) -> AsyncIterator[tuple[int, dict[str, str], httpx.AsyncClient]]:
    load_directory_with_markup(db)
    plan_id = build(db, State.DISTRIBUTING)
    await send_all(db, settings, plan_id)
    app = create_app(settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield plan_id, links(catcher, "distributed"), client


def path(link: str) -> str:
    return "/ack/" + link.rsplit("/ack/", 1)[1]


def acknowledged(db: Database, plan_id: int) -> dict[str, str | None]:
    return {d["email"]: d["acknowledged_at"] for d in deliveries(db, plan_id) if d["email"]}


async def test_every_copy_carries_its_own_link_and_only_its_hash_is_stored(
    db: Database, distributed: tuple[int, dict[str, str], httpx.AsyncClient], settings: Settings
) -> None:
    plan_id, found, _ = distributed
    emailed = {d["email"] for d in deliveries(db, plan_id) if d["status"] == "sent"}
    assert set(found) == emailed and len(set(found.values())) == len(found), "one link per recipient"
    assert all(link.startswith(f"{settings.base_url}/ack/") for link in found.values())
    tokens = {link.rsplit("/", 1)[1] for link in found.values()}
    with db.engine.connect() as conn:
        dump = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM delivery"))
        dump += "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM outboxmessage"))
    assert not any(token in dump for token in tokens), "the token itself is never stored"


async def test_get_shows_and_changes_nothing_post_acknowledges_once(
    db: Database, distributed: tuple[int, dict[str, str], httpx.AsyncClient]
) -> None:
    plan_id, found, client = distributed
    target = path(found[MARKUP_EMAIL])
    for _ in range(2):  # a mail scanner, then the person: neither acts
        page = await client.get(target)
        assert page.status_code == 200 and "Xác nhận đã nhận" in page.text and 'method="post"' in page.text
        assert (
            page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
        )
    assert all(at is None for at in acknowledged(db, plan_id).values())

    done = await client.post(target)
    assert done.status_code == 200 and "Đã xác nhận đã nhận văn bản" in done.text
    first = acknowledged(db, plan_id)
    assert first[MARKUP_EMAIL] is not None
    assert [e for e, at in first.items() if at] == [MARKUP_EMAIL], "only this recipient"

    again = await client.post(target)  # a double click, a reused link
    assert again.status_code == 200 and "Đã xác nhận đã nhận văn bản" in again.text
    assert acknowledged(db, plan_id) == first, "the first time stands"
    assert [h["action"] for h in history(db, plan_id)].count("acknowledge") == 1
    shown = await client.get(target)
    assert "Đã xác nhận đã nhận văn bản" in shown.text


async def test_forged_or_foreign_tokens_are_refused_with_a_clear_page(
    db: Database, distributed: tuple[int, dict[str, str], httpx.AsyncClient], settings: Settings
) -> None:
    plan_id, found, client = distributed
    real = path(next(iter(found.values())))
    forged = [
        real[:-1] + ("A" if real[-1] != "A" else "B"),  # one character changed
        "/ack/" + ack_token(b"another site's key", 1),  # well formed, wrong key
        "/ack/" + "x" * 43,
        "/ack/short",
    ]
    unsent = next(d for d in deliveries(db, plan_id) if d["email"] is None)
    assert unsent["status"] in ("not_emailed", "filed")
    for target in forged:
        for response in (await client.get(target), await client.post(target)):
            assert response.status_code == 404, target
            assert "Liên kết không hợp lệ" in response.text
    assert all(at is None for at in acknowledged(db, plan_id).values())
    assert secret_key(settings) != b"another site's key"


async def test_names_and_titles_are_escaped(
    distributed: tuple[int, dict[str, str], httpx.AsyncClient],
) -> None:
    _, found, client = distributed
    for response in (
        await client.get(path(found[MARKUP_EMAIL])),
        await client.post(path(found[MARKUP_EMAIL])),
    ):
        assert "<script>" not in response.text
        assert "Chi bộ &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Tổ 1&#34;" in response.text
        assert '<meta name="viewport"' in response.text


async def test_remind_emails_only_those_who_have_not_acknowledged_with_the_same_link(
    db: Database,
    distributed: tuple[int, dict[str, str], httpx.AsyncClient],
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    plan_id, found, client = distributed
    await client.post(path(found[MARKUP_EMAIL]))
    with pytest.raises(Refused) as refused:
        acknowledgements.remind(db, plan_id, R1)
    assert refused.value.field == "as"

    waiting = {e for e in found if e != MARKUP_EMAIL}
    assert acknowledgements.remind(db, plan_id, SECRETARIAT) == len(waiting)
    assert acknowledgements.remind(db, plan_id, SECRETARIAT) == len(waiting)  # round 2: its own emails
    reminders = [o for o in outbox(db, plan_id) if o["event"] == "ack_reminder"]
    assert len(reminders) == 2 * len(waiting) and {o["to"] for o in reminders} == waiting
    await send_all(db, settings, plan_id)
    reminded = links(catcher, "ack_reminder")
    assert reminded == {e: found[e] for e in waiting}, "the reminder carries the recipient's own link"

    listing = acknowledgements.receipts(db, plan_id)
    assert {r["email"] for r in listing if r["acknowledged_at"]} == {MARKUP_EMAIL}
    assert {r["email"] for r in listing if not r["acknowledged_at"]} == waiting
