"""When to remind a reviewer or signer, and when to escalate (pure).

A step is due `due_days` working days after it was assigned. The first reminder goes out
`first_after_days` working days after assignment, then every `every_days`, at most
`max_reminders` times; when the next reminder would be due after the cap, the step is
escalated once to the named person.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from models.calendar import add_working_days, local_date, working_days_between
from models.errors import Invalid

MAX_DAYS = 366  # a year of working days: more is a typing mistake


@dataclass(frozen=True)
class ReminderPolicy:
    due_days: int = 3
    first_after_days: int = 2
    every_days: int = 2
    max_reminders: int = 3
    escalate_to: str = ""  # email of the person told when the cap is reached; "" = nobody

    @classmethod
    def from_config(cls, data: Mapping[str, object]) -> ReminderPolicy:
        values: dict[str, object] = {}
        for name in ("due_days", "first_after_days", "every_days", "max_reminders"):
            if name in data:
                value = data[name]
                if (
                    not isinstance(value, int)
                    or isinstance(value, bool)
                    or value < (0 if name == "max_reminders" else 1)
                    or value > MAX_DAYS
                ):
                    low = 0 if name == "max_reminders" else 1
                    raise Invalid(f"reminders.{name}", code="config.not_number", low=low, high=MAX_DAYS)
                values[name] = value
        if "escalate_to" in data:
            if not isinstance(data["escalate_to"], str):
                raise Invalid("reminders.escalate_to", code="config.not_email")
            values["escalate_to"] = data["escalate_to"]
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Nudge:
    kind: str  # "reminder" | "escalation"
    number: int  # the reminder's number (1-based); 0 for an escalation
    due: date


def due_date(assigned_at: datetime, policy: ReminderPolicy, holidays: Collection[date]) -> date:
    return add_working_days(local_date(assigned_at), policy.due_days, holidays)


def next_nudge(
    assigned_at: datetime,
    now: datetime,
    reminders_sent: int,
    escalated: bool,
    policy: ReminderPolicy,
    holidays: Collection[date],
) -> Nudge | None:
    """The reminder or escalation due now for a step still waiting, or None."""
    elapsed = working_days_between(local_date(assigned_at), local_date(now), holidays)
    due = due_date(assigned_at, policy, holidays)
    if elapsed < policy.first_after_days:
        return None
    # Reminder slots passed so far; after downtime only the latest one is sent, not a burst.
    slots = 1 + (elapsed - policy.first_after_days) // policy.every_days
    if reminders_sent < min(slots, policy.max_reminders):
        return Nudge("reminder", min(slots, policy.max_reminders), due)
    if slots > policy.max_reminders and not escalated and policy.escalate_to:
        return Nudge("escalation", 0, due)
    return None
