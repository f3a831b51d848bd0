"""The secretariat's address book: units (recipients) and people (with their roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from models.services import addressbook, workspace
from web.pages import page
from web.plans import Secretariat
from web.security import checked_form
from web.state import db_of

router = APIRouter()
Form = Annotated[FormData, Depends(checked_form)]


@router.get("/directory")
def directory(request: Request, person: Secretariat) -> Response:
    people, units = workspace.people_and_units(db_of(request), person.org_id)
    waiting = workspace.pending_role_changes(db_of(request), person.org_id)
    return page(request, "directory", people=people, units=units, waiting=waiting, me=person)


@router.post("/directory/units")
def save_unit(request: Request, person: Secretariat, form: Form) -> Response:
    aliases = str(form.get("aliases", "")).splitlines()
    addressbook.save_unit(
        db_of(request),
        person.email,
        str(form.get("code", "")),
        str(form.get("name", "")),
        str(form.get("email", "")),
        aliases,
        agency_id=str(form.get("agency_id", "")),
        channel=str(form.get("channel", "email")),
    )
    return RedirectResponse("/directory", status_code=303)


@router.post("/directory/people")
def save_person(request: Request, person: Secretariat, form: Form) -> Response:
    addressbook.save_person(
        db_of(request),
        person.email,
        str(form.get("email", "")),
        str(form.get("name", "")),
        str(form.get("title", "")),
        [r for r in form.getlist("role") if isinstance(r, str)],
    )
    return RedirectResponse("/directory", status_code=303)


@router.post("/directory/roles/{change_id}/confirm")
def confirm_roles(request: Request, change_id: int, person: Secretariat, form: Form) -> Response:
    addressbook.confirm_roles(db_of(request), person.email, change_id)
    return RedirectResponse("/directory", status_code=303)
