"""The plan lifecycle: one explicit table, pure (no I/O imports; a test enforces it).

Every state change anywhere goes through the installed `Lifecycle` (`current()`), which the
service layer reads: a row names its guard function (`models.guards`) and the events it emits,
so adding a step is one row and, when it has a condition, one guard. The README's state table
is generated from `TRANSITIONS` (`make readme`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from models import guards
from models.errors import NotAllowed, WrongState
from models.events import Event
from models.guards import Guard, PlanView

# The words of the table, re-exported: the rest of the code imports them from here.
from models.states import Action as Action
from models.states import Role as Role
from models.states import State as State

Notice = Event  # the name the table has always used for a transition's emails


@dataclass(frozen=True)
class Transition:
    source: State
    action: Action
    role: Role
    target: State
    guard: Guard | None = None
    notices: tuple[Event, ...] = ()
    # True when the actor must be assigned to this plan: the plan's organisation for the
    # secretariat, an open review task for a reviewer, the chosen signer for the signer.
    needs_assignment: bool = True
    # True when the flow run waiting on this plan must be driven after the commit.
    drives_flow: bool = False
    # True when the plan's drafter may not take it (separation of duties, `policies.check_separation`).
    separate_from_drafter: bool = False


@dataclass(frozen=True)
class Wait:
    """Whose step a plan in a state waits on, and the key the flow run suspends under."""

    role: Role
    key: str  # formatted with {round} and {version}


S, A, R, G, N = State, Action, Role, guards, Event

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, A.EDIT, R.SECRETARIAT, S.DRAFT),
    Transition(S.CHANGES_REQUESTED, A.EDIT, R.SECRETARIAT, S.DRAFT),
    Transition(
        S.DRAFT,
        A.SUBMIT,
        R.SECRETARIAT,
        S.IN_REVIEW,
        G.ready_to_submit,
        (N.REVIEW_REQUESTED,),
        drives_flow=True,
    ),
    Transition(
        S.CHANGES_REQUESTED,
        A.SUBMIT,
        R.SECRETARIAT,
        S.IN_REVIEW,
        G.ready_to_submit,
        (N.REVIEW_REQUESTED,),
        drives_flow=True,
    ),
    Transition(
        S.IN_REVIEW,
        A.APPROVE,
        R.REVIEWER,
        S.IN_REVIEW,
        G.task_open_on_current_version,
        separate_from_drafter=True,
    ),
    Transition(
        S.IN_REVIEW,
        A.REQUEST_CHANGES,
        R.REVIEWER,
        S.CHANGES_REQUESTED,
        G.task_open_on_current_version,
        (N.CHANGES_REQUESTED,),
        drives_flow=True,
    ),
    # A rejection is recorded; the stage's rule decides whether it ends the review (fail_review).
    Transition(S.IN_REVIEW, A.REJECT, R.REVIEWER, S.IN_REVIEW, G.task_open_on_current_version),
    Transition(
        S.IN_REVIEW,
        A.OPEN_STAGE,
        R.SYSTEM,
        S.IN_REVIEW,
        G.next_stage,
        (N.REVIEW_REQUESTED,),
        needs_assignment=False,
    ),
    Transition(
        S.IN_REVIEW,
        A.COMPLETE_REVIEW,
        R.SYSTEM,
        S.APPROVED,
        G.stage_complete,
        (N.APPROVED, N.READY_TO_SIGN),
        needs_assignment=False,
        drives_flow=True,
    ),
    Transition(
        S.IN_REVIEW,
        A.FAIL_REVIEW,
        R.SYSTEM,
        S.REJECTED,
        G.stage_failed,
        (N.REJECTED,),
        needs_assignment=False,
        drives_flow=True,
    ),
    # Ký duyệt: no number yet, so a signature never issued (withdrawn, abandoned) leaves no gap.
    Transition(
        S.APPROVED,
        A.SIGN,
        R.SIGNER,
        S.AWAITING_ISSUANCE,
        G.version_current,
        (N.READY_TO_ISSUE,),
        drives_flow=True,
        separate_from_drafter=True,
    ),
    # Cấp số, phát hành: the number is allocated in this transaction, by the văn thư in person or,
    # where the organisation issues automatically, by the engine right after the signature.
    Transition(S.AWAITING_ISSUANCE, A.ISSUE, R.CLERK, S.SIGNED, notices=(N.SIGNED,), drives_flow=True),
    Transition(
        S.AWAITING_ISSUANCE,
        A.ISSUE,
        R.SYSTEM,
        S.SIGNED,
        G.issues_automatically,
        (N.SIGNED,),
        needs_assignment=False,
        drives_flow=True,
    ),
    Transition(
        S.SIGNED,
        A.DISTRIBUTE,
        R.SYSTEM,
        S.DISTRIBUTING,
        G.document_rendered,
        (N.DISTRIBUTED,),
        needs_assignment=False,
    ),
    Transition(
        S.DISTRIBUTING,
        A.COMPLETE_DISTRIBUTION,
        R.SYSTEM,
        S.ISSUED,
        G.all_deliveries_final,
        (N.ISSUED,),
        drives_flow=True,  # the run waits while the dispatcher sends the copies the relay could not take
        needs_assignment=False,
    ),
    Transition(S.DRAFT, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, drives_flow=True),
    Transition(S.IN_REVIEW, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, notices=(N.WITHDRAWN,), drives_flow=True),
    Transition(S.CHANGES_REQUESTED, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, drives_flow=True),
    Transition(S.APPROVED, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, notices=(N.WITHDRAWN,), drives_flow=True),
    Transition(
        S.AWAITING_ISSUANCE, A.WITHDRAW, R.SECRETARIAT, S.WITHDRAWN, notices=(N.WITHDRAWN,), drives_flow=True
    ),
    # Thu hồi (NĐ 30 Art. 18): asked by the signer or the head with a reason, confirmed by a second
    # person with signing authority; only then are the recipients told to destroy their copies.
    Transition(
        S.ISSUED,
        A.REQUEST_RECALL,
        R.SIGNER,
        S.RECALL_REQUESTED,
        G.may_request_recall,
        (N.RECALL_REQUESTED,),
        needs_assignment=False,
    ),
    Transition(
        S.RECALL_REQUESTED,
        A.CONFIRM_RECALL,
        R.SIGNER,
        S.RECALLED,
        G.second_person_confirms,
        (N.RECALLED, N.RECALL_NOTICE),
        needs_assignment=False,
    ),
    Transition(
        S.RECALL_REQUESTED, A.CANCEL_RECALL, R.SIGNER, S.ISSUED, G.in_organisation, needs_assignment=False
    ),
    # A replacement (LinkKind.REPLACES) is issued: in its own issuance transaction, the old plan's
    # recipients are told (models/services/replacement.py).
    Transition(
        S.ISSUED,
        A.SUPERSEDE,
        R.SYSTEM,
        S.SUPERSEDED,
        G.replacement_issued,
        (N.SUPERSEDED,),
        needs_assignment=False,
    ),
)

# The step a plan in each state waits on; a state not here awaits nothing (final, or the engine's
# own next step). The keys hold the round or version, so a new round or version is a new wait
# (a fixed key would make Prefect hand back the previous round's answer at once). A plan being
# distributed waits on its copies: the flow run suspends there when the relay cannot take them.
WAITS_ON: Mapping[State, Wait] = {
    S.DRAFT: Wait(R.SECRETARIAT, "draft-r{round}-v{version}"),
    S.CHANGES_REQUESTED: Wait(R.SECRETARIAT, "draft-r{round}-v{version}"),
    S.IN_REVIEW: Wait(R.REVIEWER, "review-r{round}"),
    S.APPROVED: Wait(R.SIGNER, "sign-v{version}"),
    S.AWAITING_ISSUANCE: Wait(R.CLERK, "issue-v{version}"),
    S.DISTRIBUTING: Wait(R.SYSTEM, "deliveries-v{version}"),
}

# The states in which a plan's flow run has nothing left to do. A recall or a replacement comes
# after issuance, by a person or by another plan's issuance, never by this plan's flow run.
FINAL_STATES: frozenset[State] = frozenset(
    {
        State.ISSUED,
        State.REJECTED,
        State.WITHDRAWN,
        State.RECALL_REQUESTED,
        State.RECALLED,
        State.SUPERSEDED,
    }
)


@dataclass(frozen=True)
class Lifecycle:
    """A transition table with its waits; the services read the installed one (`current()`)."""

    transitions: tuple[Transition, ...]
    waits_on: Mapping[State, Wait]
    _index: dict[tuple[State, Action, Role], Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {(t.source, t.action, t.role): t for t in self.transitions}
        object.__setattr__(self, "_index", index)

    def state_of(self, value: str) -> State:
        """The table's state named `value` (a table may add states of its own)."""
        for t in self.transitions:
            for state in (t.source, t.target):
                if state == value:
                    return state
        return State(value)

    def roles_for(self, state: State, action: Action) -> list[Role]:
        return [t.role for t in self.transitions if t.source is state and t.action is action]

    def find(self, state: State, action: Action, role: Role, assigned: bool) -> Transition:
        """The transition for (state, action, role), or `Refused` saying why not."""
        transition = self._index.get((state, action, role))
        if transition is None:
            allowed = sorted(
                {t.role.value for t in self.transitions if t.action is action and t.source is state}
            )
            if allowed:
                raise NotAllowed(
                    "role", code="plan.wrong_role", action=action, state=state, roles=allowed, role=role
                )
            sources = sorted({t.source.value for t in self.transitions if t.action is action})
            raise WrongState("state", code="plan.wrong_state", action=action, state=state, states=sources)
        if transition.needs_assignment and not assigned:
            raise NotAllowed("actor", code="plan.not_assigned", role=role, action=action)
        return transition

    def actions_for(self, state: State, role: Role) -> list[Action]:
        """Actions a person with `role` may take on a plan in `state` (for listings and help)."""
        return [t.action for t in self.transitions if t.source is state and t.role is role]

    def available_actions(self, view: PlanView, roles: Collection[Role]) -> list[Action]:
        """What a person holding `roles` may do now: the table's rows from the plan's state in
        one of their roles (the engine's own excepted), assigned where the row asks it, whose
        guard is met."""
        found: list[Action] = []
        for t in self.transitions:
            if t.source is not view.state or t.role is Role.SYSTEM or t.role not in roles:
                continue
            if t.needs_assignment and t.role not in view.assigned_as:
                continue
            if (t.guard is None or t.guard(view) is None) and t.action not in found:
                found.append(t.action)
        return found

    def wait_key(self, state: State, review_round: int, version_seq: int) -> str | None:
        """The name of the step a plan in `state` waits on; None when nothing is awaited."""
        wait = self.waits_on.get(state)
        return None if wait is None else wait.key.format(round=review_round, version=version_seq)

    def waiting_on(self, role: Role) -> list[State]:
        """The states in which a plan waits on a step of `role` (the inbox, the reminders)."""
        return [state for state, wait in self.waits_on.items() if wait.role is role]


LIFECYCLE = Lifecycle(TRANSITIONS, WAITS_ON)

_installed: ContextVar[Lifecycle] = ContextVar("lifecycle", default=LIFECYCLE)


def current() -> Lifecycle:
    """The lifecycle the services read: `LIFECYCLE` unless another is installed."""
    return _installed.get()


@contextmanager
def installed(lifecycle: Lifecycle) -> Iterator[Lifecycle]:
    """Run the services on another table (a test's copy with a step added) within the block."""
    token = _installed.set(lifecycle)
    try:
        yield lifecycle
    finally:
        _installed.reset(token)


def find_transition(state: State, action: Action, role: Role, assigned: bool) -> Transition:
    """The installed table's transition for (state, action, role), or `Refused` saying why not."""
    return current().find(state, action, role, assigned)


def actions_for(state: State, role: Role) -> list[Action]:
    return current().actions_for(state, role)


def available_actions(view: PlanView, roles: Collection[Role]) -> list[Action]:
    return current().available_actions(view, roles)


def waiting_on(role: Role) -> list[State]:
    return current().waiting_on(role)


def wait_key(state: State, review_round: int, version_seq: int) -> str | None:
    """The key the issue-plan flow suspends under for a plan in `state` (`WAITS_ON`)."""
    return current().wait_key(state, review_round, version_seq)


def markdown_table() -> str:
    """The lifecycle table as Markdown, for the README."""
    rows = [
        "| from | action | by | guard | to | notifies |",
        "|---|---|---|---|---|---|",
    ]
    for t in current().transitions:
        guard = guards.condition(t.guard)
        if t.separate_from_drafter:
            guard += "; not by the plan's drafter (unless the organisation allows it)"
        notices = ", ".join(n.value for n in t.notices)
        rows.append(f"| {t.source} | {t.action} | {t.role} | {guard} | {t.target} | {notices} |")
    return "\n".join(rows)
