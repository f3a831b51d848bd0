"""The tracked work of an issued plan for signed-in people: its grid as CSV, a unit's page of what
it owes, the follower's accept or return, and the summary Báo cáo. The plan page shows the grid
(`web.tracking_section`). Every change goes through `models.services.tracking_work` / `tracking_summary`."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from models.errors import Invalid
from models.services import tracking_summary, tracking_views, tracking_work, workspace
from web.pages import page
from web.plans import Someone, see_plan
from web.security import checked_form
from web.state import db_of

router = APIRouter()
Form = Annotated[FormData, Depends(checked_form)]
DECISIONS = {"accept": True, "return": False}
EXTENSIONS = {"grant": True, "refuse": False}


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


@router.get("/plans/{plan_id}/tracking.csv")
def grid_csv(request: Request, plan_id: int, person: Someone) -> Response:
    """The grid as a spreadsheet: a line per lead unit, a column per period."""
    see_plan(request, person, plan_id)
    body = "\ufeff" + tracking_views.grid_csv(
        tracking_views.grid(db_of(request), plan_id)
    )  # BOM: Excel reads UTF-8
    disposition = f'attachment; filename="theo-doi-{plan_id}.csv"'
    return Response(body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})


@router.get("/units/{code}/tracking")
def unit_page(request: Request, code: str, person: Someone) -> Response:
    """Every report one unit of this person's organisation still owes, across plans."""
    db = db_of(request)
    org = workspace.organisation(db, person.org_id)
    rows = tracking_views.owed(db, code, org.key)
    _, units = workspace.people_and_units(db, person.org_id)
    name = next((u.name for u in units if u.code == code), code)
    return page(request, "tracking/unit", code=code, unit_name=name, rows=rows)


@router.post("/tracking/periods/{period_id}/decide")
def decide(request: Request, period_id: int, person: Someone, form: Form) -> Response:
    """The follower accepts the report, or returns it with a comment."""
    db = db_of(request)
    plan_id = tracking_views.plan_of_period(db, period_id)
    see_plan(request, person, plan_id)
    decision = _text(form, "decision")
    if decision not in DECISIONS:
        raise Invalid("decision", code="review.bad_decision")
    tracking_work.decide_report(db, period_id, person.email, DECISIONS[decision], _text(form, "comment"))
    return RedirectResponse(f"/plans/{plan_id}#tracking", status_code=303)


@router.post("/tracking/periods/{period_id}/report")
async def record_report(request: Request, period_id: int, person: Someone, form: Form) -> Response:
    """The secretariat records the report of a unit without email (text and files), as it came."""
    db = db_of(request)
    plan_id = tracking_views.plan_of_period(db, period_id)
    see_plan(request, person, plan_id)
    files = [
        (upload.filename, await upload.read(tracking_work.MAX_FILE + 1))
        for upload in form.getlist("file")
        if isinstance(upload, UploadFile) and upload.filename
    ]
    tracking_work.submit_report(db, period_id, person.email, _text(form, "text"), files)
    return RedirectResponse(f"/plans/{plan_id}#tracking", status_code=303)


@router.post("/tracking/periods/{period_id}/extension")
def decide_extension(request: Request, period_id: int, person: Someone, form: Form) -> Response:
    """The plan's signer grants the extension asked for (the due date moves) or refuses it."""
    db = db_of(request)
    plan_id = tracking_views.plan_of_period(db, period_id)
    see_plan(request, person, plan_id)
    decision = _text(form, "decision")
    if decision not in EXTENSIONS:
        raise Invalid("decision", code="review.bad_decision")
    tracking_work.decide_extension(db, period_id, person.email, EXTENSIONS[decision], _text(form, "comment"))
    return RedirectResponse(f"/plans/{plan_id}#tracking", status_code=303)


@router.get("/tracking/files/{file_id}")
def report_file(request: Request, file_id: int, person: Someone) -> Response:
    """A file sent with a report, for whoever may see its plan; always a download, never shown inline."""
    row = tracking_views.report_file(db_of(request), file_id)
    see_plan(request, person, row.plan_id)
    disposition = f"attachment; filename*=UTF-8''{quote(row.name)}"
    return Response(
        row.content, media_type="application/octet-stream", headers={"Content-Disposition": disposition}
    )


@router.post("/plans/{plan_id}/summary")
def summary(request: Request, plan_id: int, person: Someone, form: Form) -> Response:
    """The follower assembles the accepted reports into a Báo cáo draft; its page is next."""
    see_plan(request, person, plan_id)
    made = tracking_summary.assemble_summary(db_of(request), plan_id, person.email, _text(form, "milestone"))
    return RedirectResponse(f"/plans/{made.plan_id}", status_code=303)
