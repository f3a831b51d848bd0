"""`banhanh tracking …`: the assignments a plan gives, drafted from its "Tổ chức thực hiện".

`draft FILE` reads a document file (no database; `--org-config TOML` looks its units up in that
organisation's address book); `draft --plan ID` reads a stored plan's current version and looks its
units up in the organisation's address book.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import console, emit, reported

if TYPE_CHECKING:
    from documents.assignments import DraftAssignment

app = typer.Typer(
    help="Assignments drafted from a plan's text: lead, supporting, follower, deadline.", no_args_is_help=True
)

JSON = Annotated[bool, typer.Option("--json", help="print JSON")]


def _document_text(path: Path) -> str:
    """The text drafting reads: a .txt as it stands (its line numbers are the file's), a .docx's
    paragraphs as the importer reads them."""
    from cli.context import import_limits
    from documents.intake import decode_text, parse_file, read_bytes

    limits = import_limits()
    if path.suffix.lower() == ".docx":
        return parse_file(read_bytes(path, str(path), limits.max_docx_bytes), str(path), limits).draft.body
    return decode_text(read_bytes(path, str(path), limits.max_text_bytes), str(path), limits.max_text_bytes)


def _deadline(a: dict[str, Any]) -> str:
    if a["deadline"] == "none":
        return "—"
    return f"{a['deadline']}: {a['deadline_text']}" + (f" ({a['due']})" if a["due"] else "")


def _unit(ref: dict[str, Any] | None) -> str:
    if ref is None:
        return "—"
    return ref["name"] if ref["unit_code"] else f"{ref['name']} (to confirm)"


def _render(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no assignments found", highlight=False)
        return
    for n, a in enumerate(rows, start=1):
        lead = ", ".join(_unit(r) for r in a["lead_units"]) if "lead_units" in a else ", ".join(a["leads"])
        supporting = (
            ", ".join(_unit(r) for r in a["supporting_units"])
            if "supporting_units" in a
            else ", ".join(a["supporting"])
        )
        follower = _unit(a["follower_unit"]) if "follower_unit" in a else a["follower"] or "—"
        where = "" if a["in_section"] else " (outside Tổ chức thực hiện)"
        console.print(f"{n}. line {a['line']}{where}", highlight=False)
        console.print(f"   lead        {lead}", highlight=False)
        console.print(f"   supporting  {supporting or '—'}", highlight=False)
        console.print(f"   follower    {follower}", highlight=False)
        console.print(f"   deadline    {_deadline(a)}", highlight=False)
        console.print(f"   what        {a['what']}", highlight=False)


@app.command("draft")
def draft(
    file: Annotated[Path | None, typer.Argument(help="a document: .txt or .docx")] = None,
    plan: Annotated[int | None, typer.Option("--plan", help="a stored plan's id instead of a file")] = None,
    org_config: Annotated[
        Path | None,
        typer.Option(
            "--org-config", help="an organisation's TOML: look a file's units up in its address book"
        ),
    ] = None,
    as_json: JSON = False,
) -> None:
    """The assignments a document (or a stored plan) gives: lead, supporting and following units
    and the kind of deadline (date, cadence, milestone). Nothing is stored."""
    if (file is None) == (plan is None):
        raise typer.BadParameter("give a FILE or --plan ID, one of them")
    if plan is not None and org_config is not None:
        raise typer.BadParameter("a stored plan's units are looked up in its organisation's address book")
    rows: list[dict[str, Any]]
    with reported():
        if plan is not None:
            from cli.context import database
            from models.services.tracking import drafted_for_plan

            _, resolved = drafted_for_plan(database(), plan)
            rows = [r.as_json() for r in resolved]
        else:
            assert file is not None
            from documents.assignments import draft_assignments

            drafted: list[DraftAssignment] = draft_assignments(_document_text(file))
            if org_config is not None:
                from cli.context import read_toml
                from documents.assignments import resolve_assignments
                from models.services.directory import address_book_of

                book = address_book_of(read_toml(org_config, "--org-config"))
                rows = [r.as_json() for r in resolve_assignments(drafted, book)]
            else:
                rows = [a.as_json() for a in drafted]
    emit(rows, as_json, render=_render)


AS = Annotated[str, typer.Option("--as", help="email of the person acting")]


@app.command("confirm")
def confirm(
    plan: Annotated[int, typer.Argument(help="the plan's id")],
    actor: AS,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="the assignments as JSON: the list `tracking draft --plan ID --json` prints, edited"
            " (a unit as its address-book code; 'milestone_dates': {'so_ket': 'YYYY-MM-DD'})",
        ),
    ] = None,
) -> None:
    """Store the plan's assignments in a new version (the drafted ones, or those of --file): reviewers
    approve them with the text. A name no unit matches stays to confirm, and submission refuses it."""
    import json

    from cli.context import database
    from models.services.tracking import confirm_assignments, confirmed_for_plan

    items: list[dict[str, Any]] | None = None
    if file is not None:
        try:
            items = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise typer.BadParameter(f"{file}: {error}") from None
    with reported():
        db = database()
        version_hash = confirm_assignments(db, plan, actor, items)
        stored = confirmed_for_plan(db, plan)
    names = [n for a in stored for n in a.to_confirm]
    console.print(f"Plan {plan}: {len(stored)} assignments in version {version_hash[:12]}", highlight=False)
    if names:
        console.print(f"to confirm before submitting: {', '.join(dict.fromkeys(names))}", highlight=False)


@app.command("assignments")
def assignments(plan: Annotated[int, typer.Argument(help="the plan's id")], as_json: JSON = False) -> None:
    """The assignments the plan's current version holds, as confirmed."""
    from cli.context import database
    from models.services.tracking import confirmed_for_plan

    with reported():
        rows = [a.as_json() for a in confirmed_for_plan(database(), plan)]

    def render(items: list[dict[str, Any]]) -> None:
        if not items:
            console.print("no confirmed assignments", highlight=False)
        for n, a in enumerate(items, start=1):
            when = (
                a["due"] or a["cadence"] or ", ".join(f"{m} {on or '(no date)'}" for m, on in a["milestones"])
            )
            console.print(f"{n}. {_unit(a['lead'])} — {a['deadline']} {when}".rstrip(), highlight=False)
            console.print(f"   what        {a['what']}", highlight=False)

    emit(rows, as_json, render=render)


PERIOD = Annotated[int, typer.Argument(help="the period's id (tracking show PLAN lists them)")]


def _print_rows(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("nothing", highlight=False)
    for r in rows:
        console.print(
            f"period {r['period_id']}  plan {r['plan_id']} {r['symbol']}  #{r['assignment']} {r['unit']}"
            f"  {r['label']}  due {r['due']}  {r['cell']}",
            highlight=False,
        )


def _print_grid(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no tracked assignments", highlight=False)
    for r in rows:
        ack = "acknowledged" if r["acknowledged"] else "not acknowledged"
        console.print(
            f"#{r['assignment']} {r['unit']} ({r['unit_code']}) — {r['deadline']}, {ack}", highlight=False
        )
        for p in r["periods"]:
            moved = f" (was {p['original_due']})" if p["due"] != p["original_due"] else ""
            console.print(
                f"   period {p['period_id']:<5} {p['label']:<14} due {p['due']}{moved}  {p['cell']}",
                highlight=False,
            )


@app.command("show")
def show(
    plan: Annotated[int, typer.Argument(help="the plan's id")],
    as_json: JSON = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="print CSV: a line per assignment, a column per period")
    ] = False,
) -> None:
    """Where an issued plan's work stands: each lead unit × period (on time, late, missing,
    returned, accepted, extended)."""
    import sys

    from cli.context import database
    from models.services.tracking_views import grid, grid_csv

    with reported():
        rows = grid(database(), plan)
    if as_csv:
        sys.stdout.write(grid_csv(rows))
        return
    emit(rows, as_json, render=_print_grid)


@app.command("owed")
def owed(
    unit: Annotated[str, typer.Argument(help="the unit's address-book code")],
    org: Annotated[
        str | None, typer.Option("--org", help="the organisation's key, when codes repeat")
    ] = None,
    as_json: JSON = False,
) -> None:
    """Every report a unit still owes, across plans, by due date."""
    from cli.context import database
    from models.services.tracking_views import owed as owed_by

    with reported():
        rows = owed_by(database(), unit, org)
    emit(rows, as_json, render=_print_rows)


@app.command("overdue")
def overdue(as_json: JSON = False) -> None:
    """Every report past its due date and not in."""
    from cli.context import database
    from models.services.tracking_views import overdue as overdue_periods

    with reported():
        rows = overdue_periods(database())
    emit(rows, as_json, render=_print_rows)


@app.command("ack")
def ack(
    plan: Annotated[int, typer.Argument(help="the plan's id")],
    unit: Annotated[str, typer.Option("--unit", help="the lead unit's address-book code")],
    actor: AS,
) -> None:
    """The lead unit acknowledges the assignments a plan gives it."""
    from cli.context import database
    from models.services.tracking_work import acknowledge

    with reported():
        fresh = acknowledge(database(), plan, unit, actor)
    console.print(f"{unit}: acknowledged" if fresh else f"{unit}: already acknowledged", highlight=False)


@app.command("report")
def report(
    period: PERIOD,
    actor: AS,
    text: Annotated[str | None, typer.Option("--text", help="the report's text")] = None,
    text_file: Annotated[
        Path | None, typer.Option("--text-file", help="the report's text from a UTF-8 file")
    ] = None,
    files: Annotated[
        list[Path] | None, typer.Option("--file", help="a file sent with the report (repeatable)")
    ] = None,
) -> None:
    """The lead unit's report for one period (late when after the due date in force)."""
    from cli.context import database
    from models.services.tracking_work import submit_report

    body = text or ""
    try:
        if text_file is not None:
            body = text_file.read_text(encoding="utf-8")
        attached = [(f.name, f.read_bytes()) for f in files or []]
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(str(error)) from None
    with reported():
        state = submit_report(database(), period, actor, body, attached)
    console.print(f"period {period}: {state}", highlight=False)


def _decide(period: int, actor: str, accept: bool, comment: str) -> None:
    from cli.context import database
    from models.services.tracking_work import decide_report

    with reported():
        state = decide_report(database(), period, actor, accept, comment)
    console.print(f"period {period}: {state}", highlight=False)


COMMENT = Annotated[str, typer.Option("--comment", help="what to add or correct; the reason")]


@app.command("accept")
def accept(period: PERIOD, actor: AS, comment: Annotated[str, typer.Option("--comment")] = "") -> None:
    """The follower accepts a report."""
    _decide(period, actor, True, comment)


@app.command("return")
def return_report(period: PERIOD, actor: AS, comment: COMMENT) -> None:
    """The follower returns a report with a comment; the unit reports again."""
    _decide(period, actor, False, comment)


@app.command("extend")
def extend(
    period: PERIOD,
    actor: AS,
    until: Annotated[str, typer.Option("--until", help="the date asked for, YYYY-MM-DD")],
    reason: Annotated[str, typer.Option("--reason", help="why the unit needs longer")],
) -> None:
    """The lead unit asks for an extension; the plan's signer grants or refuses it."""
    from datetime import date

    from cli.context import database
    from models.errors import Invalid
    from models.services.tracking_work import ask_extension

    with reported():
        try:
            day = date.fromisoformat(until)
        except ValueError:
            raise Invalid("until", code="field.not_date", value=until) from None
        ask_extension(database(), period, actor, day, reason)
    console.print(f"period {period}: extension to {until} asked for", highlight=False)


def _extension(period: int, actor: str, grant: bool, comment: str) -> None:
    from cli.context import database
    from models.services.tracking_work import decide_extension

    with reported():
        state = decide_extension(database(), period, actor, grant, comment)
    console.print(f"period {period}: {state}", highlight=False)


@app.command("grant")
def grant(period: PERIOD, actor: AS, comment: Annotated[str, typer.Option("--comment")] = "") -> None:
    """The issuing body's designated person (the plan's signer) grants the extension: the due date moves."""
    _extension(period, actor, True, comment)


@app.command("refuse")
def refuse(period: PERIOD, actor: AS, comment: Annotated[str, typer.Option("--comment")] = "") -> None:
    """The designated person refuses the extension: the due date stands."""
    _extension(period, actor, False, comment)


@app.command("remind")
def remind(as_json: JSON = False) -> None:
    """Queue the tracking reminders and escalations due now (the reminders flow does this on its schedule)."""
    from cli.context import database
    from models.services.tracking_work import send_due_tracking

    with reported():
        counts = send_due_tracking(database())
    emit(counts, as_json, render=lambda c: console.print(f"queued: {c or 'none due'}", highlight=False))


@app.command("summary")
def summary(
    plan: Annotated[int, typer.Argument(help="the issued plan's id")],
    milestone: Annotated[str, typer.Option("--milestone", help="so_ket or tong_ket")],
    actor: AS,
    as_json: JSON = False,
) -> None:
    """The follower assembles the accepted reports into a Báo cáo draft (type BC, a section per
    unit, attachments listed by name), linked to the plan; it is then submitted, reviewed and
    signed like any plan. Covers the reports due by the plan's own period of that milestone, if
    it has one, else every report accepted so far."""
    from cli.context import database
    from models.services.tracking_summary import assemble_summary

    with reported():
        made = assemble_summary(database(), plan, actor, milestone)

    def render(item: dict[str, Any]) -> None:
        console.print(
            f"Plan {item['plan']}: Báo cáo draft on plan {item['reports_on']}, version "
            f"{item['version_hash'][:12]}; units: {', '.join(item['units'])}",
            highlight=False,
        )
        if item["missing"]:
            console.print(f"no accepted report from: {', '.join(item['missing'])}", highlight=False)
        for note in item["notes"]:
            console.print(f"note: {note}", highlight=False)

    emit(made.as_json(), as_json, render=render)
