"""Loading an organisation, its people and its address book from a config mapping (TOML)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlmodel import Session, delete, select

from models.db import Database
from models.directory import GroupMember, Organisation, Person, Unit
from models.errors import Invalid
from models.lifecycle import Role
from models.numbering import System
from models.reminders import ReminderPolicy
from models.review_policy import Stage, check_template, parse_rule
from models.services import audit
from models.services.plans import validate_email

PERSON_ROLES = {Role.SECRETARIAT.value, Role.REVIEWER.value, Role.SIGNER.value, "admin"}

# The keys an organisation's TOML may hold, table by table; a list of tables ([[people]]) is
# described by the keys of one of its tables. Any other key is refused, with the nearest known one.
Schema = dict[str, "Schema | None"]
SCHEMA: Schema = {
    "organisation": {
        k: None
        for k in (
            "key",
            "code",
            "name",
            "superior",
            "place",
            "system",
            "term",
            "drafter_may_approve_and_sign",
            "role_domains",
            "head_email",
        )
    },
    "people": {k: None for k in ("email", "name", "title", "roles")},
    "units": {k: None for k in ("code", "name", "email", "aliases", "members")},
    "reminders": {
        k: None for k in ("due_days", "first_after_days", "every_days", "max_reminders", "escalate_to")
    },
    "holidays": None,
    "seal": {k: None for k in ("pkcs12", "password")},
    "review_templates": {
        "name": None,
        "stages": {k: None for k in ("name", "reviewers", "rule", "mandatory")},
    },
}
# Characters that hide or reorder text (bidirectional overrides and isolates, zero-width ones).
_INVISIBLE = {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200E, 0x200F, 0x2060)
}


def check_keys(config: Mapping[str, Any], schema: Schema = SCHEMA, path: str = "") -> None:
    """Refuse any key the schema does not know, naming its path and the nearest known key."""
    for key, value in config.items():
        field = f"{path}.{key}" if path else key
        if key not in schema:
            near = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
            hint = f"; did you mean '{near[0]}'?" if near else f"; known keys: {', '.join(schema)}"
            where = f"in [{path}]" if path else "at the top level"
            raise Invalid(field, f"unknown key '{key}' {where}{hint}")
        inner = schema[key]
        if inner is None:
            continue
        if isinstance(value, Mapping):
            check_keys(value, inner, field)
        elif isinstance(value, list):
            for i, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    check_keys(item, inner, f"{field}[{i}]")


def _text(data: Mapping[str, Any], key: str, field: str, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(field, "is required and must be text" if required else "must be text")
    if "\n" in value or "\r" in value:
        raise Invalid(field, "must be one line")
    for c in value:
        if c in _INVISIBLE or unicodedata.category(c) == "Cc":
            name = unicodedata.name(c, "CONTROL CHARACTER")
            raise Invalid(
                field, f"contains U+{ord(c):04X} {name}: control and invisible characters are refused"
            )
    return value.strip()


def load_directory(db: Database, config: Mapping[str, Any]) -> Organisation:
    """Create or update the organisation, its people and units. Invalid config changes nothing:
    everything is checked first, and written in one transaction."""
    check_keys(config)
    org_data = config.get("organisation")
    if not isinstance(org_data, Mapping):
        raise Invalid("organisation", "the [organisation] table is missing")
    system = _text(org_data, "system", "organisation.system")
    if system not in {s.value for s in System}:
        raise Invalid("organisation.system", f"'{system}' is not one of party, state")
    fields = {
        k: _text(org_data, k, f"organisation.{k}", required=k not in {"superior", "term"})
        for k in ("key", "code", "name", "superior", "place", "term")
    }
    if system == System.PARTY and not fields["term"]:
        raise Invalid("organisation.term", "a Party body needs its committee term (numbers run per term)")
    may_self_approve = org_data.get("drafter_may_approve_and_sign", False)
    if not isinstance(may_self_approve, bool):
        raise Invalid("organisation.drafter_may_approve_and_sign", "must be true or false")
    role_domains = org_data.get("role_domains", [])
    if not isinstance(role_domains, list) or not all(
        isinstance(d, str) and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", d.lower()) for d in role_domains
    ):
        raise Invalid("organisation.role_domains", 'must be a list of email domains such as "hamliem.gov.vn"')
    head_email = org_data.get("head_email", "")
    if not isinstance(head_email, str):
        raise Invalid("organisation.head_email", "must be an email address")
    head_email = validate_email("organisation.head_email", head_email).lower() if head_email.strip() else ""
    people = _people(config.get("people", []))
    units, members = _units(config.get("units", []))
    reminders, holidays = (
        _reminders(config.get("reminders", {}), people),
        _holidays(config.get("holidays", [])),
    )
    seal = _seal(config.get("seal", {}))
    templates = _review_templates(config.get("review_templates", []), people)
    now = db.clock()
    with db.write() as session:
        org = session.exec(select(Organisation).where(Organisation.key == fields["key"])).first()
        org = org or Organisation(system=system, **fields)  # type: ignore[arg-type]
        settings = {
            **fields,
            "system": system,
            "reminders": reminders,
            "holidays": holidays,
            "seal": seal,
            "review_templates": templates,
            "drafter_may_approve_and_sign": may_self_approve,
            "role_domains": [d.lower() for d in role_domains],
            "head_email": head_email,
        }
        for key, value in settings.items():
            setattr(org, key, value)
        session.add(org)
        session.flush()
        assert org.id is not None
        for p in people:
            person = session.exec(select(Person).where(Person.email == p["email"])).first()
            if person is not None and person.org_id != org.id:
                raise Invalid("people", f"{p['email']} already belongs to another organisation")
            person = person or Person(org_id=org.id, **p)
            for key, value in p.items():
                setattr(person, key, value)
            session.add(person)
        _store_units(session, org.id, units, members)
        audit.append(
            session,
            org_id=org.id,
            plan_id=None,
            actor="config",
            action="load_directory",
            now=now,
            detail={"people": len(people), "units": len(units)},
            # the whole directory as loaded: every person and unit a decision or delivery can name
            rows=[
                org,
                *session.exec(select(Person).where(Person.org_id == org.id)).all(),
                *session.exec(select(Unit).where(Unit.org_id == org.id)).all(),
            ],
        )
        return org


def _reminders(raw: Any, people: list[dict[str, Any]]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise Invalid("reminders", "must be a [reminders] table")
    policy = ReminderPolicy.from_config(raw)
    if policy.escalate_to and policy.escalate_to.lower() not in {p["email"] for p in people}:
        raise Invalid(
            "reminders.escalate_to", f"'{policy.escalate_to}' is not one of this organisation's people"
        )
    return {**asdict(policy), "escalate_to": policy.escalate_to.lower()}


def _seal(raw: Any) -> dict[str, str]:
    """[seal] pkcs12 = "path" (relative to the data directory), password = "…"."""
    if not isinstance(raw, Mapping):
        raise Invalid("seal", "must be a [seal] table")
    seal = {key: _text(raw, key, f"seal.{key}", required=False) for key in ("pkcs12", "password")}
    if seal["password"] and not seal["pkcs12"]:
        raise Invalid("seal.pkcs12", "a password is given without the PKCS#12 file")
    return seal if seal["pkcs12"] else {}


def _review_templates(raw: Any, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[[review_templates]] with a name and ordered [[review_templates.stages]]: reviewers (emails
    of this organisation's reviewers), rule ("all", "any" or "N of M") and mandatory reviewers."""
    if not isinstance(raw, list):
        raise Invalid("review_templates", "must be a list of [[review_templates]] tables")
    reviewers = {p["email"] for p in people if Role.REVIEWER in p["roles"]}
    out: list[dict[str, Any]] = []
    for i, t in enumerate(raw, start=1):
        field = f"review_templates[{i}]"
        if not isinstance(t, Mapping) or not isinstance(t.get("stages"), list):
            raise Invalid(field, "must be a table with a name and [[review_templates.stages]]")
        name = _text(t, "name", f"{field}.name")
        if any(o["name"] == name for o in out):
            raise Invalid(f"{field}.name", f"'{name}' appears twice")
        stages, checked = [], []
        for j, st in enumerate(t["stages"], start=1):
            sfield = f"{field}.stages[{j}]"
            emails = _emails(st, "reviewers", sfield)
            mandatory = _emails(st, "mandatory", sfield)
            if not emails:
                raise Invalid(f"{sfield}.reviewers", "must list the emails of the stage's reviewers")
            for e in emails:
                if e not in reviewers:
                    raise Invalid(f"{sfield}.reviewers", f"'{e}' is not a reviewer of this organisation")
            rule_text = str(st.get("rule", "all"))
            try:
                rule, needed = parse_rule(rule_text, len(emails))
            except ValueError as error:
                raise Invalid(f"{sfield}.rule", str(error)) from error
            checked.append(Stage(tuple(emails), rule, needed, frozenset(mandatory)))
            stage_name = _text(st, "name", f"{sfield}.name", required=False)
            stages.append(
                {"name": stage_name, "reviewers": emails, "rule": rule_text, "mandatory": mandatory}
            )
        try:
            check_template(checked)
        except ValueError as error:
            raise Invalid(f"{field}.stages", str(error)) from error
        out.append({"name": name, "stages": stages})
    return out


def _emails(stage: Any, key: str, field: str) -> list[str]:
    if not isinstance(stage, Mapping):
        raise Invalid(field, "must be a table with reviewers and a rule")
    raw = stage.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise Invalid(f"{field}.{key}", "must be a list of email addresses")
    return [e.strip().lower() for e in raw]


def _holidays(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise Invalid("holidays", "must be a list of dates (YYYY-MM-DD)")
    out = []
    for i, value in enumerate(raw, start=1):
        try:
            out.append(date.fromisoformat(str(value)).isoformat())
        except ValueError as exc:
            raise Invalid(f"holidays[{i}]", f"'{value}' is not a date (YYYY-MM-DD)") from exc
    return sorted(set(out))


def _people(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise Invalid("people", "must be a list of [[people]] tables")
    out, seen = [], set()
    for i, p in enumerate(raw, start=1):
        field = f"people[{i}]"
        if not isinstance(p, Mapping):
            raise Invalid(field, "must be a table with email, name and roles")
        email = validate_email(f"{field}.email", _text(p, "email", f"{field}.email")).lower()
        if email in seen:
            raise Invalid(f"{field}.email", f"'{email}' appears twice")
        seen.add(email)
        roles = p.get("roles", [])
        if (
            not isinstance(roles, list)
            or not roles
            or not all(isinstance(r, str) and r in PERSON_ROLES for r in roles)
        ):
            raise Invalid(f"{field}.roles", f"must list one or more of {', '.join(sorted(PERSON_ROLES))}")
        out.append(
            {
                "email": email,
                "name": _text(p, "name", f"{field}.name"),
                "title": _text(p, "title", f"{field}.title", required=False),
                "roles": list(roles),
            }
        )
    return out


def _units(raw: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    if not isinstance(raw, list):
        raise Invalid("units", "must be a list of [[units]] tables")
    out, members, codes = [], {}, set()
    for i, u in enumerate(raw, start=1):
        field = f"units[{i}]"
        if not isinstance(u, Mapping):
            raise Invalid(field, "must be a table with code and name")
        code = _text(u, "code", f"{field}.code")
        if code in codes:
            raise Invalid(f"{field}.code", f"'{code}' appears twice")
        codes.add(code)
        email = u.get("email")
        if email is not None:
            email = validate_email(f"{field}.email", str(email))
        aliases = u.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise Invalid(f"{field}.aliases", "must be a list of text")
        aliases = [
            _text({"alias": a}, "alias", f"{field}.aliases[{n}]") for n, a in enumerate(aliases, start=1)
        ]
        group = u.get("members")
        if group is not None and (not isinstance(group, list) or not group):
            raise Invalid(f"{field}.members", "must be a non-empty list of unit codes")
        if group is not None and email is not None:
            raise Invalid(f"{field}.email", "a group has no address of its own: its members are mailed")
        if group is not None:
            members[code] = [str(m) for m in group]
        out.append(
            {
                "code": code,
                "name": _text(u, "name", f"{field}.name"),
                "email": email,
                "is_group": group is not None,
                "aliases": aliases,
            }
        )
    for code, group in members.items():
        for m in group:
            if m not in codes:
                raise Invalid(f"units[{code}].members", f"no unit with code '{m}'")
    return out, members


def _store_units(
    session: Session, org_id: int, units: list[dict[str, Any]], members: dict[str, list[str]]
) -> None:
    by_code = {u.code: u for u in session.exec(select(Unit).where(Unit.org_id == org_id))}
    for u in units:
        unit = by_code.get(u["code"]) or Unit(org_id=org_id, **u)
        for key, value in u.items():
            setattr(unit, key, value)
        session.add(unit)
        by_code[u["code"]] = unit
    session.flush()
    group_ids = [by_code[c].id for c in members]
    if group_ids:
        session.execute(delete(GroupMember).where(GroupMember.group_id.in_(group_ids)))  # type: ignore[attr-defined]
    for code, group in members.items():
        for m in group:
            session.add(GroupMember(group_id=by_code[code].id or 0, member_id=by_code[m].id or 0))
