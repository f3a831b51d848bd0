"""The flow's distribution step on its own: batches over one pool, progress in the log after each."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from flows import steps
from flows.steps import distribute
from models.db import Database
from models.lifecycle import State
from models.services.queries import plan_status
from notifications.catcher import MailCatcher, read_index
from tests.factory import build
from tests.notifications.conftest import settings_for
from tests.notifications.test_faults import load_big_directory

PROGRESS = re.compile(r"KH-(\d+): (?:xong, )?đã gửi (\d+)/(\d+), lỗi (\d+), còn chờ (\d+)")


async def test_progress_is_logged_while_sending_until_the_plan_is_issued(
    db: Database,
    catcher: MailCatcher,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(steps, "PROGRESS_EVERY_S", 0.0)  # a line after every batch, not every 2 s
    recipients = load_big_directory(db)  # 60 emailed recipients: two batches of up to 50
    plan_id = build(db, State.DISTRIBUTING)
    logger = logging.getLogger("test.distribution")
    with caplog.at_level(logging.INFO, logger="test.distribution"):
        counts = await distribute(plan_id, db, settings_for(catcher.port, tmp_path), logger=logger)
    assert counts["sent"] == len(recipients) and plan_status(db, plan_id)["state"] == "issued"
    lines = [m for r in caplog.records if (m := PROGRESS.search(r.getMessage()))]
    assert len(lines) >= 3, [r.getMessage() for r in caplog.records]  # two batches, then the final line
    assert all(int(m[1]) == plan_id and int(m[3]) == len(recipients) for m in lines)
    sent = [int(m[2]) for m in lines]
    assert sent == sorted(sent) and sent[0] > 0, sent
    assert (
        caplog.records[-1]
        .getMessage()
        .endswith(f"đã gửi {len(recipients)}/{len(recipients)}, lỗi 0, còn chờ 0")
    )
    assert len([e for e in read_index(catcher.mail_dir) if e["event"] == "distributed"]) == len(recipients)
