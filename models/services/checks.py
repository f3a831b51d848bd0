"""The format check of a stored plan: read-only, and the same check signing runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from models.content import PlanContent
from models.db import Database
from models.directory import Organisation
from models.errors import NotFound, WrongState
from models.format_check import Issuer, Problem, check_plan
from models.numbering import VN_TZ, System
from models.plans import Plan, PlanVersion
from models.rulesets import RuleSet, ruleset_for
from models.services.versions import content_of


@dataclass(frozen=True)
class CheckReport:
    plan_id: int
    version_hash: str
    ruleset: RuleSet
    problems: tuple[Problem, ...]

    @property
    def blocking(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.blocking)


def issuer_of(org: Organisation) -> Issuer:
    return Issuer(name=org.name, place=org.place, code=org.code, superior=org.superior)


def local_date(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()


def ruleset_of(org: Organisation, on: date) -> RuleSet:
    """The rule set of the issuer in force on `on`."""
    try:
        return ruleset_for(System(org.system), on)
    except LookupError as error:
        raise WrongState("format", code="format.no_ruleset", system=org.system, day=on) from error


def problems_of(content: PlanContent, org: Organisation, ruleset: RuleSet) -> list[Problem]:
    return check_plan(content, issuer_of(org), ruleset)


def _load(session: Session, plan_id: int) -> tuple[Plan, PlanVersion, Organisation]:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
    version = session.get(PlanVersion, plan.current_version_id)
    org = session.get(Organisation, plan.org_id)
    assert version is not None and org is not None
    return plan, version, org


def check(db: Database, plan_id: int) -> CheckReport:
    """The plan's current version checked under the rule set of its signing day (today if unsigned)."""
    now = db.clock()
    with db.read() as session:
        plan, version, org = _load(session, plan_id)
        on = local_date(plan.signed_at or now)
        ruleset = ruleset_of(org, on)
        problems = problems_of(content_of(version), org, ruleset)
        return CheckReport(plan.id or 0, version.content_hash, ruleset, tuple(problems))
