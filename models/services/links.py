"""One-time links in emails: each is bound to one person, one step, one plan version.

A link is issued in the transaction that queues its email (so it exists exactly when the
email does); only the SHA-256 of its token is stored. The token rides in the email's
context as ``action_path``; the message builder prefixes the public URL at send time.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from models.directory import Person
from models.plans import Plan, PlanVersion
from models.records import ActionLink

LINK_PREFIX = "/l/"
SIGN_IN = "sign_in"
# The page each notification leads to; every other event opens the plan itself.
STEP_OF_EVENT = {
    "review_requested": "review",
    "ready_to_sign": "sign",
    "ready_to_issue": "issue",
    "changes_requested": "edit",
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def step_for(event: str, context: Mapping[str, Any]) -> str:
    if event == "reminder" and context.get("step") in ("review", "sign", "issue"):
        return str(context["step"])
    return STEP_OF_EVENT.get(event, "view")


def issue(session: Session, person: Person, step: str, now: datetime, plan: Plan | None = None) -> str:
    """Store a new link and return its path (with the token, which is not stored)."""
    token = secrets.token_urlsafe(32)
    version = session.get(PlanVersion, plan.current_version_id) if plan is not None else None
    session.add(
        ActionLink(
            token_hash=token_hash(token),
            person_id=person.id or 0,
            plan_id=None if plan is None else plan.id,
            step=step,
            version_hash="" if version is None else version.content_hash,
            round=0 if plan is None else plan.review_round,
            created_at=now,
        )
    )
    return f"{LINK_PREFIX}{token}"
