"""`banhanh review …` and `banhanh tasks`: the reviewers' and signers' commands."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import PLAN_ID, console, database, emit, reported
from models.policies import Decision

app = typer.Typer(help="Approve, request changes or reject a plan under review.", no_args_is_help=True)

AS = Annotated[str, typer.Option("--as", help="email of the reviewer")]
VERSION = Annotated[str, typer.Option(help="the version hash you reviewed (from `banhanh tasks`)")]
ON_BEHALF_OF = Annotated[
    str | None, typer.Option(help="whose delegate you act as, when you are the delegate of several reviewers")
]


def _decide(
    plan_id: int, actor: str, decision: Decision, version: str, comment: str, on_behalf_of: str | None
) -> None:
    from models.services import reviews

    with reported():
        outcome = reviews.decide(
            database(), plan_id, actor, decision, version, comment, on_behalf_of=on_behalf_of
        )
    console.print(f"Plan {plan_id}: {decision.value} recorded; review round is now {outcome.value}")


@app.command("approve")
def approve(
    plan_id: PLAN_ID,
    actor: AS,
    version: VERSION,
    comment: Annotated[str, typer.Option(help="optional comment")] = "",
    on_behalf_of: ON_BEHALF_OF = None,
) -> None:
    """Approve the version you reviewed."""
    _decide(plan_id, actor, Decision.APPROVE, version, comment, on_behalf_of)


@app.command("request-changes")
def request_changes(
    plan_id: PLAN_ID,
    actor: AS,
    version: VERSION,
    comment: Annotated[str, typer.Option(help="what to change (required)")],
    on_behalf_of: ON_BEHALF_OF = None,
) -> None:
    """Send the plan back to the drafter; ends the round."""
    _decide(plan_id, actor, Decision.REQUEST_CHANGES, version, comment, on_behalf_of)


@app.command("reject")
def reject(
    plan_id: PLAN_ID,
    actor: AS,
    version: VERSION,
    comment: Annotated[str, typer.Option(help="why (required)")],
    on_behalf_of: ON_BEHALF_OF = None,
) -> None:
    """Reject the plan; final when the stage can no longer be approved (a mandatory reviewer, rule all)."""
    _decide(plan_id, actor, Decision.REJECT, version, comment, on_behalf_of)


def tasks(actor: AS, as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """What waits for you: reviews and signatures, with the version hash to act on."""
    from models.services import queries

    with reported():
        rows = queries.open_tasks(database(), actor)
    emit(rows, as_json, ["plan", "step", "on_behalf_of", "version_hash", "round", "since", "title"])
