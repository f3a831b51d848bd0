"""A plan's stored versions as content: what the services and the audit chain both read."""

from __future__ import annotations

from sqlmodel import Session

from models.content import PlanContent, SignatureBlock, assignments_from_json, recipients_from_json
from models.plans import Plan, PlanVersion


def current_version(session: Session, plan: Plan) -> PlanVersion:
    version = session.get(PlanVersion, plan.current_version_id)
    assert version is not None, "a plan always has a current version"
    return version


def content_of(version: PlanVersion) -> PlanContent:
    """The canonical content of a stored version (what its hash is computed over)."""
    sig = version.signature
    return PlanContent(
        title=version.title,
        body=version.body,
        footnotes=tuple(version.footnotes),
        recipients=recipients_from_json(version.recipients),
        signature=SignatureBlock(**sig) if sig else None,
        summary_lines=tuple(version.summary_lines),
        assignments=assignments_from_json(version.assignments or []),
    )
