"""The tracking section of an issued plan's page: the grid, what is overdue, the reports waiting
for the follower, and the summary reports made of them. Read only."""

from __future__ import annotations

from typing import Any

from models.db import Database
from models.directory import Person
from models.services import access, tracking_summary, tracking_views


def section(db: Database, plan_id: int, person: Person) -> dict[str, Any]:
    """What the plan page's tracking section shows (nothing for a plan with no tracked work)."""
    rows = tracking_views.grid(db, plan_id)
    shown: dict[str, Any] = {"tracking": rows, "summaries": tracking_summary.summaries(db, plan_id)}
    if not rows:
        return shown
    labels: list[str] = []
    for row in rows:
        labels += [p["label"] for p in row["periods"] if p["label"] not in labels]
    return shown | {
        "tracking_labels": labels,
        "tracking_overdue": tracking_views.overdue(db, plan_id),
        "tracking_awaiting": tracking_views.awaiting_decision(db, plan_id),
        "follows": tracking_summary.follows(db, plan_id, person.email),
        "tracking_asked": tracking_views.extensions_asked(db, plan_id),
        "grants": access.visible_plan(db, person, plan_id).signer_id == person.id,
    }
