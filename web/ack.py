"""Acknowledgement of receipt on the web: ``GET /ack/{token}`` shows, ``POST /ack/{token}`` confirms.

Mail scanners and link previews open every link in a message, so a GET only shows what the
link is for and a button; the receipt is recorded by the POST the button sends. The token
is the secret: a page that carries it is never cached and never sent on as a Referer.

The main web app includes ``router``; it can override ``database`` (a FastAPI dependency)
with its own.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from documents.official import signatures_vi
from models.db import Database
from models.errors import NotFound
from models.numbering import VN_TZ
from models.services import acknowledgements
from models.settings import Settings

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter()


@functools.cache
def database() -> Database:
    return Database.from_url(Settings().db_url)


DB = Annotated[Database, Depends(database)]


@functools.cache
def _environment() -> Environment:
    # Every value is escaped: names and titles come from the directory and the plan.
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=StrictUndefined)


def link_page(folder: str, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of a link that needs no sign-in (`templates/web/<folder>/<name>.html.j2`)."""
    html = _environment().get_template(f"web/{folder}/{name}.html.j2").render(**context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def shown_time(at: datetime) -> str:
    """'14:05 ngày 06/12/2026', in Hà Nội time."""
    return at.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return link_page("ack", name, status, **context)


def _show(receipt: acknowledgements.Receipt, db: Database, request: Request) -> HTMLResponse:
    # The recipient sees whether the PDF they got carries valid signatures, as `document verify` says.
    cfg = getattr(request.app.state, "settings", None) or Settings()
    signatures = signatures_vi(db, receipt.plan_id, cfg.trust_anchors)
    if receipt.acknowledged_at is None:
        return _page("confirm", receipt=receipt, signatures=signatures)
    return _page(
        "done", receipt=receipt, acknowledged_at=shown_time(receipt.acknowledged_at), signatures=signatures
    )


@router.get("/ack/{token}", response_class=HTMLResponse)
def show(token: str, db: DB, request: Request) -> HTMLResponse:
    """What the link is for, and a button to confirm; changes nothing."""
    try:
        return _show(acknowledgements.receipt(db, token), db, request)
    except NotFound:
        return _page("invalid", status=404)


@router.post("/ack/{token}", response_class=HTMLResponse)
def confirm(token: str, db: DB, request: Request) -> HTMLResponse:
    """Record the receipt (once: confirming again shows the first time)."""
    try:
        return _show(acknowledgements.acknowledge(db, token), db, request)
    except NotFound:
        return _page("invalid", status=404)
