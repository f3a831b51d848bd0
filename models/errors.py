"""Domain errors as data. The class says how an edge answers (web status, CLI exit code), the
code says what went wrong and the params fill the code's message (models/error_messages.py).

`field` names the field at fault and `reason` is the English message, kept for callers and tests
that read them; edges and code that branch on an error use its class and code.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self


class BanHanhError(Exception):
    """Base of every error the engine reports to a person."""

    generic: ClassVar[str] = "error"  # the code of an error raised without one (not converted yet)

    def __init__(
        self, field: str, reason: str | None = None, /, *, code: str | None = None, **params: Any
    ) -> None:
        self.field = field
        self.code = code or self.generic
        self.params = params
        if reason is None:
            from models.error_messages import english  # the catalogue loads when an error is raised

            reason = english(self.code, params)
        self.reason = reason
        super().__init__(f"{field}: {self.reason}")

    @property
    def message(self) -> str:
        """The Vietnamese message; an error without a code of its own gets its class's."""
        from models.error_messages import vietnamese

        return vietnamese(self.code, self.params)

    def at(self, field: str) -> Self:
        """The same error naming another field (a file's name instead of `document`)."""
        return type(self)(field, self.reason, code=self.code, **self.params)


class Invalid(BanHanhError):
    """Bad input: nothing was changed."""

    generic = "invalid"


class NotFound(BanHanhError):
    """An unknown plan, person, unit or organisation."""

    generic = "not_found"


class Refused(BanHanhError):
    """A refusal not yet told apart as `NotAllowed` or `WrongState`."""

    generic = "refused"


class NotAllowed(Refused):
    """This person may not do this (a role, an assignment, another organisation, a link not theirs)."""

    generic = "not_allowed"


class WrongState(Refused):
    """The plan (or task, link, delivery) is not in a state that allows it."""

    generic = "wrong_state"


class AlreadyDecided(Refused):
    """A second decision on a task, or a transition someone else already made."""

    generic = "already_decided"
