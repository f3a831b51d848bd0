"""Who acts: a person, a delegate on another's behalf, or the engine itself."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from models.directory import Person
from models.errors import NotFound

SYSTEM = "system"


@dataclass(frozen=True)
class Who:
    """The acting person, or the engine itself (person None); a delegate acts on behalf of another."""

    person: Person | None
    on_behalf_of: Person | None = None

    @property
    def principal(self) -> Person | None:
        """Whose role and assignment the action uses: the delegator when a delegate acts."""
        return self.on_behalf_of or self.person

    @property
    def label(self) -> str:
        if self.person is None:
            return SYSTEM
        if self.on_behalf_of is not None:
            return f"{self.person.email} on behalf of {self.on_behalf_of.email}"
        return self.person.email

    @property
    def name(self) -> str:
        if self.person is None:
            return "Hệ thống"
        if self.on_behalf_of is not None:
            return f"{self.person.name} (ủy quyền của {self.on_behalf_of.name})"
        return self.person.name

    def detail(self) -> dict[str, str]:
        """What an audit entry records about a delegate acting."""
        if self.on_behalf_of is None or self.person is None:
            return {}
        return {"on_behalf_of": self.on_behalf_of.email, "delegate": self.person.email}


def resolve_actor(session: Session, actor: str) -> Who:
    if actor == SYSTEM:
        return Who(None)
    person = session.exec(select(Person).where(func.lower(Person.email) == actor.strip().lower())).first()
    if person is None:
        raise NotFound("as", code="person.not_found", email=actor)
    return Who(person)
