"""Review workflows as data (pure): ordered stages, each with a completion rule.

A stage lists its reviewers, some of them mandatory, and completes by `all`, `any` or `N of M`
approvals (every mandatory reviewer among them). A mandatory reviewer's rejection, or one
that leaves too few reviewers to reach the rule, rejects the stage and so the review. A
request for changes always ends the round and returns the plan to the drafter. Stages run
in order; the review completes when the last one does.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from models.policies import Outcome, TaskStatus


class Rule(StrEnum):
    ALL = "all"
    ANY = "any"
    N_OF_M = "n_of_m"


_N_OF_M_RE = re.compile(r"^\s*(\d+)\s+of\s+(\d+)\s*$")

K = TypeVar("K", int, str)  # person ids on a plan, emails in an organisation's template


@dataclass(frozen=True)
class Stage(Generic[K]):
    """One stage: its reviewers and its rule."""

    reviewers: tuple[K, ...]
    rule: Rule = Rule.ALL
    needed: int = 0  # approvals an N-of-M stage needs; `all` and `any` derive it
    mandatory: frozenset[K] = field(default_factory=frozenset)
    name: str = ""

    @property
    def approvals_needed(self) -> int:
        if self.rule is Rule.ALL:
            return len(self.reviewers)
        if self.rule is Rule.ANY:
            return 1
        return self.needed

    @property
    def rule_text(self) -> str:
        return f"{self.needed} of {len(self.reviewers)}" if self.rule is Rule.N_OF_M else self.rule.value


def parse_rule(text: str, reviewers: int) -> tuple[Rule, int]:
    """'all', 'any' or 'N of M' (M = the stage's reviewer count); ValueError says what is wrong."""
    value = text.strip().lower()
    if value in (Rule.ALL, Rule.ANY):
        return Rule(value), 0
    match = _N_OF_M_RE.match(value)
    if match is None:
        raise ValueError(f"'{text}' is not one of: all, any, N of M (e.g. '2 of 3')")
    n, m = int(match[1]), int(match[2])
    if m != reviewers:
        raise ValueError(f"'{text}' names {m} reviewers but the stage lists {reviewers}")
    if not 1 <= n <= m:
        raise ValueError(f"'{text}': N must be between 1 and {m}")
    return Rule.N_OF_M, n


def stage_outcome(stage: Stage[K], statuses: Mapping[K, TaskStatus]) -> Outcome:
    """The stage's outcome from its tasks' statuses by reviewer (a reviewer without a task counts
    as still open). Approved needs every mandatory reviewer and enough approvals."""
    decided = [statuses.get(r, TaskStatus.OPEN) for r in stage.reviewers]
    if TaskStatus.CHANGES_REQUESTED in decided:
        return Outcome.CHANGES_REQUESTED
    by_reviewer = dict(zip(stage.reviewers, decided, strict=True))
    if any(by_reviewer[m] is TaskStatus.REJECTED for m in stage.mandatory):
        return Outcome.REJECTED
    approved = {r for r, s in by_reviewer.items() if s is TaskStatus.APPROVED}
    if stage.mandatory <= approved and len(approved) >= stage.approvals_needed:
        return Outcome.APPROVED
    possible = {r for r, s in by_reviewer.items() if s in (TaskStatus.APPROVED, TaskStatus.OPEN)}
    if not stage.mandatory <= possible or len(possible) < stage.approvals_needed:
        return Outcome.REJECTED
    return Outcome.PENDING


class Next(StrEnum):
    """What the engine does after a stage's outcome changes."""

    WAIT = "wait"
    OPEN_NEXT_STAGE = "open_next_stage"
    COMPLETE = "complete"
    REJECT = "reject"
    RETURN_TO_DRAFTER = "return_to_drafter"


def next_step(outcome: Outcome, stage_no: int, stage_count: int) -> Next:
    """Stages run in order (numbered from 1): a later stage opens when this one is approved."""
    if outcome is Outcome.PENDING:
        return Next.WAIT
    if outcome is Outcome.REJECTED:
        return Next.REJECT
    if outcome is Outcome.CHANGES_REQUESTED:
        return Next.RETURN_TO_DRAFTER
    return Next.OPEN_NEXT_STAGE if stage_no < stage_count else Next.COMPLETE


def to_ask(stage: Stage[K], standing: Collection[K]) -> tuple[K, ...]:
    """Who of the stage must be asked on this version: everyone whose approval of the same
    version hash does not already stand (an edit that changed the hash invalidates it)."""
    return tuple(r for r in stage.reviewers if r not in standing)


def check_template(stages: Sequence[Stage[K]]) -> None:
    """A usable workflow: at least one stage, each with reviewers, each reviewer in one stage
    only, mandatory reviewers among the stage's own. ValueError names the stage."""
    if not stages:
        raise ValueError("a review workflow needs at least one stage")
    seen: set[K] = set()
    for i, stage in enumerate(stages, start=1):
        if not stage.reviewers:
            raise ValueError(f"stage {i} has no reviewer")
        for reviewer in stage.reviewers:
            if reviewer in seen:
                raise ValueError(f"stage {i}: '{reviewer}' is a reviewer of more than one stage")
            seen.add(reviewer)
        if not stage.mandatory <= set(stage.reviewers):
            extra = sorted(str(m) for m in stage.mandatory - set(stage.reviewers))
            raise ValueError(f"stage {i}: mandatory {', '.join(extra)} not among its reviewers")
        if len(stage.mandatory) > stage.approvals_needed:
            raise ValueError(
                f"stage {i}: {len(stage.mandatory)} mandatory reviewers but the rule "
                f"'{stage.rule_text}' needs only {stage.approvals_needed} approvals"
            )
