"""A recipient's recall link on the web: ``GET /recall/{token}`` shows which document is recalled
and why, ``POST /recall/{token}`` confirms the copy is destroyed. Like the receipt link
(``web/ack.py``): a GET changes nothing (mail scanners open links), the token is the credential,
the page is never cached."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from models.errors import NotFound
from models.services import recall
from web.ack import DB, link_page, shown_time

router = APIRouter()


def _page(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return link_page("recall", name, status, **context)


def _show(notice: recall.Notice) -> HTMLResponse:
    if notice.confirmed_at is None:
        return _page("confirm", notice=notice)
    return _page("done", notice=notice, confirmed_at=shown_time(notice.confirmed_at))


@router.get("/recall/{token}", response_class=HTMLResponse)
def show(token: str, db: DB) -> HTMLResponse:
    """Which document is recalled and why, and a button to confirm; changes nothing."""
    try:
        return _show(recall.notice(db, token))
    except NotFound:
        return _page("invalid", status=404)


@router.post("/recall/{token}", response_class=HTMLResponse)
def confirm(token: str, db: DB) -> HTMLResponse:
    """Record that the copy is destroyed (once: confirming again shows the first time)."""
    try:
        return _show(recall.destroy(db, token))
    except NotFound:
        return _page("invalid", status=404)
