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
