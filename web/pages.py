"""Rendering the server-side pages (Jinja2, autoescaped: every value is text, never markup)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from models.numbering import VN_TZ
from web.security import csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

STEP_NAMES = {
    "review": "Cho ý kiến",
    "sign": "Ký ban hành",
    "issue": "Cấp số, phát hành",
    "confirm_recall": "Xác nhận thu hồi",
    "edit": "Chỉnh sửa dự thảo",
    "view": "Xem văn bản",
    "sign_in": "Đăng nhập",
}
ROLE_NAMES = {
    "secretariat": "Văn phòng",
    "reviewer": "Người cho ý kiến",
    "signer": "Người ký",
    "clerk": "Văn thư",
    "admin": "Quản trị",
}


def _local(at: datetime | str | None) -> str:
    """A UTC time (or its ISO text) as Viet Nam local time."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at) if at else None
    return at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if at else ""


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = _local
    env.filters["vndate"] = lambda d: d.strftime("%d/%m/%Y")
    env.globals.update(step_names=STEP_NAMES, role_names=ROLE_NAMES)
    return env


ENV = _environment()


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    person = getattr(request.state, "person", None)
    html = ENV.get_template(f"web/{name}.html.j2").render(
        request=request,
        person=person,
        csrf=csrf_token(request),
        catcher=request.app.state.catcher_view,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
