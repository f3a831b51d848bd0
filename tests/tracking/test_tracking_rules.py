"""The pure rules of tracked work: due periods from a deadline, the period transition table and its
guards, when a unit is reminded or escalated, what the grid shows."""

from __future__ import annotations

from datetime import date

import pytest

from models.content import AssignedUnit, ConfirmedAssignment
from models.errors import AlreadyDecided, Invalid, NotAllowed, WrongState
from models.tracking import (
    TRANSITIONS,
    Party,
    PeriodAction,
    PeriodState,
    PeriodView,
    assignments_from,
    cell,
    due_periods,
    find,
    next_tracking_nudge,
    step,
)

LEAD = AssignedUnit("Ban Xây dựng Đảng", "bxdd")
NEW_YEAR = date(2027, 1, 1)  # a Friday, a holiday here


def test_a_date_on_a_weekend_or_holiday_is_due_the_next_working_day() -> None:
    a = ConfirmedAssignment(LEAD, deadline="date", due="2027-01-16")  # a Saturday
    assert [(d.label, d.on) for d in due_periods(a, date(2027, 1, 4), ())] == [("once", date(2027, 1, 18))]
    a = ConfirmedAssignment(LEAD, deadline="date", due="2027-01-01")
    assert due_periods(a, date(2026, 12, 1), {NEW_YEAR})[0].on == date(2027, 1, 4)


def test_a_cadence_counts_from_the_issue_date_for_a_year() -> None:
    quarterly = ConfirmedAssignment(LEAD, deadline="cadence", cadence="quarterly")
    got = [(d.label, d.on) for d in due_periods(quarterly, date(2026, 12, 7), ())]
    assert got == [
        ("quarterly-1", date(2027, 3, 8)),  # 6 March is a Saturday
        ("quarterly-2", date(2027, 6, 7)),  # 6 June a Sunday
        ("quarterly-3", date(2027, 9, 6)),
        ("quarterly-4", date(2027, 12, 6)),
    ]
    monthly = ConfirmedAssignment(LEAD, deadline="cadence", cadence="monthly")
    assert len(due_periods(monthly, date(2027, 1, 31), ())) == 12
    assert due_periods(monthly, date(2027, 1, 31), ())[0].on == date(2027, 3, 1)  # 27 Feb a Saturday
    yearly = ConfirmedAssignment(LEAD, deadline="cadence", cadence="yearly")
    assert [d.label for d in due_periods(yearly, date(2027, 1, 4), ())] == ["yearly-1"]


def test_milestones_are_due_once_dated_and_none_has_no_period() -> None:
    m = ConfirmedAssignment(
        LEAD, deadline="milestone", milestones=(("so_ket", "2027-06-30"), ("tong_ket", ""))
    )
    assert [(d.label, d.on) for d in due_periods(m, date(2027, 1, 4), ())] == [("so_ket", date(2027, 6, 30))]
    assert due_periods(ConfirmedAssignment(LEAD), date(2027, 1, 4), ()) == []


def test_the_secretariats_json_reads_a_drafted_list_or_the_stored_shape() -> None:
    book = {"bxdd": "Ban Xây dựng Đảng", "mttq": "Ủy ban Mặt trận Tổ quốc Việt Nam xã"}
    drafted = {
        "lead_unit": {"name": "Ban Xây dựng Đảng", "unit_code": "bxdd"},
        "supporting_units": [
            {"name": "Mặt trận", "unit_code": "mttq"},
            {"name": "Hội Cựu giáo chức", "unit_code": None},
        ],
        "follower_unit": None,
        "deadline": "milestone",
        "milestones": ["so_ket"],
        "milestone_dates": {"so_ket": "2027-06-30"},
        "what": "Sơ kết",
    }
    (a,) = assignments_from([drafted], book)
    assert a.lead == LEAD and a.milestones == (("so_ket", "2027-06-30"),)
    assert a.to_confirm == ("Hội Cựu giáo chức",)
    assert assignments_from([a.as_json()], book) == (a,)  # the stored shape reads back the same
    with pytest.raises(Invalid):
        assignments_from({"lead": "bxdd"}, book)
    with pytest.raises(Invalid) as refused:
        assignments_from([{"lead": "bxdd", "deadline": "date", "due": "15/01/2027"}], book)
    assert refused.value.code == "field.not_date"


def view(state: PeriodState, **kw: object) -> PeriodView:
    values: dict[str, object] = {"due": date(2027, 1, 15), "today": date(2027, 1, 10), **kw}
    return PeriodView(state, **values)  # type: ignore[arg-type]


def test_every_row_of_the_table_is_one_party_and_a_known_state() -> None:
    keys = [(t.source, t.action, t.party) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))
    owed = {PeriodState.OPEN, PeriodState.OVERDUE, PeriodState.RETURNED, PeriodState.EXTENDED}
    assert {t.source for t in TRANSITIONS if t.action == PeriodAction.SUBMIT} == owed
    assert {t.source for t in TRANSITIONS if t.action == PeriodAction.ACCEPT} == {PeriodState.SUBMITTED}
    assert not [t for t in TRANSITIONS if t.source == PeriodState.ACCEPTED], "an accepted report is final"


def test_who_may_do_what() -> None:
    row = find("open", PeriodAction.SUBMIT, {Party.LEAD})
    assert step(row, view(PeriodState.OPEN)) == PeriodState.SUBMITTED
    with pytest.raises(NotAllowed):
        find("open", PeriodAction.SUBMIT, {Party.FOLLOWER})
    with pytest.raises(NotAllowed):
        find("submitted", PeriodAction.ACCEPT, {Party.LEAD})  # a unit does not accept its own report
    with pytest.raises(WrongState):
        find("accepted", PeriodAction.SUBMIT, {Party.LEAD})
    with pytest.raises(WrongState):
        find("submitted", PeriodAction.GRANT, {Party.GRANTOR})


def test_guards() -> None:
    ret = find("submitted", PeriodAction.RETURN, {Party.FOLLOWER})
    with pytest.raises(Invalid):
        step(ret, view(PeriodState.SUBMITTED, comment="  "))
    assert step(ret, view(PeriodState.SUBMITTED, comment="Bổ sung")) == PeriodState.RETURNED
    fall = find("open", PeriodAction.FALL_DUE, {Party.SYSTEM})
    with pytest.raises(WrongState):
        step(fall, view(PeriodState.OPEN, today=date(2027, 1, 15)))  # the due day itself is not late
    assert step(fall, view(PeriodState.OPEN, today=date(2027, 1, 16))) == PeriodState.OVERDUE
    ask = find("open", PeriodAction.ASK_EXTENSION, {Party.LEAD})
    with pytest.raises(Invalid):
        step(ask, view(PeriodState.OPEN, comment="lý do", new_due=date(2027, 1, 15)))
    with pytest.raises(AlreadyDecided):
        step(
            ask,
            view(PeriodState.OPEN, comment="lý do", new_due=date(2027, 1, 20), asked_until=date(2027, 1, 18)),
        )
    assert step(ask, view(PeriodState.OPEN, comment="lý do", new_due=date(2027, 1, 20))) == PeriodState.OPEN
    grant = find("overdue", PeriodAction.GRANT, {Party.GRANTOR})
    with pytest.raises(WrongState):
        step(grant, view(PeriodState.OVERDUE))  # nothing asked
    assert step(grant, view(PeriodState.OVERDUE, asked_until=date(2027, 1, 20))) == PeriodState.EXTENDED


def test_reminders_before_on_and_after_each_once_only_the_latest_after_downtime() -> None:
    due = date(2027, 1, 18)  # a Monday: two working days before is Thursday the 14th
    assert next_tracking_nudge(due, date(2027, 1, 13), 0, ()) is None
    assert next_tracking_nudge(due, date(2027, 1, 14), 0, ()) == (
        before := next_tracking_nudge(due, date(2027, 1, 16), 0, ())
    )
    assert before is not None and before.kind == "before"
    assert next_tracking_nudge(due, date(2027, 1, 16), 1, ()) is None
    on = next_tracking_nudge(due, due, 1, ())
    assert on is not None and on.kind == "on"
    late = next_tracking_nudge(due, date(2027, 1, 19), 0, ())
    assert late is not None and (late.kind, late.number) == ("escalation", 3)
    assert next_tracking_nudge(due, date(2027, 2, 19), 3, ()) is None
    # A holiday is not a working day to count back over.
    assert next_tracking_nudge(due, date(2027, 1, 13), 0, {date(2027, 1, 15)}) is not None


def test_what_the_grid_shows() -> None:
    today, due = date(2027, 1, 20), date(2027, 1, 15)
    assert cell("accepted", False, False, today, due) == "accepted"
    assert cell("accepted", True, False, today, due) == "accepted, late"
    assert cell("submitted", False, True, today, due) == "on time, extended"
    assert cell("returned", False, False, today, due) == "returned"
    assert cell("open", False, False, today, due) == "missing"
    assert cell("open", False, False, date(2027, 1, 10), due) == "due"
    assert cell("extended", False, True, date(2027, 1, 10), due) == "due, extended"
