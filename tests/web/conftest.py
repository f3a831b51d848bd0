"""The web app against a real SQLite database, driven in-process through its ASGI interface."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from models.db import Database
from models.records import OutboxMessage
from models.settings import Settings
from tests.factory import load_people
from web.app import create_app

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def web_settings(tmp_path: Path, **extra: object) -> Settings:
    """Settings for an app in a test; TestClient sends `Host: testserver`, allowed here."""
    extra.setdefault("allowed_hosts", "testserver")
    return Settings(_env_file=None, data_dir=tmp_path, secret_key="test-key", **extra)  # type: ignore[call-arg]


@pytest.fixture
def people(db: Database) -> Database:
    load_people(db)
    return db


@pytest.fixture
def app_settings(tmp_path: Path, db_url: str) -> Settings:
    return web_settings(tmp_path, database_url=db_url)


@pytest.fixture
def client(people: Database, app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, people), follow_redirects=False) as c:
        yield c


def new_client(db: Database, settings: Settings) -> TestClient:
    return TestClient(create_app(settings, db), follow_redirects=False)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


def last_link(db: Database, email: str, event: str | None = None) -> str:
    """The one-time link path of the newest email queued to this address (of this event)."""
    with db.read() as s:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.to_email == email)
            .order_by(col(OutboxMessage.id).desc())
        )
        for item in s.exec(query):
            if event is None or item.event == event:
                return str(item.context["action_path"])
    raise AssertionError(f"no email to {email}")


async def queued_link(db: Database, email: str, event: str, seconds: float = 15.0) -> str:
    """`last_link`, once the email is queued: the sign-in link is queued after the page answers
    (known and unknown addresses answer alike), so a browser can see the page before it exists."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return last_link(db, email, event)
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


def use_link(client: TestClient, path: str) -> str:
    """Open the link (GET shows the confirm page), then confirm it; return where it leads."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    done = client.post(path, data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303, done.text
    return str(done.headers["location"])


def sign_in(client: TestClient, db: Database, email: str) -> None:
    page = client.get("/login")
    sent = client.post("/login", data={"email": email, "csrf": csrf_of(page.text)})
    assert sent.status_code == 200
    assert use_link(client, last_link(db, email, "sign_in")) == "/inbox"


def post_form(client: TestClient, page_path: str, action: str, data: dict[str, object]) -> object:
    """Post a form the way a browser does: with the CSRF token of the page it is on."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    return client.post(action, data={**data, "csrf": csrf_of(page.text)})
