"""One email about a plan's failed copies, not one per copy.

A relay that refuses a hundred addresses, or a queue lifetime that runs out for many copies
at once, must not bury the secretariat in a hundred emails. When a plan's emailed copies
are all final and some failed, its secretariat (and the drafter) get one digest: who, and
why. A later round (copies sent again and failing again) is a new digest; the same failures
never make a second one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from models.directory import Person
from models.lifecycle import Role
from models.plans import Plan
from models.records import Delivery, OutboxMessage
from models.services.core import plan_context, queue_email
from models.services.versions import current_version

EVENT = "delivery_failed"
LISTED = 200  # recipients listed in the email; the rest are counted (the deliveries page lists all)


def queue_failure_digest(session: Session, plan: Plan, now: datetime) -> bool:
    """Queue the digest of ``plan``'s failed copies once they are all final; True if one was queued."""
    pending = session.exec(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.plan_id == plan.id, col(Delivery.status) == "queued")
    ).one()
    if pending:
        return False
    failed = session.exec(
        select(Delivery)
        .where(Delivery.plan_id == plan.id, col(Delivery.status) == "failed")
        .order_by(col(Delivery.id))
    ).all()
    if not failed:
        return False
    # The same failures (same copies, same attempts) make the same key: never a second digest.
    round_key = hashlib.sha256(",".join(f"{d.id}:{d.message_id}" for d in failed).encode()).hexdigest()[:16]
    people = session.exec(select(Person).where(Person.org_id == plan.org_id)).all()
    notify = {p.id: p for p in people if Role.SECRETARIAT in p.roles or p.id == plan.drafter_id}
    if not notify:
        return False
    keys = [f"{EVENT}:{p.email.lower()}:p{plan.id}:f{round_key}" for p in notify.values()]
    if session.exec(select(OutboxMessage.id).where(col(OutboxMessage.key).in_(keys))).first() is not None:
        return False
    failures: list[dict[str, Any]] = [
        {"name": d.name, "email": d.email or "", "reason": d.reason} for d in failed[:LISTED]
    ]
    context = {
        **plan_context(session, plan, current_version(session, plan)),
        "failures": failures,
        "failed_count": len(failed),
        "unlisted": max(0, len(failed) - LISTED),
    }
    for person in notify.values():
        queue_email(session, event=EVENT, to=person, key=f"f{round_key}", plan=plan, context=context, now=now)
    return True
