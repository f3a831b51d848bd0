"""Signing: the official number is allocated in the signing transaction, gap-free."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from models.db import Database
from models.delegation import Kind, signed_for
from models.directory import Organisation, Person
from models.errors import WrongState
from models.format_check import blocking, describe
from models.lifecycle import Action
from models.numbering import System, register_key, symbol
from models.plans import Plan, PlanVersion
from models.records import Register, RegisterEntry
from models.services import audit
from models.services.checks import local_date, problems_of, ruleset_of
from models.services.core import apply, check, lock_plan, resolve_actor
from models.services.delegations import acting
from models.services.locking import insert_ignore
from models.services.versions import content_of, current_version


@dataclass(frozen=True)
class Signed:
    number: int
    symbol: str


def sign(
    db: Database, plan_id: int, actor: str, version_hash: str, *, on_behalf_of: str | None = None
) -> Signed:
    """Sign the approved version. A delegate of the signer, in force today, signs in the form the
    rule set gives a delegate (T/L, TUQ.) with their own title and name."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        principals = [] if plan.signer_id is None else [plan.signer_id]
        who = acting(
            session, resolve_actor(session, actor), Kind.SIGN, principals, local_date(now), on_behalf_of
        )
        transition = check(session, plan, who, Action.SIGN, seen=version_hash)
        version = current_version(session, plan)
        org = session.get(Organisation, plan.org_id)
        assert org is not None and who.person is not None
        ruleset = ruleset_of(org, local_date(now))
        content = content_of(version)
        signed_as: dict[str, Any] | None = None
        if who.on_behalf_of is not None and content.signature is not None:
            block = signed_for(
                content.signature, ruleset, who.person.name, who.person.title, who.person.email
            )
            content, signed_as = replace(content, signature=block), asdict(block)
        if stopping := blocking(problems_of(content, org, ruleset)):
            raise WrongState(
                "format",
                code="sign.format_problems",
                count=len(stopping),
                ruleset=ruleset.name,
                plan_id=plan_id,
                problems=describe(stopping),
            )
        entry = _allocate(session, org, plan, version, who.person, now)
        number, printed = entry.number, entry.symbol
        detail: dict[str, Any] = {"number": number, "symbol": printed, "hash": version.content_hash}
        if signed_as is not None:
            detail["signed_as"] = signed_as
        apply(
            session,
            plan,
            transition,
            who,
            now,
            detail,
            rows=[entry],
            number=number,
            symbol=printed,
            signed_at=now,
            signed_signature=signed_as,
        )
        audit.anchor(session, plan, now)  # last entry of this transaction: the head the PDF prints
        return Signed(number, printed)


def _allocate(
    session: Session, org: Organisation, plan: Plan, version: PlanVersion, signer: Person, now: datetime
) -> RegisterEntry:
    system = System(org.system)
    key = register_key(system, org.key, plan.doc_type, org.term, now)
    insert_ignore(
        session,
        Register,
        {"org_key": key.org, "doc_type": key.doc_type, "scope": key.scope, "last_number": 0},
    )
    register = session.exec(
        select(Register)
        .where(
            Register.org_key == key.org,
            Register.doc_type == key.doc_type,
            Register.scope == key.scope,
        )
        .with_for_update()
    ).one()
    register.last_number += 1
    printed = symbol(system, register.last_number, plan.doc_type, org.code)
    session.add(register)
    entry = RegisterEntry(
        register_id=register.id or 0,
        number=register.last_number,
        symbol=printed,
        plan_id=plan.id or 0,
        title=version.title,
        signer=signer.name,
        allocated_at=now,
    )
    session.add(entry)
    session.flush()
    return entry
