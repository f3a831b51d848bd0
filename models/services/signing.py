"""Signing (ký duyệt) and issuance (cấp số, phát hành): the official number is allocated in the
issuance transaction, gap-free, so a signature never issued leaves no gap."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from models.db import Database
from models.delegation import Kind, signed_for
from models.directory import Organisation, Person
from models.errors import NotFound, WrongState
from models.format_check import blocking, describe
from models.lifecycle import Action
from models.numbering import System, register_key, symbol
from models.plans import Plan, PlanVersion, RenderedDocument
from models.records import Register, RegisterEntry
from models.services import audit, signature_images
from models.services.certificates import check_registered
from models.services.checks import local_date, problems_of, ruleset_of
from models.services.core import Who, apply, check, guarded, lock_plan, resolve_actor
from models.services.delegations import acting
from models.services.locking import insert_ignore
from models.services.versions import content_of, current_version
from models.settings import Settings

if TYPE_CHECKING:
    from documents.signatures.interrupted import Prepared

SYSTEM_WHO = Who(None)  # the engine, issuing for an organisation that issues automatically


@dataclass(frozen=True)
class Signed:
    """The plan as the signature (and, where the organisation issues automatically, the issuance)
    left it: no number yet while it waits for the văn thư."""

    number: int | None
    symbol: str

    @property
    def issued(self) -> bool:
        return self.number is not None


def sign(
    db: Database,
    plan_id: int,
    actor: str,
    version_hash: str,
    *,
    on_behalf_of: str | None = None,
    certificate: bytes | None = None,
    signed_pdf: bytes | None = None,
) -> Signed:
    """Sign the approved version (ký duyệt). A delegate of the signer, in force today, signs in the
    form the rule set gives a delegate (T/L, TUQ.) with their own title and name.

    No number is allocated here: where the organisation issues automatically the engine takes the
    issuance step in the same transaction (so the signature and its number commit together);
    otherwise the plan waits for the văn thư (`issue`). `certificate` (DER): the one the personal
    digital signature was made with, which must be registered to the person signing; `signed_pdf`:
    the approved version's PDF carrying that signature, kept for the issuance to complete."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        principals = [] if plan.signer_id is None else [plan.signer_id]
        who = acting(
            session, resolve_actor(session, actor), Kind.SIGN, principals, local_date(now), on_behalf_of
        )
        transition = check(session, plan, who, Action.SIGN, seen=version_hash)
        version = current_version(session, plan)
        org = session.get(Organisation, plan.org_id)
        assert org is not None and who.person is not None
        if certificate is not None:  # the delegate's own certificate when a delegate signs
            check_registered(session, who.person, certificate)
        ruleset = ruleset_of(org, local_date(now))
        content = content_of(version)
        signed_as: dict[str, Any] | None = None
        if who.on_behalf_of is not None and content.signature is not None:
            block = signed_for(
                content.signature, ruleset, who.person.name, who.person.title, who.person.email
            )
            content, signed_as = replace(content, signature=block), asdict(block)
        if stopping := blocking(problems_of(content, org, ruleset)):
            raise WrongState(
                "format",
                code="sign.format_problems",
                count=len(stopping),
                ruleset=ruleset.name,
                plan_id=plan_id,
                problems=describe(stopping),
            )
        detail: dict[str, Any] = {"hash": version.content_hash}
        if signed_as is not None:
            detail["signed_as"] = signed_as
        rows: list[Any] = []
        if signed_pdf is not None:
            rows.append(_keep_signed_pdf(session, plan, signed_pdf, now))
            detail["signed_pdf_sha256"] = rows[-1].sha256
        # The reminder counters of the signature start again for the issuance (`reminders`).
        apply(
            session,
            plan,
            transition,
            who,
            now,
            detail,
            rows,
            signed_at=now,
            signed_signature=signed_as,
            sign_reminders_sent=0,
            sign_escalated=False,
        )
        blocked = guarded(session, plan, SYSTEM_WHO, Action.ISSUE)[1]
        if blocked is not None:
            return Signed(None, "")  # the văn thư issues it
        return _issue(session, plan, SYSTEM_WHO, now)


SIGNED_PDF = "pdf-signed"  # the approved version with the personal signature, before its issuance


def _keep_signed_pdf(session: Session, plan: Plan, content: bytes, now: datetime) -> RenderedDocument:
    row = RenderedDocument(
        plan_id=plan.id or 0,
        version_id=plan.current_version_id or 0,
        format=SIGNED_PDF,
        filename=f"ky-duyet-{plan.id}.pdf",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def prepare_personal(
    db: Database,
    cfg: Settings,
    plan_id: int,
    actor: str,
    version_hash: str,
    certificate: bytes,
    chain: list[bytes],
    *,
    on_behalf_of: str | None = None,
) -> Prepared:
    """The server's first half of interrupted signing: the approved version's PDF with empty number
    and date fields, and the digest the signer's key is to sign. Refused at once (nothing prepared)
    when the person may not sign it now or the certificate is not registered to them."""
    from asn1crypto import x509

    from documents.render import render_pdf
    from documents.signatures.interrupted import prepare_pdf
    from documents.signatures.trust import anchor_paths, load_anchors
    from documents.views import document_view
    from models.services.documents import plan_document

    now = db.clock()
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        principals = [] if plan.signer_id is None else [plan.signer_id]
        who = acting(
            session, resolve_actor(session, actor), Kind.SIGN, principals, local_date(now), on_behalf_of
        )
        check(session, plan, who, Action.SIGN, seen=version_hash)
        assert who.person is not None
        check_registered(session, who.person, certificate)
        full_hash = current_version(session, plan).content_hash
        # The signer's own image (a delegate's, when a delegate signs) and the seal's place.
        image = signature_images.signature_image_of(session, who.person.id or 0)
        seal = signature_images.seal_image_of(session, plan.org_id)
    doc = plan_document(db, plan_id)
    prepared = prepare_pdf(
        render_pdf(document_view(doc)),
        full_hash,
        x509.Certificate.load(certificate),
        [x509.Certificate.load(c) for c in chain],
        tsa_url=cfg.tsa_url,
        trust_anchors=load_anchors(anchor_paths(cfg.trust_anchors)),
        reason="Ký duyệt",
        location=doc.org.place,
        signature_image=image.png if image else None,
        seal_image=(seal.png, seal.width_mm) if seal else None,
    )
    return replace(prepared, plan_id=plan_id)


def finish_personal(
    db: Database,
    cfg: Settings,
    plan_id: int,
    actor: str,
    prepared: Prepared,
    signature: bytes,
    *,
    on_behalf_of: str | None = None,
) -> Signed:
    """The server's second half: embed the signature (CMS, DER) the signer's token made, check that it
    covers exactly the prepared approved version and was made with the certificate registered to the
    signer, then sign the plan with it. Any refusal changes nothing."""
    from documents.signatures.interrupted import embed_signature, signature_certificate
    from documents.signatures.trust import anchor_paths, load_anchors

    if prepared.plan_id != plan_id:
        raise WrongState("signature", code="signature.other_document", version=prepared.version_hash[:12])
    certificate = signature_certificate(signature)
    with db.read() as session:  # checked again when the signature is recorded
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        who = acting(
            session,
            resolve_actor(session, actor),
            Kind.SIGN,
            [] if plan.signer_id is None else [plan.signer_id],
            local_date(db.clock()),
            on_behalf_of,
        )
        assert who.person is not None
        check_registered(session, who.person, certificate)
    signed_pdf = embed_signature(prepared, signature, load_anchors(anchor_paths(cfg.trust_anchors)))
    return sign(
        db,
        plan_id,
        actor,
        prepared.version_hash,
        on_behalf_of=on_behalf_of,
        certificate=certificate,
        signed_pdf=signed_pdf,
    )


def issue(db: Database, plan_id: int, actor: str) -> Signed:
    """Cấp số, phát hành: the văn thư (or the engine, where the organisation issues automatically)
    allocates the number of a signed plan, gap-free, in this transaction; the flow then fills it into
    the document, applies the organisation's signature and distributes it."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        return _issue(session, plan, resolve_actor(session, actor), now)


def _issue(session: Session, plan: Plan, who: Who, now: datetime) -> Signed:
    transition = check(session, plan, who, Action.ISSUE)
    version = current_version(session, plan)
    org = session.get(Organisation, plan.org_id)
    assert org is not None
    entry = _allocate(session, org, plan, version, _signer_name(session, plan), now)
    number, printed = entry.number, entry.symbol
    detail = {"number": number, "symbol": printed, "hash": version.content_hash}
    apply(session, plan, transition, who, now, detail, rows=[entry], number=number, symbol=printed)
    audit.anchor(session, plan, now)  # last entry of this transaction: the head the PDF prints
    return Signed(number, printed)


def _signer_name(session: Session, plan: Plan) -> str:
    """Who signed, as the register records it: the delegate when one signed, else the signer."""
    if plan.signed_signature:
        return str(plan.signed_signature["signer_name"])
    signer = session.get(Person, plan.signer_id)
    assert signer is not None
    return signer.name


def _allocate(
    session: Session, org: Organisation, plan: Plan, version: PlanVersion, signer: str, now: datetime
) -> RegisterEntry:
    system = System(org.system)
    key = register_key(system, org.key, plan.doc_type, org.term, now)
    insert_ignore(
        session,
        Register,
        {"org_key": key.org, "doc_type": key.doc_type, "scope": key.scope, "last_number": 0},
    )
    register = session.exec(
        select(Register)
        .where(
            Register.org_key == key.org,
            Register.doc_type == key.doc_type,
            Register.scope == key.scope,
        )
        .with_for_update()
    ).one()
    register.last_number += 1
    printed = symbol(system, register.last_number, plan.doc_type, org.code)
    session.add(register)
    entry = RegisterEntry(
        register_id=register.id or 0,
        number=register.last_number,
        symbol=printed,
        plan_id=plan.id or 0,
        title=version.title,
        signer=signer,
        allocated_at=now,
    )
    session.add(entry)
    session.flush()
    return entry
