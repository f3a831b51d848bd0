"""An issued plan as an edXML package: reads the database and the seal, writes nothing."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session, col, select

from documents.doc_types import by_code
from documents.seal import sealing_certificate
from exchange import edxml, signature
from exchange.package import Attachment, Business, Organ, Package, Priority, Signer, Staff, Trace
from models.content import recipients_from_json, signature_lines
from models.db import Database
from models.directory import Organisation, Person, Unit
from models.errors import Invalid, NotFound, WrongState
from models.numbering import VN_TZ
from models.plans import Plan, PlanVersion, RenderedDocument
from models.records import Delivery
from models.settings import Settings
from models.states import State

# DocumentType/Type: the Government Office's sample writes 1 beside the type's name; the name is
# what a receiver shows (docs/edxml.md).
DOCUMENT_TYPE = 1
NEW_REASON = "Văn bản điện tử mới"


@dataclass(frozen=True)
class Exported:
    package: Package
    xml: bytes  # signed
    filename: str  # "KH-01-UBND.edxml"
    certificate_pem: bytes  # what a receiver verifies the signature with


def _initials(name: str) -> str:
    """'Nguyễn Thị Lan' → 'NTL': how a drafter is noted on an issued document."""
    return "".join(word[0] for word in name.split() if word).upper()


def _notation(symbol: str, number: int) -> str:
    """'Số 01-KH/ĐU' → 'KH/ĐU'; 'Số: 01/KH-UBND' → 'KH-UBND': what follows the number."""
    match = re.search(rf"0*{number}\s*[-/]\s*(.+)$", symbol)
    return match.group(1).strip() if match else symbol


def _page_count(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return int(PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"])
    except Exception:  # a PDF pyHanko cannot read still travels; its page count is unknown (0)
        return 0


def _receivers(session: Session, plan: Plan, only: Sequence[str]) -> tuple[tuple[Organ, ...], int]:
    """The units addressed (all the plan's recipient units, or `only` these) and the number of
    copies issued (every recipient but the archive), whichever units this package is for."""
    deliveries = session.exec(
        select(Delivery).where(Delivery.plan_id == plan.id).order_by(col(Delivery.id))
    ).all()
    codes = [d.unit_code for d in deliveries if d.status != "filed" and d.unit_code]
    for code in only:
        if code not in codes:
            raise Invalid("--to", code="exchange.unknown_unit", unit=code, plan_id=plan.id)
    wanted = [c for c in dict.fromkeys(codes) if not only or c in only]
    if not wanted:
        raise Invalid("plan", code="exchange.no_receivers", plan_id=plan.id)
    units = {
        u.code: u
        for u in session.exec(select(Unit).where(Unit.org_id == plan.org_id, col(Unit.code).in_(wanted)))
    }
    out = []
    for code in wanted:
        unit = units[code]
        if not unit.agency_id:
            raise Invalid("units", code="exchange.unit_no_agency_id", unit=code, name=unit.name)
        out.append(Organ(organ_id=unit.agency_id, name=unit.name, email=unit.email or ""))
    return tuple(out), sum(1 for d in deliveries if d.status != "filed")


def export_plan(
    db: Database,
    cfg: Settings,
    plan_id: int,
    *,
    now: datetime,
    due: date | None = None,
    priority: Priority = Priority.NORMAL,
    only: Sequence[str] = (),
    states: Collection[str] = (State.ISSUED,),
    acting: Callable[[Package], Package] | None = None,
) -> Exported:
    """The issued plan as a signed package to its recipient units (or `only` these unit codes).
    The exchange sender also builds one while the plan is being distributed (`states`), and a
    package that acts on it (`acting`: `exchange.business.recall` …), signed the same way."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        if plan.state not in states:
            raise WrongState("plan", code="exchange.not_issued", plan_id=plan_id, state=plan.state)
        if plan.secrecy:  # a secret plan leaves by no electronic channel
            raise WrongState("plan", code="exchange.secret", plan_id=plan_id, secrecy=plan.secrecy)
        org = session.get(Organisation, plan.org_id)
        version = session.get(PlanVersion, plan.current_version_id)
        drafter = session.get(Person, plan.drafter_id)
        assert org is not None and version is not None and drafter is not None
        assert plan.number is not None and plan.symbol and plan.signed_at is not None
        if not org.agency_id:
            raise Invalid("organisation.agency_id", code="exchange.org_no_agency_id", org=org.name)
        receivers, copies = _receivers(session, plan, only)
        pdf = session.exec(
            select(RenderedDocument).where(
                RenderedDocument.plan_id == plan.id,
                RenderedDocument.version_id == plan.current_version_id,
                RenderedDocument.format == "pdf",
            )
        ).first()
        if pdf is None:
            raise Invalid("plan", code="exchange.no_pdf", plan_id=plan_id)
        certificate = sealing_certificate(org, cfg)
        if certificate is None:
            raise Invalid("seal", code="exchange.no_seal")
        key = signature.load_key(*certificate)

        block = plan.signed_signature or version.signature or {}
        lines = signature_lines(
            str(block.get("form", "")), str(block.get("collective", "")), str(block.get("title", ""))
        )
        doc_type = by_code(plan.doc_type)
        type_name = (doc_type.name if doc_type and doc_type.name else "Công văn").capitalize()
        places = tuple(
            f"{r.text} ({r.annotation})" if r.annotation else r.text
            for r in recipients_from_json(version.recipients)
        )
        local_now = now.astimezone(VN_TZ).replace(tzinfo=None, microsecond=0)
        number = f"{plan.number:02d}"
        notation = _notation(plan.symbol, plan.number)
        promulgated = plan.signed_at.astimezone(VN_TZ).date()
        package = Package(
            sender=Organ(organ_id=org.agency_id, name=org.name, in_charge=org.superior),
            receivers=receivers,
            code_number=number,
            code_notation=notation,
            place=org.place,
            promulgation_date=promulgated,
            type_code=DOCUMENT_TYPE,
            type_name=type_name,
            subject=version.title,
            content=version.title,
            signer=Signer(
                competence=", ".join(lines[:-1]),
                position=lines[-1] if lines else "",
                full_name=str(block.get("signer_name", "")),
            ),
            due_date=due,
            to_places=places,
            priority=priority,
            sphere="",
            typer_notation=_initials(drafter.name),
            promulgation_amount=copies,
            page_amount=_page_count(pdf.content),
            steering_type=1,  # 1: not a steering document (docs/edxml.md)
            traces=(Trace(org.agency_id, local_now),),
            business=Business.NEW,
            business_reason=NEW_REASON,
            business_document_id="",  # set below: the package's own identity
            staff=Staff(staff=drafter.name, email=drafter.email),
            attachments=(
                Attachment(
                    content_id=f"cid:{hashlib.sha256(pdf.content).hexdigest()[:32]}",
                    name=pdf.filename,
                    content_type="application/pdf",
                    description=f"{type_name} {number}/{notation}",
                    content=pdf.content,
                ),
            ),
        )
    package = replace(package, business_document_id=package.document_id)
    if acting is not None:
        package = acting(package)
    xml = signature.sign(edxml.build(package), key)
    return Exported(package, xml, pdf.filename.removesuffix(".pdf") + ".edxml", key.certificate_pem)
