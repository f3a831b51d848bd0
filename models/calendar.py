"""Working days in Asia/Ho_Chi_Minh (pure): weekends and configured holidays do not count."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from models.numbering import VN_TZ


def local_date(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not after start."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            count += 1
    return count
