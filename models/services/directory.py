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

from exchange.agency import check_agency_id, check_channel
from models.addressing import Entry
from models.db import Database
from models.directory import GroupMember, Organisation, Person, Unit
from models.errors import Invalid
from models.lifecycle import Role
from models.numbering import System
from models.reminders import ReminderPolicy
from models.review_policy import Stage, check_template, parse_rule
from models.services import audit
from models.services.plans import validate_email

PERSON_ROLES = {Role.SECRETARIAT.value, Role.REVIEWER.value, Role.SIGNER.value, Role.CLERK.value, "admin"}

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
            "automatic_issuance",
            "role_domains",
            "head_email",
            "agency_id",
        )
    },
    "people": {k: None for k in ("email", "name", "title", "roles")},
    "units": {k: None for k in ("code", "name", "email", "aliases", "members", "agency_id", "channel")},
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
            raise Invalid(field, code="config.unknown_key", key=key, where=where, hint=hint)
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
        raise Invalid(field, code="field.required_text" if required else "field.not_text")
    if "\n" in value or "\r" in value:
        raise Invalid(field, code="field.one_line")
    for c in value:
        if c in _INVISIBLE or unicodedata.category(c) == "Cc":
            name = unicodedata.name(c, "CONTROL CHARACTER")
            raise Invalid(field, code="field.invisible", point=f"U+{ord(c):04X}", name=name)
    return value.strip()


def load_directory(db: Database, config: Mapping[str, Any]) -> Organisation:
    """Create or update the organisation, its people and units. Invalid config changes nothing:
    everything is checked first, and written in one transaction."""
    check_keys(config)
    org_data = config.get("organisation")
    if not isinstance(org_data, Mapping):
        raise Invalid("organisation", code="config.no_organisation")
    system = _text(org_data, "system", "organisation.system")
    if system not in {s.value for s in System}:
        raise Invalid("organisation.system", code="config.bad_system", value=system)
    fields = {
        k: _text(org_data, k, f"organisation.{k}", required=k not in {"superior", "term"})
        for k in ("key", "code", "name", "superior", "place", "term")
    }
    if system == System.PARTY and not fields["term"]:
        raise Invalid("organisation.term", code="config.party_term")
    may_self_approve = org_data.get("drafter_may_approve_and_sign", False)
    if not isinstance(may_self_approve, bool):
        raise Invalid("organisation.drafter_may_approve_and_sign", code="field.not_bool")
    automatic_issuance = org_data.get("automatic_issuance", True)
    if not isinstance(automatic_issuance, bool):
        raise Invalid("organisation.automatic_issuance", code="field.not_bool")
    role_domains = org_data.get("role_domains", [])
    if not isinstance(role_domains, list) or not all(
        isinstance(d, str) and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", d.lower()) for d in role_domains
    ):
        raise Invalid("organisation.role_domains", code="config.role_domains")
    head_email = org_data.get("head_email", "")
    if not isinstance(head_email, str):
        raise Invalid("organisation.head_email", code="field.not_text")
    head_email = validate_email("organisation.head_email", head_email).lower() if head_email.strip() else ""
    agency_id = _text(org_data, "agency_id", "organisation.agency_id", required=False)
    agency_id = check_agency_id("organisation.agency_id", agency_id) if agency_id else ""
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
            "automatic_issuance": automatic_issuance,
            "role_domains": [d.lower() for d in role_domains],
            "head_email": head_email,
            "agency_id": agency_id,
        }
        for key, value in settings.items():
            setattr(org, key, value)
        session.add(org)
        session.flush()
        assert org.id is not None
        for p in people:
            person = session.exec(select(Person).where(Person.email == p["email"])).first()
            if person is not None and person.org_id != org.id:
                raise Invalid("people", code="config.person_elsewhere", email=p["email"])
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
        raise Invalid("reminders", code="config.not_table", table="reminders")
    policy = ReminderPolicy.from_config(raw)
    if policy.escalate_to and policy.escalate_to.lower() not in {p["email"] for p in people}:
        raise Invalid("reminders.escalate_to", code="config.not_a_person", email=policy.escalate_to)
    return {**asdict(policy), "escalate_to": policy.escalate_to.lower()}


def _seal(raw: Any) -> dict[str, str]:
    """[seal] pkcs12 = "path" (relative to the data directory), password = "…"."""
    if not isinstance(raw, Mapping):
        raise Invalid("seal", code="config.not_table", table="seal")
    seal = {key: _text(raw, key, f"seal.{key}", required=False) for key in ("pkcs12", "password")}
    if seal["password"] and not seal["pkcs12"]:
        raise Invalid("seal.pkcs12", code="config.password_only")
    return seal if seal["pkcs12"] else {}


def _review_templates(raw: Any, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[[review_templates]] with a name and ordered [[review_templates.stages]]: reviewers (emails
    of this organisation's reviewers), rule ("all", "any" or "N of M") and mandatory reviewers."""
    if not isinstance(raw, list):
        raise Invalid("review_templates", code="config.not_tables", table="review_templates")
    reviewers = {p["email"] for p in people if Role.REVIEWER in p["roles"]}
    out: list[dict[str, Any]] = []
    for i, t in enumerate(raw, start=1):
        field = f"review_templates[{i}]"
        if not isinstance(t, Mapping) or not isinstance(t.get("stages"), list):
            raise Invalid(field, code="config.template_shape")
        name = _text(t, "name", f"{field}.name")
        if any(o["name"] == name for o in out):
            raise Invalid(f"{field}.name", code="field.twice", value=name)
        stages, checked = [], []
        for j, st in enumerate(t["stages"], start=1):
            sfield = f"{field}.stages[{j}]"
            emails = _emails(st, "reviewers", sfield)
            mandatory = _emails(st, "mandatory", sfield)
            if not emails:
                raise Invalid(f"{sfield}.reviewers", code="config.stage_no_reviewers")
            for e in emails:
                if e not in reviewers:
                    raise Invalid(f"{sfield}.reviewers", code="config.not_a_reviewer", email=e)
            rule_text = str(st.get("rule", "all"))
            try:
                rule, needed = parse_rule(rule_text, len(emails))
            except ValueError as error:
                raise Invalid(f"{sfield}.rule", code="config.bad_rule", detail=error) from error
            checked.append(Stage(tuple(emails), rule, needed, frozenset(mandatory)))
            stage_name = _text(st, "name", f"{sfield}.name", required=False)
            stages.append(
                {"name": stage_name, "reviewers": emails, "rule": rule_text, "mandatory": mandatory}
            )
        try:
            check_template(checked)
        except ValueError as error:
            raise Invalid(f"{field}.stages", code="config.bad_stages", detail=error) from error
        out.append({"name": name, "stages": stages})
    return out


def _emails(stage: Any, key: str, field: str) -> list[str]:
    if not isinstance(stage, Mapping):
        raise Invalid(field, code="config.stage_shape")
    raw = stage.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise Invalid(f"{field}.{key}", code="config.not_emails")
    return [e.strip().lower() for e in raw]


def _holidays(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise Invalid("holidays", code="config.not_dates")
    out = []
    for i, value in enumerate(raw, start=1):
        try:
            out.append(date.fromisoformat(str(value)).isoformat())
        except ValueError as exc:
            raise Invalid(f"holidays[{i}]", code="field.not_date", value=value) from exc
    return sorted(set(out))


def _people(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise Invalid("people", code="config.not_tables", table="people")
    out, seen = [], set()
    for i, p in enumerate(raw, start=1):
        field = f"people[{i}]"
        if not isinstance(p, Mapping):
            raise Invalid(field, code="config.person_shape")
        email = validate_email(f"{field}.email", _text(p, "email", f"{field}.email")).lower()
        if email in seen:
            raise Invalid(f"{field}.email", code="field.twice", value=email)
        seen.add(email)
        roles = p.get("roles", [])
        if (
            not isinstance(roles, list)
            or not roles
            or not all(isinstance(r, str) and r in PERSON_ROLES for r in roles)
        ):
            raise Invalid(f"{field}.roles", code="config.roles", values=sorted(PERSON_ROLES))
        out.append(
            {
                "email": email,
                "name": _text(p, "name", f"{field}.name"),
                "title": _text(p, "title", f"{field}.title", required=False),
                "roles": list(roles),
            }
        )
    return out


def address_book_of(config: Mapping[str, Any]) -> list[Entry]:
    """The address book an organisation's TOML gives, checked as `directory load` checks it,
    for reading a document's units without a database."""
    check_keys(config)
    units, members = _units(config.get("units", []))
    return [
        Entry(u["code"], u["name"], u["email"], tuple(members.get(u["code"], ())), tuple(u["aliases"]))
        for u in units
    ]


def _units(raw: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    if not isinstance(raw, list):
        raise Invalid("units", code="config.not_tables", table="units")
    out, members, codes = [], {}, set()
    for i, u in enumerate(raw, start=1):
        field = f"units[{i}]"
        if not isinstance(u, Mapping):
            raise Invalid(field, code="config.unit_shape")
        code = _text(u, "code", f"{field}.code")
        if code in codes:
            raise Invalid(f"{field}.code", code="field.twice", value=code)
        codes.add(code)
        email = u.get("email")
        if email is not None:
            email = validate_email(f"{field}.email", str(email))
        aliases = u.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise Invalid(f"{field}.aliases", code="config.not_texts")
        aliases = [
            _text({"alias": a}, "alias", f"{field}.aliases[{n}]") for n, a in enumerate(aliases, start=1)
        ]
        group = u.get("members")
        if group is not None and (not isinstance(group, list) or not group):
            raise Invalid(f"{field}.members", code="config.members_shape")
        if group is not None and email is not None:
            raise Invalid(f"{field}.email", code="unit.group_no_email")
        if group is not None:
            members[code] = [str(m) for m in group]
        written = _text(u, "agency_id", f"{field}.agency_id", required=False)
        agency_id = check_agency_id(f"{field}.agency_id", written) if written else None
        channel = _text(u, "channel", f"{field}.channel", required=False) or "email"
        channel = check_channel(f"{field}.channel", channel, agency_id).value
        out.append(
            {
                "code": code,
                "name": _text(u, "name", f"{field}.name"),
                "email": email,
                "is_group": group is not None,
                "aliases": aliases,
                "agency_id": agency_id,
                "channel": channel,
            }
        )
    for code, group in members.items():
        for m in group:
            if m not in codes:
                raise Invalid(f"units[{code}].members", code="config.unknown_member", unit=m)
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
