"""`banhanh plan recall|confirm-recall|cancel-recall|recall-status|recall-remind|recall-mark|
replace|correct`: what is done to a plan after it is issued (NĐ 30/2020 Art. 18)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import PLAN_ID, console, database, emit, reported

AS = Annotated[str, typer.Option("--as", help="email of the person acting")]
JSON = Annotated[bool, typer.Option("--json", help="print JSON")]


def recall(
    plan_id: PLAN_ID,
    actor: AS,
    reason: Annotated[str, typer.Option(help="why (required; sent to every recipient)")],
) -> None:
    """Ask to recall an issued plan (its signer or the organisation's head); a second person confirms."""
    from models.services import recall as service

    with reported():
        service.request(database(), plan_id, actor, reason)
    console.print(f"Recall of plan {plan_id} requested: a second signer confirms it (confirm-recall)")


def confirm_recall(plan_id: PLAN_ID, actor: AS) -> None:
    """Confirm a requested recall (another signer, the head): each recipient is told to destroy its copy."""
    from models.services import recall as service

    with reported():
        queued = service.confirm(database(), plan_id, actor)
    console.print(f"Plan {plan_id} recalled: {queued} recall notices queued")


def cancel_recall(plan_id: PLAN_ID, actor: AS) -> None:
    """Cancel a requested recall before it is confirmed; the plan stays issued."""
    from models.services import recall as service

    with reported():
        service.cancel(database(), plan_id, actor)
    console.print(f"Recall of plan {plan_id} cancelled")


def recall_status(plan_id: PLAN_ID, as_json: JSON = False) -> None:
    """The recall: who asked, why, who confirmed, and each recipient's answer."""
    from models.services import recall as service

    with reported():
        status = service.status(database(), plan_id)

    def render(s: dict[str, Any]) -> None:
        r = s["recall"]
        console.print(f"Plan {plan_id} · {s['symbol'] or ''} · state {s['state']}", highlight=False)
        if r is None:
            console.print("no recall", highlight=False)
            return
        console.print(
            f"recall {r['status']}: asked by {r['requested_by']} at {r['requested_at']}"
            f" · decided by {r['decided_by'] or '-'} · reminders {r['reminders']}",
            highlight=False,
        )
        console.print(f"reason: {r['reason']}", highlight=False)
        emit(s["recipients"], False, ["name", "channel", "recall_status", "at", "answer_code", "note"])

    emit(status, as_json, render=render)


def recall_remind(plan_id: PLAN_ID, actor: AS) -> None:
    """Remind every emailed recipient that has not confirmed it destroyed the recalled plan."""
    from models.services import recall as service

    with reported():
        queued = service.remind(database(), plan_id, actor)
    console.print(f"{queued} reminders queued")


def recall_mark(
    plan_id: PLAN_ID,
    actor: AS,
    to: Annotated[str, typer.Option("--to", help="the recipient: its email, unit code or name")],
    note: Annotated[str, typer.Option(help="how it confirmed (required): by phone, by paper …")],
) -> None:
    """Record by hand that a recipient destroyed its copy of the recalled plan."""
    from models.services import recall as service

    with reported():
        name = service.mark(database(), plan_id, actor, to, note)
    console.print(f"{name}: recorded as destroyed", highlight=False)


def replace(plan_id: PLAN_ID, actor: AS) -> None:
    """Draft the plan that replaces an issued one (same form, saying what it replaces)."""
    from models.services import replacement

    with reported():
        new_id = replacement.replace(database(), plan_id, actor)
    console.print(f"Plan {new_id} drafted to replace plan {plan_id}: edit, assign and submit it as usual")


def correct(
    plan_id: PLAN_ID,
    actor: AS,
    what: Annotated[str, typer.Option(help="what is corrected, as the letter will say it (required)")],
) -> None:
    """Draft a Công văn đính chính of an issued plan, naming what is corrected."""
    from models.services import replacement

    with reported():
        new_id = replacement.correct(database(), plan_id, actor, what)
    console.print(f"Plan {new_id} drafted: a correction letter (CV) of plan {plan_id}")


def register(app: typer.Typer) -> None:
    """Add these commands to `banhanh plan`."""
    app.command("recall")(recall)
    app.command("confirm-recall")(confirm_recall)
    app.command("cancel-recall")(cancel_recall)
    app.command("recall-status")(recall_status)
    app.command("recall-remind")(recall_remind)
    app.command("recall-mark")(recall_mark)
    app.command("replace")(replace)
    app.command("correct")(correct)
