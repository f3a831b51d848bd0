"""The edXML channel of the outbox: packages to the units whose channel is edxml, and the statuses
they answer with, recorded on their copies. Run by the dispatcher when an exchange endpoint is set.

The same guarantees as an email: each package is an outbox item claimed atomically, sent with the
message id fixed when it was queued (the endpoint keeps one package per id, so a crash between
sending and recording repeats the id, never the document), retried with back-off while the
endpoint is away (released, no attempt counted) and failed only when the endpoint refuses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from exchange import business, client, status
from exchange.export import Exported, export_plan
from exchange.package import Package, document_id
from exchange.status import StatusCode, StatusMessage
from models.db import Database
from models.directory import Organisation, Unit
from models.errors import BanHanhError
from models.numbering import VN_TZ
from models.plans import Plan, PlanLink
from models.records import Delivery
from models.related import LinkKind
from models.services import audit, outbox
from models.settings import Settings
from models.states import State

log = logging.getLogger("banhanh.exchange")

BATCH = 20
RECALL_EVENT = "recall"  # an outbox item of kind edxml that carries a recall, not the plan
# A receiver's answer to a recall, as the copy records it (Delivery.recall_status).
RECALL_ANSWERS = {StatusCode.RECALL_AGREED: "destroyed", StatusCode.RECALL_REFUSED: "refused"}
ANSWERS = {
    StatusCode.ARRIVED: "đã đến",
    StatusCode.REFUSED: "từ chối tiếp nhận",
    StatusCode.RECEIVED: "đã tiếp nhận",
    StatusCode.ASSIGNED: "đã phân công xử lý",
    StatusCode.IN_PROGRESS: "đang xử lý",
    StatusCode.DONE: "đã xử lý xong",
    StatusCode.RECALL_REQUESTED: "đề nghị thu hồi",
    StatusCode.RECALL_AGREED: "đồng ý thu hồi",
    StatusCode.RECALL_REFUSED: "từ chối thu hồi",
}


@dataclass(frozen=True)
class Sent:
    claimed: int
    plans: list[int]  # the plans some of whose copies became final
    unavailable: bool  # the endpoint was away: wait before claiming again


def send_due(db: Database, cfg: Settings, url: str, limit: int = BATCH) -> Sent:
    """Send the due packages."""
    items = outbox.claim_due(db, "edxml", limit)
    finished: set[int] = set()
    unavailable = False
    for n, item in enumerate(items):
        unit = str(item.context.get("unit_code", ""))
        try:
            exported = _package(db, cfg, item.plan_id or 0, unit, item.event, item.context)
        except BanHanhError as error:  # the plan or the address book no longer allows it
            outbox.mark_failed(db, item.id, f"{error.code}: {error.reason}")
            finished.add(item.plan_id or 0)
            continue
        try:
            reply = client.send_package(url, exported.xml, item.message_id)
        except client.ExchangeUnavailable as error:  # the endpoint is away: every claim back, no attempt
            outbox.release(db, [i.id for i in items[n:]], f"exchange unavailable: {error}")
            log.info("exchange endpoint unavailable (%s); %d packages wait", error, len(items) - n)
            unavailable = True
            break
        except client.PackageRefused as error:
            outbox.mark_failed(db, item.id, f"refused by the exchange: {error}")
        else:
            outbox.mark_sent(db, item.id, reply)
        finished.add(item.plan_id or 0)
    return Sent(len(items), sorted(finished), unavailable)


def _package(
    db: Database, cfg: Settings, plan_id: int, unit: str, event: str, context: dict[str, object]
) -> Exported:
    """The package an outbox item stands for: the plan itself, or its recall (BussinessDocType 1)."""
    now = db.clock()
    if event == RECALL_EVENT:
        at = now.astimezone(VN_TZ).replace(tzinfo=None, microsecond=0)
        reason = str(context.get("reason", ""))
        return export_plan(
            db,
            cfg,
            plan_id,
            now=now,
            only=[unit],
            states=(State.RECALLED,),
            acting=lambda sent: business.recall(sent, reason, at, sent.staff),
        )
    replaced = _replaced(db, cfg, plan_id, now)
    return export_plan(
        db, cfg, plan_id, now=now, only=[unit], states=(State.DISTRIBUTING, State.ISSUED), acting=replaced
    )


def _replaced(
    db: Database, cfg: Settings, plan_id: int, now: datetime
) -> Callable[[Package], Package] | None:
    """For a plan that replaces another: its package as the replacement (BussinessDocType 3) naming
    the replaced document and the bodies it went to, so receivers' systems act on it."""
    with db.read() as session:
        link = session.exec(
            select(PlanLink).where(PlanLink.plan_id == plan_id, PlanLink.kind == LinkKind.REPLACES.value)
        ).first()
    if link is None:
        return None
    old_id = link.target_id
    try:
        old = export_plan(db, cfg, old_id, now=now, states=(State.ISSUED, State.SUPERSEDED, State.RECALLED))
    except BanHanhError as error:  # the old plan went to no unit with an identifier: a new document
        log.info("plan %s replaces plan %s, which has no exchange package (%s)", plan_id, old_id, error.code)
        return None
    return lambda new: business.replacement(new, old.package, link.note)


def poll_statuses(db: Database, url: str, cursors: dict[str, int]) -> int:
    """Read the statuses answering each organisation's packages; `cursors` (agency id → the last
    one read) advances. A status read twice is recorded once."""
    with db.read() as session:
        ours = [o.agency_id for o in session.exec(select(Organisation).where(Organisation.agency_id != ""))]
    recorded = 0
    for agency_id in ours:
        for seq, data in client.statuses(url, agency_id, cursors.get(agency_id, 0)):
            try:
                recorded += record_status(db, status.parse(data))
            except BanHanhError as error:  # one malformed answer does not stop the others
                log.warning("exchange status %s for %s unreadable: %s", seq, agency_id, error.reason)
            cursors[agency_id] = seq
    return recorded


def record_status(db: Database, answer: StatusMessage) -> int:
    """The answer on the copy it is about: 03 counts as received, 02 as refused with its reason.
    Returns 1 when recorded, 0 when it names no copy of ours or repeats the last answer."""
    number, _, notation = answer.response_for_code.partition("/")
    now = db.clock()
    with db.write() as session:
        org = session.exec(
            select(Organisation).where(Organisation.agency_id == answer.response_for_organ_id)
        ).first()
        if org is None or not number.isdigit() or not notation:
            return 0
        plan = next(
            (
                p
                for p in session.exec(select(Plan).where(Plan.org_id == org.id, Plan.number == int(number)))
                if p.signed_at is not None
                and p.symbol
                and document_id(
                    org.agency_id,
                    p.signed_at.astimezone(VN_TZ).date(),
                    f"{p.number:02d}",
                    notation,
                )
                == answer.response_for_document_id
            ),
            None,
        )
        unit = session.exec(
            select(Unit).where(Unit.org_id == org.id, Unit.agency_id == answer.sender.organ_id)
        ).first()
        if plan is None or unit is None:
            return 0
        delivery = session.exec(
            select(Delivery)
            .where(Delivery.plan_id == plan.id, Delivery.unit_code == unit.code, Delivery.channel == "edxml")
            .order_by(col(Delivery.id).desc())
        ).first()
        if delivery is None or (delivery.answer_code, delivery.answer) == (
            answer.code.value,
            answer.description,
        ):
            return 0
        delivery.answer_code, delivery.answer = answer.code.value, answer.description
        at = answer.timestamp.replace(tzinfo=VN_TZ)
        if answer.code is StatusCode.RECEIVED and delivery.acknowledged_at is None:
            delivery.acknowledged_at = at
        if answer.code in RECALL_ANSWERS and delivery.recall_status:  # only a copy we asked back
            delivery.recall_status = RECALL_ANSWERS[answer.code]
            delivery.recall_at, delivery.recall_note = at, answer.description
        delivery.updated_at = now
        session.add(delivery)
        audit.append(
            session,
            org_id=org.id or 0,
            plan_id=plan.id,
            actor=f"edxml:{answer.sender.organ_id}",
            action="exchange_status",
            now=now,
            detail={
                "unit": unit.code,
                "code": answer.code.value,
                "answer": ANSWERS[answer.code],
                "description": answer.description,
                "staff": answer.staff.staff,
                "at": at.isoformat(timespec="seconds"),
            },
        )
        return 1
