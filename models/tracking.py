"""Tracked work after issuance (pure): confirmed assignments read from JSON, the due periods of a
deadline, the transition table of a period, and what the grid shows of one.

Every state change of a period goes through `TRANSITIONS` (`find`), its guard reading a
`PeriodView`; the service layer (`models/services/tracking_work.py`) writes it with the audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from models.calendar import add_working_days, is_working_day
from models.content import CADENCES, DEADLINE_KINDS, MILESTONES, AssignedUnit, ConfirmedAssignment
from models.errors import AlreadyDecided, Invalid, NotAllowed, WrongState

MAX_WHAT = 4000
MAX_REASON = 1000

# --- confirmed assignments, from what the secretariat gives (a `tracking draft --json` list, edited)


def _iso(value: object, field: str) -> str:
    if value is None or value == "":
        return ""
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise Invalid(field, code="field.not_date", value=str(value)) from None


def _unit(value: object, field: str, book: Mapping[str, str]) -> AssignedUnit:
    """A unit given as a code or name (text) or as {name, unit_code}; a code must be in the book."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise Invalid(field, code="field.required")
        return AssignedUnit(book[text], text) if text in book else AssignedUnit(text)
    if not isinstance(value, dict) or not str(value.get("name") or value.get("unit_code") or "").strip():
        raise Invalid(field, code="tracking.unit_shape")
    code = value.get("unit_code")
    if code is None or code == "":
        return AssignedUnit(str(value["name"]).strip())
    if str(code) not in book:
        raise Invalid(field, code="tracking.unknown_unit", code_=str(code))
    return AssignedUnit(str(value.get("name") or book[str(code)]).strip(), str(code))


def _milestones(item: Mapping[str, Any], field: str) -> tuple[tuple[str, str], ...]:
    dates: Mapping[str, Any] = item.get("milestone_dates") or {}
    out: list[tuple[str, str]] = []
    for m in item.get("milestones") or ():
        name, on = (m[0], m[1]) if isinstance(m, list | tuple) else (m, dates.get(str(m), ""))
        if name not in MILESTONES:
            raise Invalid(f"{field}.milestones", code="field.bad_choice", value=name, choices=MILESTONES)
        out.append((str(name), _iso(on, f"{field}.milestones.{name}")))
    return tuple(out)


def assignment_from(item: Mapping[str, Any], n: int, book: Mapping[str, str]) -> ConfirmedAssignment:
    """One assignment from the secretariat's JSON: the stored shape, or a drafted one as
    `banhanh tracking draft --plan ID --json` prints it (lead_unit, supporting_units, …)."""
    field = f"assignments[{n}]"
    lead = item.get("lead_unit", item.get("lead"))
    if lead is None:
        raise Invalid(f"{field}.lead", code="field.required")
    follower = item.get("follower_unit", item.get("follower"))
    kind = str(item.get("deadline") or "none")
    if kind not in DEADLINE_KINDS:
        raise Invalid(f"{field}.deadline", code="field.bad_choice", value=kind, choices=DEADLINE_KINDS)
    cadence = str(item.get("cadence") or "") if kind == "cadence" else ""
    if kind == "cadence" and cadence not in CADENCES:
        raise Invalid(f"{field}.cadence", code="tracking.pick_cadence", value=cadence, choices=CADENCES)
    due = _iso(item.get("due"), f"{field}.due") if kind == "date" else ""
    if kind == "date" and not due:
        raise Invalid(f"{field}.due", code="field.required")
    what = str(item.get("what") or "").strip()
    if len(what) > MAX_WHAT:
        raise Invalid(f"{field}.what", code="field.too_long", length=len(what), limit=MAX_WHAT)
    return ConfirmedAssignment(
        lead=_unit(lead, f"{field}.lead", book),
        supporting=tuple(
            _unit(u, f"{field}.supporting", book)
            for u in item.get("supporting_units", item.get("supporting")) or ()
        ),
        follower=None if follower in (None, "") else _unit(follower, f"{field}.follower", book),
        what=what,
        deadline=kind,
        due=due,
        cadence=cadence,
        milestones=_milestones(item, field) if kind == "milestone" else (),
    )


def assignments_from(items: object, book: Mapping[str, str]) -> tuple[ConfirmedAssignment, ...]:
    """`book`: unit code -> name of the organisation's address book."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Invalid("assignments", code="tracking.not_list")
    return tuple(assignment_from(item, n, book) for n, item in enumerate(items, start=1))


# --- due periods


@dataclass(frozen=True)
class Due:
    label: str  # "2027-Q1", "so_ket", "once"
    on: date


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # The last day of a shorter month stands for a 29th-31st.
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
HORIZON_DAYS = 366  # cadence periods opened ahead: one year of them from the issue date


def on_working_day(day: date, holidays: Collection[date]) -> date:
    """A due date on a weekend or holiday moves to the next working day."""
    return day if is_working_day(day, holidays) else add_working_days(day, 1, holidays)


def due_periods(a: ConfirmedAssignment, issued: date, holidays: Collection[date]) -> list[Due]:
    """The periods an assignment reports for: its date; each cadence period ending within a year
    of the issue date (due on its last day); each milestone the secretariat dated."""
    if a.deadline == "date" and a.due:
        return [Due("once", on_working_day(date.fromisoformat(a.due), holidays))]
    if a.deadline == "cadence" and a.cadence in _MONTHS:
        step, out, n = _MONTHS[a.cadence], [], 1
        while (end := _add_months(issued, step * n) - timedelta(days=1)) <= issued + timedelta(HORIZON_DAYS):
            out.append(Due(f"{a.cadence}-{n}", on_working_day(end, holidays)))
            n += 1
        return out
    if a.deadline == "milestone":
        return [Due(m, on_working_day(date.fromisoformat(on), holidays)) for m, on in a.milestones if on]
    return []


# --- a period's transition table


class PeriodState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    OVERDUE = "overdue"
    EXTENDED = "extended"


class PeriodAction(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    FALL_DUE = "fall_due"
    ASK_EXTENSION = "ask_extension"
    GRANT = "grant"
    REFUSE = "refuse"


class Party(StrEnum):
    LEAD = "lead"  # the lead unit (its address, or the secretariat recording for a unit without one)
    FOLLOWER = "follower"  # the follower unit, or the issuing body's secretariat
    GRANTOR = "grantor"  # the issuing body's designated person (the plan's signer)
    SYSTEM = "system"


@dataclass(frozen=True)
class PeriodView:
    state: PeriodState
    due: date
    today: date
    comment: str = ""  # a return's comment, an extension's reason
    asked_until: date | None = None  # a pending extension request
    new_due: date | None = None  # the date an action asks for


Guard = Callable[[PeriodView], Exception | None]


def _comment_given(v: PeriodView) -> Exception | None:
    if not v.comment.strip():
        return Invalid("comment", code="tracking.comment_required")
    if len(v.comment) > MAX_REASON:
        return Invalid("comment", code="field.too_long", length=len(v.comment), limit=MAX_REASON)
    return None


def _past_due(v: PeriodView) -> Exception | None:
    return None if v.today > v.due else WrongState("period", code="tracking.not_yet_due", due=v.due)


def _may_ask(v: PeriodView) -> Exception | None:
    if v.asked_until is not None:
        return AlreadyDecided("period", code="tracking.extension_pending", until=v.asked_until)
    if v.new_due is None or v.new_due <= v.due:
        return Invalid("until", code="tracking.extension_not_later", due=v.due)
    return _comment_given(v)


def _asked(v: PeriodView) -> Exception | None:
    if v.asked_until is None:
        return WrongState("period", code="tracking.no_extension_asked")
    return None


@dataclass(frozen=True)
class PeriodTransition:
    source: PeriodState
    action: PeriodAction
    party: Party
    target: PeriodState | None  # None: the state stays
    guard: Guard | None = None


P, PA, W = PeriodState, PeriodAction, Party
_WAITING = (P.OPEN, P.OVERDUE, P.RETURNED, P.EXTENDED)  # the unit still owes a report

TRANSITIONS: tuple[PeriodTransition, ...] = (
    *(PeriodTransition(s, PA.SUBMIT, W.LEAD, P.SUBMITTED) for s in _WAITING),
    PeriodTransition(P.SUBMITTED, PA.ACCEPT, W.FOLLOWER, P.ACCEPTED),
    PeriodTransition(P.SUBMITTED, PA.RETURN, W.FOLLOWER, P.RETURNED, _comment_given),
    PeriodTransition(P.OPEN, PA.FALL_DUE, W.SYSTEM, P.OVERDUE, _past_due),
    PeriodTransition(P.EXTENDED, PA.FALL_DUE, W.SYSTEM, P.OVERDUE, _past_due),
    *(PeriodTransition(s, PA.ASK_EXTENSION, W.LEAD, None, _may_ask) for s in _WAITING),
    *(PeriodTransition(s, PA.GRANT, W.GRANTOR, P.EXTENDED, _asked) for s in _WAITING),
    *(PeriodTransition(s, PA.REFUSE, W.GRANTOR, None, _asked) for s in _WAITING),
)


def find(state: str, action: PeriodAction, parties: Collection[Party]) -> PeriodTransition:
    """The row for this action from this state by one of the actor's parties; refused otherwise."""
    rows = [t for t in TRANSITIONS if t.source == state and t.action == action]
    if not rows:
        raise WrongState(
            "period", code="tracking.wrong_state", period_action=action.value, period_state=state
        )
    for row in rows:
        if row.party in parties:
            return row
    raise NotAllowed("as", code="tracking.not_party", period_action=action.value, party=rows[0].party.value)


def step(row: PeriodTransition, view: PeriodView) -> PeriodState:
    """The state after the row, its guard's refusal raised."""
    if row.guard is not None and (refused := row.guard(view)) is not None:
        raise refused
    return row.target or view.state


# --- what the grid shows


def cell(state: str, late: bool, extended: bool, today: date, due: date) -> str:
    """One period as the grid shows it: accepted, returned, on time, late, missing or due, and
    ", extended" when its due date was moved."""
    if state == P.ACCEPTED:
        base = "accepted, late" if late else "accepted"
    elif state == P.RETURNED:
        base = "returned"
    elif state == P.SUBMITTED:
        base = "late" if late else "on time"
    elif state == P.OVERDUE or today > due:
        base = "missing"
    else:
        base = "due"
    return base + (", extended" if extended else "")


# --- when the engine writes to a unit about a period


@dataclass(frozen=True)
class TrackingNudge:
    kind: str  # "before" | "on" | "escalation"
    number: int  # 1 before, 2 on the day, 3 the escalation: the counter a claim moves to


REMIND_BEFORE_DAYS = 2  # working days before the due date


def next_tracking_nudge(
    due: date, today: date, sent: int, holidays: Collection[date], before_days: int = REMIND_BEFORE_DAYS
) -> TrackingNudge | None:
    """The one message due now for a period still owed, given how far its counter is (`sent`).
    After downtime only the latest is sent: the counter jumps past the ones missed."""
    if today > due:
        return TrackingNudge("escalation", 3) if sent < 3 else None
    if today == due:
        return TrackingNudge("on", 2) if sent < 2 else None
    remind_from = due
    for _ in range(before_days):  # the working day `before_days` before the due date
        remind_from -= timedelta(days=1)
        while not is_working_day(remind_from, holidays):
            remind_from -= timedelta(days=1)
    if today >= remind_from and sent < 1:
        return TrackingNudge("before", 1)
    return None


def to_confirm(assignments: Sequence[ConfirmedAssignment]) -> tuple[str, ...]:
    """Every name still to confirm across the assignments."""
    return tuple(dict.fromkeys(n for a in assignments for n in a.to_confirm))
