"""Domain errors. Each names the field at fault and the reason; edges map them to exit or HTTP codes."""

from __future__ import annotations


class BanHanhError(Exception):
    """Base of every error the engine reports to a person."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Invalid(BanHanhError):
    """Bad input: nothing was changed."""


class NotFound(BanHanhError):
    """An unknown plan, person, unit or organisation."""


class Refused(BanHanhError):
    """A transition the lifecycle table or a guard does not allow."""


class AlreadyDecided(Refused):
    """A second decision on a task, or a transition someone else already made."""
