"""A real SMTP server for a test (aiosmtpd on port 0, writing each message it accepts), and the
outbox sent to it: the root conftest imports the fixture, so every test directory shares it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import Database
from models.settings import Settings
from notifications.catcher import MailCatcher
from notifications.dispatcher import OutboxSender


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail", port=0) as running:
        yield running


async def send_all(db: Database, settings: Settings, plan_id: int) -> None:
    """Send everything the plan's outbox holds now, as the dispatcher would."""
    async with OutboxSender(db, settings) as sender:
        while await sender.send_due(plan_id=plan_id):
            pass
