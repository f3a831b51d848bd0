"""Signature images of people and seal images of organisations: checked on upload (PNG, transparency,
size), bound in the audit chain, and read by the signing steps that show them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from documents.signatures.images import ImageKind, read_png
from models.db import Database
from models.directory import Organisation, Person, SignatureImage
from models.errors import Invalid, NotFound
from models.services import audit


@dataclass(frozen=True)
class Image:
    png: bytes
    width_mm: float | None


def _person(session: Session, email: str) -> Person:
    person = session.exec(select(Person).where(func.lower(Person.email) == email.strip().lower())).first()
    if person is None:
        raise NotFound("email", code="person.not_found", email=email)
    return person


def _org(session: Session, key: str | None) -> Organisation:
    """The organisation `key`; without a key, the only one there is."""
    orgs = session.exec(select(Organisation).order_by(col(Organisation.id))).all()
    found = [o for o in orgs if key is None or o.key == key]
    if key is not None and not found:
        raise NotFound("org", code="org.not_found", key=key)
    if len(found) != 1:
        raise Invalid("org", code="image.which_org", keys=", ".join(o.key for o in orgs))
    return found[0]


def _store(
    session: Session,
    org: Organisation,
    person: Person | None,
    kind: ImageKind,
    data: bytes,
    width_mm: float | None,
) -> SignatureImage:
    facts = read_png(data, kind, width_mm)
    values: dict[str, Any] = {
        "png": data,
        "sha256": hashlib.sha256(data).hexdigest(),
        "width": facts.width,
        "height": facts.height,
        "width_mm": facts.width_mm,
    }
    row = session.exec(
        select(SignatureImage).where(
            SignatureImage.org_id == org.id,
            SignatureImage.person_id == (person.id if person else None),
            SignatureImage.kind == kind.value,
        )
    ).first()
    if row is None:
        row = SignatureImage(
            org_id=org.id or 0, person_id=person.id if person else None, kind=kind.value, **values
        )
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def set_signature_image(db: Database, email: str, data: bytes) -> SignatureImage:
    """The person's signature image, replacing the one they had; a bad image changes nothing."""
    now = db.clock()
    with db.write() as session:
        person = _person(session, email)
        org = session.get(Organisation, person.org_id)
        assert org is not None
        row = _store(session, org, person, ImageKind.signature, data, None)
        audit.append(
            session,
            org_id=org.id or 0,
            plan_id=None,
            actor="config",
            action="set_signature_image",
            now=now,
            detail={"email": person.email, "sha256": row.sha256},
            rows=[row],
        )
        return row


def set_seal_image(
    db: Database, data: bytes, org_key: str | None = None, width_mm: float | None = None
) -> SignatureImage:
    """The organisation's seal image, printed `width_mm` across (else as its PNG says)."""
    now = db.clock()
    with db.write() as session:
        org = _org(session, org_key)
        row = _store(session, org, None, ImageKind.seal, data, width_mm)
        audit.append(
            session,
            org_id=org.id or 0,
            plan_id=None,
            actor="config",
            action="set_seal_image",
            now=now,
            detail={"org": org.key, "sha256": row.sha256, "width_mm": row.width_mm},
            rows=[row],
        )
        return row


def _image(row: SignatureImage | None) -> Image | None:
    if row is None:
        return None
    if hashlib.sha256(row.png).hexdigest() != row.sha256:  # changed outside the engine: not shown
        raise Invalid(row.kind, code="image.changed", sha256=row.sha256[:12])
    return Image(row.png, row.width_mm)


def signature_image_of(session: Session, person_id: int) -> Image | None:
    return _image(
        session.exec(
            select(SignatureImage).where(
                SignatureImage.person_id == person_id, SignatureImage.kind == ImageKind.signature.value
            )
        ).first()
    )


def seal_image_of(session: Session, org_id: int) -> Image | None:
    return _image(
        session.exec(
            select(SignatureImage).where(
                SignatureImage.org_id == org_id,
                col(SignatureImage.person_id).is_(None),
                SignatureImage.kind == ImageKind.seal.value,
            )
        ).first()
    )


def listed(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.exec(
            select(SignatureImage, Organisation, Person)
            .join(Organisation, col(Organisation.id) == SignatureImage.org_id)
            .join(Person, col(Person.id) == SignatureImage.person_id, isouter=True)
            .order_by(col(SignatureImage.id))
        ).all()
        return [
            {
                "kind": row.kind,
                "org": org.key,
                "email": person.email if person else "",
                "size": f"{row.width}×{row.height} px" + (f", {row.width_mm} mm" if row.width_mm else ""),
                "sha256": row.sha256,
            }
            for row, org, person in rows
        ]
