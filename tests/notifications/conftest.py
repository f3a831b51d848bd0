"""Fixtures for the notification tests: a real SMTP catcher on a free port, settings pointing at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from models.settings import Settings
from notifications.catcher import MailCatcher

INJECTED_TITLE = "Kế hoạch\r\nBcc: evil@x"
TITLE = "Kế hoạch thực hiện Nghị quyết số 12-NQ/TU về đẩy mạnh chuyển đổi số"


@dataclass
class Item:
    """Stands in for an OutboxMessage row: only the attributes build_message reads."""

    event: str
    to_email: str | None
    to_name: str
    context: dict[str, Any]
    message_id: str
    plan_id: int | None = 42
    key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def plan_context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "plan_id": 42,
        "title": TITLE,
        "version_hash": "3f9a1c07b2e4",
        "version_seq": 2,
        "round": 1,
        "org_name": "ĐẢNG ỦY XÃ HÀM LIÊM",
        "symbol": "",
        "state": "in_review",
        "to_name": "Nguyễn Thị Ánh",
        # what the reminder flow adds for reminder and escalation emails
        "due": "2026-12-01",
        "reminder_number": 1,
        "waiting_for": "Trần Văn Bình",
        "waiting_for_email": "bxdd@hamliem.example.vn",
        "step": "review",
    }
    context.update(overrides)
    return context


def make_item(event: str, *, to_email: str = "bxdd@hamliem.example.vn", **context: Any) -> Item:
    return Item(
        event=event,
        to_email=to_email,
        to_name="Nguyễn Thị Ánh",
        context=plan_context(**context),
        message_id=f"<{event}.p42.r1@banhanh>",
    )


def settings_for(port: int, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_tls": False,
        "smtp_username": "",
        "smtp_password": "",
        "smtp_timeout": 5.0,
        "smtp_pool_size": 2,
        "mail_from": "Văn phòng Đảng ủy <vanphong@hamliem.example.vn>",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(catcher: MailCatcher, tmp_path: Path) -> Settings:
    return settings_for(catcher.port, tmp_path)
