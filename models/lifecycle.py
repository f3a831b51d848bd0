"""The plan lifecycle: one explicit table, pure (no I/O imports; a test enforces it).

Every state change anywhere goes through `find_transition`. The README's state
table is generated from `TRANSITIONS` (`make readme`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.errors import NotAllowed, WrongState


class State(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SIGNED = "signed"
    DISTRIBUTING = "distributing"
    ISSUED = "issued"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    OPEN_STAGE = "open_stage"
    COMPLETE_REVIEW = "complete_review"
    FAIL_REVIEW = "fail_review"
    SIGN = "sign"
    DISTRIBUTE = "distribute"
    COMPLETE_DISTRIBUTION = "complete_distribution"
    WITHDRAW = "withdraw"


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    REVIEWER = "reviewer"
    SIGNER = "signer"
    SYSTEM = "system"


class Guard(StrEnum):
    """Conditions checked by the service layer before a transition is taken."""

    NONE = "none"
    READY_TO_SUBMIT = "title, signer, reviewers and resolved recipients present"
    TASK_OPEN_ON_CURRENT_VERSION = "the actor's review task is open and on the current version"
    NEXT_STAGE = "the current stage's rule is met and a later stage remains"
    STAGE_COMPLETE = "the last stage's rule is met"
    STAGE_FAILED = "a mandatory reviewer rejected, or too few reviewers remain to meet the stage's rule"
    VERSION_CURRENT = "the signer saw the current version"
    DOCUMENT_RENDERED = "the issued document is rendered"
    ALL_DELIVERIES_FINAL = "every recipient is in a final delivery state"


class Notice(StrEnum):
    """Notifications a transition queues in its own transaction."""

    REVIEW_REQUESTED = "review_requested"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    APPROVED = "approved"
    READY_TO_SIGN = "ready_to_sign"
    SIGNED = "signed"
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"
    DISTRIBUTED = "distributed"  # the issued plan itself, one per resolved recipient


@dataclass(frozen=True)
class Transition:
    source: State
    action: Action
    role: Role
    target: State
    guard: Guard = Guard.NONE
    notices: tuple[Notice, ...] = ()
    # True when the actor must be assigned to this plan: the plan's organisation for the
    # secretariat, an open review task for a reviewer, the chosen signer for the signer.
    needs_assignment: bool = True
    # True when the flow run waiting on this plan must be driven after the commit.
    drives_flow: bool = False
    # True when the plan's drafter may not take it (separation of duties, `policies.check_separation`).
    separate_from_drafter: bool = False


S, A, R, G, N = State, Action, Role, Guard, Notice

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, A.EDIT, R.SECRETARIAT, S.DRAFT),
    Transition(S.CHANGES_REQUESTED, A.EDIT, R.SECRETARIAT, S.DRAFT),
    Transition(
        S.DRAFT,
        A.SUBMIT,
        R.SECRETARIAT,
        S.IN_REVIEW,
        G.READY_TO_SUBMIT,
        (N.REVIEW_REQUESTED,),
        drives_flow=True,
    ),
    Transition(
        S.CHANGES_REQUESTED,
        A.SUBMIT,
        R.SECRETARIAT,
        S.IN_REVIEW,
        G.READY_TO_SUBMIT,
        (N.REVIEW_REQUESTED,),
        drives_flow=True,
    ),
    Transition(
        S.IN_REVIEW,
        A.APPROVE,
        R.REVIEWER,
        S.IN_REVIEW,
        G.TASK_OPEN_ON_CURRENT_VERSION,
        separate_from_drafter=True,
    ),
    Transition(
        S.IN_REVIEW,
        A.REQUEST_CHANGES,
        R.REVIEWER,
        S.CHANGES_REQUESTED,
        G.TASK_OPEN_ON_CURRENT_VERSION,
        (N.CHANGES_REQUESTED,),
        drives_flow=True,
    ),
    # A rejection is recorded; the stage's rule decides whether it ends the review (fail_review).
    Transition(S.IN_REVIEW, A.REJECT, R.REVIEWER, S.IN_REVIEW, G.TASK_OPEN_ON_CURRENT_VERSION),
    Transition(
        S.IN_REVIEW,
        A.OPEN_STAGE,
        R.SYSTEM,
        S.IN_REVIEW,
        G.NEXT_STAGE,
        (N.REVIEW_REQUESTED,),
        needs_assignment=False,
    ),
    Transition(
        S.IN_REVIEW,
        A.COMPLETE_REVIEW,
        R.SYSTEM,
        S.APPROVED,
        G.STAGE_COMPLETE,
        (N.APPROVED, N.READY_TO_SIGN),
        needs_assignment=False,
        drives_flow=True,
    ),
    Transition(
        S.IN_REVIEW,
        A.FAIL_REVIEW,
        R.SYSTEM,
        S.REJECTED,
        G.STAGE_FAILED,
        (N.REJECTED,),
        needs_assignment=False,
        drives_flow=True,
    ),
    Transition(
        S.APPROVED,
        A.SIGN,
        R.SIGNER,
        S.SIGNED,
        G.VERSION_CURRENT,
        (N.SIGNED,),
        drives_flow=True,
        separate_from_drafter=True,
    ),
    Transition(
        S.SIGNED,
        A.DISTRIBUTE,
        R.SYSTEM,
        S.DISTRIBUTING,
        G.DOCUMENT_RENDERED,
        (N.DISTRIBUTED,),
        needs_assignment=False,
    ),
    Transition(
        S.DISTRIBUTING,
        A.COMPLETE_DISTRIBUTION,
        R.SYSTEM,
        S.ISSUED,
        G.ALL_DELIVERIES_FINAL,
        (N.ISSUED,),
        drives_flow=True,  # the run waits while the dispatcher sends the copies the relay could not take
        needs_assignment=False,
    ),
    Transition(S.DRAFT, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, drives_flow=True),
    Transition(S.IN_REVIEW, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, notices=(N.WITHDRAWN,), drives_flow=True),
    Transition(S.CHANGES_REQUESTED, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, drives_flow=True),
    Transition(S.APPROVED, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, notices=(N.WITHDRAWN,), drives_flow=True),
)

FINAL_STATES: frozenset[State] = frozenset({State.ISSUED, State.REJECTED, State.WITHDRAWN})

_INDEX: dict[tuple[State, Action, Role], Transition] = {(t.source, t.action, t.role): t for t in TRANSITIONS}


def find_transition(state: State, action: Action, role: Role, assigned: bool) -> Transition:
    """The transition for (state, action, role), or `Refused` saying why not."""
    transition = _INDEX.get((state, action, role))
    if transition is None:
        allowed = sorted({t.role.value for t in TRANSITIONS if t.action is action and t.source is state})
        if allowed:
            raise NotAllowed(
                "role", code="plan.wrong_role", action=action, state=state, roles=allowed, role=role
            )
        sources = sorted({t.source.value for t in TRANSITIONS if t.action is action})
        raise WrongState("state", code="plan.wrong_state", action=action, state=state, states=sources)
    if transition.needs_assignment and not assigned:
        raise NotAllowed("actor", code="plan.not_assigned", role=role, action=action)
    return transition


def actions_for(state: State, role: Role) -> list[Action]:
    """Actions a person with `role` may take on a plan in `state` (for listings and help)."""
    return [t.action for t in TRANSITIONS if t.source is state and t.role is role]


def wait_key(state: State, review_round: int, version_seq: int) -> str | None:
    """The name of the human step a plan in `state` waits on; None when nothing is awaited.

    The issue-plan flow suspends under this key, so a new round or version is a new wait
    (a fixed key would make Prefect hand back the previous round's answer at once).
    A plan being distributed waits on its copies (``deliveries-v<n>``): the flow run suspends
    there when the relay cannot take them now, and is resumed once the plan is issued.
    """
    if state in (State.DRAFT, State.CHANGES_REQUESTED):
        return f"draft-r{review_round}-v{version_seq}"
    if state is State.IN_REVIEW:
        return f"review-r{review_round}"
    if state is State.APPROVED:
        return f"sign-v{version_seq}"
    if state is State.DISTRIBUTING:
        return f"deliveries-v{version_seq}"
    return None


def markdown_table() -> str:
    """The lifecycle table as Markdown, for the README."""
    rows = [
        "| from | action | by | guard | to | notifies |",
        "|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS:
        guard = "" if t.guard is Guard.NONE else t.guard.value
        if t.separate_from_drafter:
            guard += "; not by the plan's drafter (unless the organisation allows it)"
        notices = ", ".join(n.value for n in t.notices)
        rows.append(f"| {t.source} | {t.action} | {t.role} | {guard} | {t.target} | {notices} |")
    return "\n".join(rows)
