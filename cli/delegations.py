"""`banhanh delegate …`: ủy quyền, a person's review or signing done by another for a date range."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cli.context import console, database, emit, reported
from models.errors import Invalid

app = typer.Typer(help="Delegate review or signing to another person for a date range.", no_args_is_help=True)


def _date(field: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise Invalid(field, code="field.not_date", value=value) from error


@app.command("add")
def add(
    from_email: Annotated[str, typer.Option("--from", help="the person who delegates")],
    to_email: Annotated[str, typer.Option("--to", help="the delegate, of the same organisation")],
    kind: Annotated[str, typer.Option(help="review | sign")],
    start: Annotated[str, typer.Option(help="first day, YYYY-MM-DD (Asia/Ho_Chi_Minh)")],
    end: Annotated[str, typer.Option(help="last day, YYYY-MM-DD, included")],
    actor: Annotated[str, typer.Option("--as", help="email of the secretariat member recording it")],
    basis: Annotated[
        str, typer.Option(help="the written authorisation, e.g. 'Giấy ủy quyền số 05/GUQ'")
    ] = "",
) -> None:
    """Record a delegation: new tasks go to the delegate, who acts on behalf of the delegator."""
    from models.services import delegations

    with reported():
        delegation_id = delegations.add(
            database(), actor, from_email, to_email, kind, _date("start", start), _date("end", end), basis
        )
    console.print(f"Delegation {delegation_id}: {to_email} {kind}s for {from_email} from {start} to {end}")


@app.command("list")
def list_delegations(
    org: Annotated[str | None, typer.Option(help="organisation key")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Every delegation, and whether it is in force today."""
    from models.services import delegations

    rows = delegations.list_delegations(database(), org)
    emit(rows, as_json, ["id", "org", "from", "to", "kind", "start", "end", "in_force", "basis"])
