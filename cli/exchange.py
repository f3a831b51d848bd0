"""`banhanh plan export-edxml`: an issued plan as an edXML package for another agency's system."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.context import PLAN_ID, console, database, emit, reported, settings

PRIORITIES = {"thuong": 0, "khan": 1, "thuong-khan": 2, "hoa-toc": 3, "hoa-toc-hen-gio": 4}


def export_edxml(
    plan_id: PLAN_ID,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", dir_okay=False, help="file to write; default: KH-01-UBND.edxml here"),
    ] = None,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="only this recipient unit (its code); repeatable")
    ] = None,
    due: Annotated[str | None, typer.Option(help="hạn xử lý, YYYY-MM-DD")] = None,
    priority: Annotated[str, typer.Option(help="độ khẩn: " + " | ".join(PRIORITIES))] = "thuong",
    as_json: Annotated[bool, typer.Option("--json", help="print what was written as JSON")] = False,
) -> None:
    """Write the issued plan as a QCVN 102:2016 edXML package, signed with the organisation's
    certificate, addressed to its recipient units by their agency identifiers."""
    from exchange.export import export_plan
    from exchange.package import Priority
    from models.errors import Invalid

    with reported():
        if priority not in PRIORITIES:
            raise Invalid(
                "--priority", code="field.bad_choice", value=priority, choices=", ".join(PRIORITIES)
            )
        due_on = None
        if due is not None:
            try:
                due_on = date.fromisoformat(due)
            except ValueError:
                raise Invalid("--due", code="field.not_date", value=due) from None
        exported = export_plan(
            database(),
            settings(),
            plan_id,
            now=datetime.now(UTC),
            due=due_on,
            priority=Priority(PRIORITIES[priority]),
            only=to or (),
        )
        path = out or Path(exported.filename)
        try:
            path.write_bytes(exported.xml)
        except OSError as error:
            raise Invalid(
                "--out", code="file.unwritable", path=path, error=error.strerror or error
            ) from error
    package = exported.package
    receivers = [r.organ_id for r in package.receivers]
    summary = {
        "file": str(path),
        "bytes": len(exported.xml),
        "document_id": package.document_id,
        "to": receivers,
    }
    if as_json:
        emit(summary, True)
        return
    console.print(
        f"Wrote {path} ({len(exported.xml)} bytes): {package.document_id} to {', '.join(receivers)}",
        markup=False,
        highlight=False,
    )
