"""A lead unit's assignment link on the web: ``GET /tracking/{token}`` shows the assignment,
``POST /tracking/{token}`` acknowledges it. Like the receipt link (``web/ack.py``): a GET changes
nothing (mail scanners open links), the token is the credential, the page is never cached."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from models.errors import NotFound
from models.services import tracking_work
from web.ack import DB, link_page, shown_time

router = APIRouter()


def _page(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return link_page("tracking", name, status, **context)


def _show(link: tracking_work.AssignmentLink) -> HTMLResponse:
    if link.acknowledged_at is None:
        return _page("confirm", link=link)
    return _page("done", link=link, acknowledged_at=shown_time(link.acknowledged_at))


@router.get("/tracking/{token}", response_class=HTMLResponse)
def show(token: str, db: DB) -> HTMLResponse:
    """The assignment and a button to acknowledge it; changes nothing."""
    try:
        return _show(tracking_work.assignment_link(db, token))
    except NotFound:
        return _page("invalid", status=404)


@router.post("/tracking/{token}", response_class=HTMLResponse)
def acknowledge(token: str, db: DB) -> HTMLResponse:
    """Record the acknowledgement (once: again shows the first time)."""
    try:
        return _show(tracking_work.acknowledge_by_link(db, token))
    except NotFound:
        return _page("invalid", status=404)
