"""The lifecycle's guards: pure functions of a plan's view (no I/O; a test enforces it).

A guard returns None when its transition may be taken, or a `Blocked` saying why not: a stable
code with its parameters (for translations and error codes) and the field and English reason
the errors carry today. Its docstring's first line is the condition, as the README prints it.
The service layer builds the `PlanView` once per transition (`models.services.views`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from models.addressing import as_above
from models.content import RecipientLine, short_hash
from models.errors import BanHanhError, Invalid, NotAllowed, Refused, WrongState
from models.policies import Outcome
from models.review_policy import Next
from models.states import Role, State

# The shortest prefix of a version hash a person may give for the version they saw.
MIN_HASH_PREFIX = 8


@dataclass(frozen=True)
class PlanView:
    """What the guards may know of a plan and of the person acting on it."""

    state: State
    title: str
    version_hash: str
    version_seq: int
    review_round: int
    review_stage: int
    has_signer: bool  # a signer is chosen and the version carries their signature block
    reviewers: int
    recipients: tuple[RecipientLine, ...]
    # The current review stage (in review only; otherwise PENDING and WAIT).
    stage_outcome: Outcome
    stage_step: Next
    document_rendered: bool  # the current version's PDF is stored
    deliveries_final: bool  # every delivery row is in a final state (true when there is none)
    number: int | None
    # The actor: the roles they are assigned to this plan in, their open review task's version,
    # and the version they say they acted on (None: not given, as when offering actions).
    assigned_as: frozenset[Role] = frozenset()
    task_hash: str | None = None
    seen_hash: str | None = None
    # Recipient lines ("Như trên", "Như Điều 3") that stand for addressees of which none is in
    # the address book: their numbers in `recipients`, from 1.
    unreferred: frozenset[int] = frozenset()
    # The organisation issues with its server-held key right after signing (no văn thư step).
    automatic_issuance: bool = True
    # Recall and replacement: the actor's standing in the plan's organisation (its head, one of its
    # people), who asked for the open recall, and whether a plan replacing this one is issued.
    actor_id: int | None = None
    actor_in_org: bool = False
    actor_is_head: bool = False
    recall_requested_by: int | None = None
    replacement_issued: bool = False


@dataclass(frozen=True)
class Blocked:
    """Why a transition may not be taken now."""

    code: str  # stable, e.g. "submit.no_signer"
    field: str  # the input at fault, as the errors name it
    reason: str
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)
    error: type[BanHanhError] = Refused  # Invalid when the actor's input is at fault

    def exception(self) -> BanHanhError:
        """The error to raise: with its code when the catalogue has it (the message in Vietnamese
        too), else with the reason as written (a row added by a copy of the table)."""
        from models.error_messages import MESSAGES

        if self.code in MESSAGES:
            return self.error(self.field, code=self.code, **self.params)
        return self.error(self.field, self.reason)


Guard = Callable[[PlanView], Blocked | None]


def ready_to_submit(view: PlanView) -> Blocked | None:
    """title, signer, reviewers and resolved recipients present"""
    if not view.title.strip():
        return Blocked("plan.title_empty", "title", "the title is empty", error=Invalid)
    if not view.has_signer:
        return Blocked("submit.no_signer", "signer", "no signer is assigned", error=Invalid)
    if not view.reviewers:
        return Blocked("submit.no_reviewer", "reviewers", "no reviewer is assigned", error=Invalid)
    if all(r.archive for r in view.recipients):
        return Blocked(
            "submit.no_recipient", "recipients", "the Nơi nhận list has no recipient", error=Invalid
        )
    for i, line in enumerate(view.recipients, start=1):
        if i in view.unreferred:
            return Blocked(
                "submit.as_above_unreferred",
                f"recipients[{i}]",
                f"'{line.text}' stands for the addressees named in Kính gửi or in the article it cites, and"
                " none of them is in the address book; name them there or replace the line before submitting",
                {"text": line.text},
                error=Invalid,
            )
        if as_above(line.text) is not None:
            continue  # sent to the units it stands for
        if not line.archive and line.unit_code is None:
            return Blocked(
                "submit.recipient_unmapped",
                f"recipients[{i}]",
                f"'{line.text}' is not mapped to the address book",
                {"line": i, "text": line.text},
                error=Invalid,
            )
    return None


def task_open_on_current_version(view: PlanView) -> Blocked | None:
    """the actor's review task is open and on the current version"""
    if view.task_hash is None:
        return Blocked(
            "review.no_open_task", "actor", "you have no open review task on this plan", error=NotAllowed
        )
    if view.seen_hash is None:
        return None
    given = view.seen_hash.strip().lower()
    if len(given) < MIN_HASH_PREFIX:
        return Blocked(
            "review.hash_too_short",
            "version",
            f"give at least {MIN_HASH_PREFIX} characters of the version hash",
            {"min": MIN_HASH_PREFIX},
            error=Invalid,
        )
    if not view.task_hash.startswith(given):
        reason = "version {given} is outdated; the version under review is {current}"
        return _other_version("review.version_outdated", reason, given, view.task_hash, "current")
    return None


def _other_version(code: str, reason: str, given: str, version_hash: str, shown_as: str) -> Blocked:
    """The actor acted on version `given`, not on `version_hash` (the param `shown_as` names it)."""
    params = {"given": given, shown_as: short_hash(version_hash)}
    return Blocked(code, "version", reason.format(**params), params, error=WrongState)


def _stage_calls_for(view: PlanView, step: Next, action: str) -> Blocked | None:
    if view.stage_step is step:
        return None
    return Blocked(
        "review.stage_outcome",
        "review",
        f"review stage {view.review_stage} is {view.stage_outcome}; it does not call for {action}",
        {"stage": view.review_stage, "outcome": view.stage_outcome.value, "action": action},
        error=WrongState,
    )


def next_stage(view: PlanView) -> Blocked | None:
    """the current stage's rule is met and a later stage remains"""
    return _stage_calls_for(view, Next.OPEN_NEXT_STAGE, "open_stage")


def stage_complete(view: PlanView) -> Blocked | None:
    """the last stage's rule is met"""
    return _stage_calls_for(view, Next.COMPLETE, "complete_review")


def stage_failed(view: PlanView) -> Blocked | None:
    """a mandatory reviewer rejected, or too few reviewers remain to meet the stage's rule"""
    return _stage_calls_for(view, Next.REJECT, "fail_review")


def version_current(view: PlanView) -> Blocked | None:
    """the signer saw the current version"""
    if view.seen_hash is None:
        return None
    given = view.seen_hash.strip().lower()
    if len(given) < MIN_HASH_PREFIX or not view.version_hash.startswith(given):
        reason = "version '{given}' is not the approved version {approved}"
        return _other_version("sign.version_not_approved", reason, given, view.version_hash, "approved")
    return None


def issues_automatically(view: PlanView) -> Blocked | None:
    """the organisation issues automatically (its server-held key)"""
    if view.automatic_issuance:
        return None
    reason = "this organisation's văn thư issues its documents in person"
    return Blocked("issue.by_clerk", "actor", reason, error=NotAllowed)


def document_rendered(view: PlanView) -> Blocked | None:
    """the issued document is rendered"""
    if view.document_rendered:
        return None
    return Blocked(
        "distribute.not_rendered", "document", "the issued document is not rendered yet", error=WrongState
    )


def all_deliveries_final(view: PlanView) -> Blocked | None:
    """every recipient is in a final delivery state"""
    if view.deliveries_final:
        return None
    return Blocked(
        "deliveries.still_queued", "deliveries", "some recipients are still queued", error=WrongState
    )


def may_request_recall(view: PlanView) -> Blocked | None:
    """the actor signed the plan or heads its organisation"""
    if Role.SIGNER in view.assigned_as or (view.actor_in_org and view.actor_is_head):
        return None
    reason = "only the plan's signer or the head of its organisation may recall it"
    return Blocked("recall.not_signer", "as", reason, error=NotAllowed)


def second_person_confirms(view: PlanView) -> Blocked | None:
    """a signer of the organisation or its head, not the one who asked for the recall"""
    if not view.actor_in_org:
        reason = "only a signer or the head of the plan's organisation may confirm its recall"
        return Blocked("recall.other_org", "as", reason, error=NotAllowed)
    if view.actor_id is not None and view.actor_id == view.recall_requested_by:
        reason = "the recall must be confirmed by a second person, not by the one who asked for it"
        return Blocked("recall.same_person", "as", reason, error=NotAllowed)
    return None


def in_organisation(view: PlanView) -> Blocked | None:
    """a signer of the plan's organisation"""
    if view.actor_in_org:
        return None
    reason = "only a signer or the head of the plan's organisation may do this"
    return Blocked("recall.other_org", "as", reason, error=NotAllowed)


def replacement_issued(view: PlanView) -> Blocked | None:
    """a plan that replaces it is issued"""
    if view.replacement_issued:
        return None
    reason = "no plan replacing this one is issued"
    return Blocked("supersede.not_replaced", "plan", reason, error=WrongState)


def condition(guard: Guard | None) -> str:
    """The guard's condition as the README prints it: its docstring's first line."""
    if guard is None:
        return ""
    return (guard.__doc__ or guard.__name__).strip().splitlines()[0]
