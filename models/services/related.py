"""Links between documents (`models.related`): written with the new document, read both ways."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, or_, select

from models.db import Database
from models.plans import Plan, PlanLink, PlanVersion
from models.related import WORDS, LinkKind


@dataclass(frozen=True)
class Related:
    """One link as a plan page shows it: the other plan, and the words for this side."""

    kind: LinkKind
    other_id: int
    outgoing: bool  # True on the new document's side
    note: str

    @property
    def words(self) -> str:
        ours, theirs = WORDS[self.kind]
        return ours if self.outgoing else theirs


def link(
    session: Session, plan: Plan, target: Plan, kind: LinkKind, actor_id: int, note: str = ""
) -> PlanLink:
    """Record that `plan` (new, in this transaction) replaces, corrects or reports on `target`.

    The caller's transaction appends the audit entry; the row is bound there with the plan's."""
    assert plan.id is not None and target.id is not None
    row = PlanLink(plan_id=plan.id, target_id=target.id, kind=kind.value, note=note, created_by_id=actor_id)
    session.add(row)
    return row


def related(session: Session, plan_id: int) -> list[Related]:
    """Every link of a plan, either side, oldest first."""
    rows = session.exec(
        select(PlanLink)
        .where(or_(col(PlanLink.plan_id) == plan_id, col(PlanLink.target_id) == plan_id))
        .order_by(col(PlanLink.id))
    ).all()
    return [
        Related(
            LinkKind(r.kind),
            r.target_id if r.plan_id == plan_id else r.plan_id,
            r.plan_id == plan_id,
            r.note,
        )
        for r in rows
    ]


def target_of(session: Session, plan_id: int, kind: LinkKind) -> int | None:
    """The plan this one replaces, corrects or reports on, if it does."""
    row = session.exec(
        select(PlanLink).where(PlanLink.plan_id == plan_id, PlanLink.kind == kind.value)
    ).first()
    return row.target_id if row is not None else None


def shown(db: Database, plan_id: int) -> list[dict[str, Any]]:
    """Every link of a plan as its page and the evidence export show it: the words for this side,
    the other plan's id, number, title and state, and the note (what is replaced or corrected)."""
    with db.read() as session:
        out = []
        for r in related(session, plan_id):
            other = session.get(Plan, r.other_id)
            version = session.get(PlanVersion, other.current_version_id) if other else None
            out.append(
                {
                    "kind": r.kind.value,
                    "words": r.words,
                    "plan": r.other_id,
                    "symbol": other.symbol if other else None,
                    "title": version.title if version else "",
                    "state": other.state if other else "",
                    "doc_type": other.doc_type if other else "",
                    "note": r.note,
                }
            )
        return out
