"""A lead unit's assignment link on the web: ``GET /tracking/{token}`` shows the assignment and its
periods, ``POST /tracking/{token}`` acknowledges it, ``POST /tracking/{token}/report`` sends the
report for one period (text and files). Like the receipt link (``web/ack.py``): a GET changes
nothing (mail scanners open links), the token is the credential, the page is never cached."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from models.errors import BanHanhError, Invalid, NotFound
from models.services import tracking_link, tracking_work
from web.ack import DB, link_page, shown_time

router = APIRouter()
FIELDS = {
    "text": "Nội dung báo cáo",
    "file": "Tệp kèm theo",
    "period": "Kỳ báo cáo",
    "comment": "Lý do",  # the only comment a unit writes: why it asks for more time
    "until": "Gia hạn đến ngày",
}
MAX_FILES = 10


def _page(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return link_page("tracking", name, status, **context)


def _show(db: DB, token: str, status: int = 200, **context: object) -> HTMLResponse:
    link, periods = tracking_link.link_periods(db, token)
    acknowledged = shown_time(link.acknowledged_at) if link.acknowledged_at else ""
    return _page(
        "confirm" if link.acknowledged_at is None else "done",
        status,
        link=link,
        token=token,
        periods=periods,
        acknowledged_at=acknowledged,
        **{"error": None, "error_field": "", "sent": None, "asked": None, "text": "", **context},
    )


@router.get("/tracking/{token}", response_class=HTMLResponse)
def show(token: str, db: DB) -> HTMLResponse:
    """The assignment, its periods, a button to acknowledge it and a form per period owed."""
    try:
        return _show(db, token)
    except NotFound:
        return _page("invalid", status=404)


@router.post("/tracking/{token}", response_class=HTMLResponse)
def acknowledge(token: str, db: DB) -> HTMLResponse:
    """Record the acknowledgement (once: again shows the first time)."""
    try:
        tracking_work.acknowledge_by_link(db, token)
        return _show(db, token)
    except NotFound:
        return _page("invalid", status=404)


async def _files(request: Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    files: list[tuple[str, bytes]] = []
    for upload in form.getlist("file"):
        if isinstance(upload, UploadFile) and upload.filename:
            if len(files) == MAX_FILES:
                raise Invalid("file", code="field.too_long", length=MAX_FILES + 1, limit=MAX_FILES)
            # One byte past the limit is enough for the service to refuse it by name.
            files.append((upload.filename, await upload.read(tracking_work.MAX_FILE + 1)))
    return fields, files


@router.post("/tracking/{token}/report", response_class=HTMLResponse)
async def report(token: str, request: Request, db: DB) -> HTMLResponse:
    """The unit's report for one of its periods; a refusal shows the form again with the reason."""
    try:
        tracking_link.link_periods(db, token)  # the token first: a made-up one learns nothing more
    except NotFound:
        return _page("invalid", status=404)
    text = ""
    try:
        fields, files = await _files(request)
        text = fields.get("text", "")
        period = fields.get("period", "")
        if not period.isdigit():
            raise Invalid("period", code="field.required")
        state = tracking_link.report_by_link(db, token, int(period), text, files)
    except BanHanhError as error:
        return _refused(db, token, error, text=text)
    return _show(db, token, sent=state)


def _refused(db: DB, token: str, error: BanHanhError, **context: object) -> HTMLResponse:
    """The page again, the reason above the forms with the field named."""
    field = error.field.split("[")[0]
    status = 404 if isinstance(error, NotFound) else 400 if isinstance(error, Invalid) else 409
    return _show(db, token, status, error=error.message, error_field=FIELDS.get(field, field), **context)


@router.post("/tracking/{token}/extend", response_class=HTMLResponse)
async def extend(token: str, request: Request, db: DB) -> HTMLResponse:
    """The unit asks to report later, with the date and the reason; the plan's signer decides."""
    try:
        tracking_link.link_periods(db, token)
    except NotFound:
        return _page("invalid", status=404)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    until = values.get("until", "")
    try:
        period = values.get("period", "")
        if not period.isdigit():
            raise Invalid("period", code="field.required")
        tracking_link.extension_by_link(db, token, int(period), until, values.get("reason", ""))
    except BanHanhError as error:
        return _refused(db, token, error)
    return _show(db, token, asked=until)
