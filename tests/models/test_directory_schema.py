"""An organisation's TOML is checked key by key: an unknown or misspelt key, a control character
in a name, an ill-typed value is refused naming its path, and a refused load changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from models.db import Database
from models.errors import Invalid
from models.services.directory import load_directory
from tests.factory import example_config, load_people
from tests.models.support import world


def config_with(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(example_config())
    edit(config)
    return config


BAD: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "misspelt flag",
        lambda c: c["organisation"].update(drafter_may_aprove_and_sign=True),
        "organisation.drafter_may_aprove_and_sign",
        "did you mean 'drafter_may_approve_and_sign'?",
    ),
    ("unknown table", lambda c: c.update(reminder={}), "reminder", "did you mean 'reminders'?"),
    (
        "unknown person key",
        lambda c: c["people"][1].update(mail="x"),
        "people[2].mail",
        "did you mean 'email'?",
    ),
    (
        "unknown stage key",
        lambda c: c["review_templates"][0]["stages"][1].update(mandatroy=[]),
        "review_templates[1].stages[2].mandatroy",
        "did you mean 'mandatory'?",
    ),
    ("nothing near", lambda c: c.update(xyz=1), "xyz", "known keys: organisation, people"),
    ("NUL in a name", lambda c: c["people"][0].update(name="Nguyễn\x00Lan"), "people[1].name", "U+0000"),
    (
        "right-to-left override",
        lambda c: c["people"][0].update(name="Nguyễn \u202eLan"),
        "people[1].name",
        "U+202E RIGHT-TO-LEFT OVERRIDE",
    ),
    (
        "control in an alias",
        lambda c: c["units"][0].update(aliases=["a\x1bb"]),
        "units[1].aliases[1]",
        "U+001B",
    ),
    ("nested roles", lambda c: c["people"][0].update(roles=[[1]]), "people[1].roles", "must list"),
    (
        "stage reviewers",
        lambda c: c["review_templates"][0]["stages"][0].update(reviewers=5),
        "reviewers",
        "list",
    ),
    (
        "a year of days",
        lambda c: c["reminders"].update(due_days=10**6),
        "reminders.due_days",
        "from 1 to 366",
    ),
]


@pytest.mark.parametrize(("edit", "field", "says"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_organisation_config_is_refused_and_changes_nothing(
    db: Database, edit: Callable[[dict[str, Any]], None], field: str, says: str
) -> None:
    load_people(db)
    before = world(db)
    with pytest.raises(Invalid) as caught:
        load_directory(db, config_with(edit))
    assert caught.value.field.endswith(field) and says in caught.value.reason, caught.value
    assert world(db) == before


def test_a_refusal_inside_the_transaction_leaves_no_organisation(db: Database) -> None:
    """A new organisation claiming another one's person is refused after its row was written:
    the one transaction takes it back."""
    load_people(db)
    before = world(db)

    def steal(c: dict[str, Any]) -> None:
        c["organisation"]["key"] = "khac"
        c["people"][0]["email"] = c["reminders"]["escalate_to"] = "vanphong@duk.example.vn"

    with pytest.raises(Invalid, match="already belongs to another organisation"):
        load_directory(db, config_with(steal))
    assert world(db) == before
