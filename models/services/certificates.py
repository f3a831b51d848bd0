"""Signing certificates registered to people: a personal signature counts only when it was made with
a certificate registered to the person who signs (subject, serial, SHA-256 fingerprint)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.db import Database
from models.directory import Person, SigningCertificate
from models.errors import Invalid, NotAllowed, NotFound
from models.services import audit

FIELD = "certificate"


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    pem: str


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def read_certificate(data: bytes, source: str = FIELD) -> CertificateFacts:
    """One certificate, PEM or DER; anything else is `Invalid` naming the file."""
    from asn1crypto import pem, x509

    try:
        der = pem.unarmor(data)[2] if pem.detect(data) else data
        cert = x509.Certificate.load(der)
        cert.native  # noqa: B018  (parses it all: a damaged certificate fails here)
    except (ValueError, TypeError, KeyError) as error:
        raise Invalid(FIELD, code="cert.unreadable", source=source, detail=error) from error
    return CertificateFacts(
        subject=cert.subject.human_friendly,
        serial=format(cert.serial_number, "x"),
        fingerprint=fingerprint(cert.dump()),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        pem=pem.armor("CERTIFICATE", cert.dump()).decode("ascii"),
    )


def _person(session: Session, email: str) -> Person:
    person = session.exec(select(Person).where(func.lower(Person.email) == email.strip().lower())).first()
    if person is None:
        raise NotFound("email", code="person.not_found", email=email)
    return person


def register(db: Database, email: str, data: bytes, source: str = FIELD) -> SigningCertificate:
    """Register the certificate to the person (again: nothing changes); one registered to someone
    else is refused."""
    facts = read_certificate(data, source)
    now = db.clock()
    with db.write() as session:
        person = _person(session, email)
        held = session.exec(
            select(SigningCertificate).where(SigningCertificate.fingerprint == facts.fingerprint)
        ).first()
        if held is not None:
            if held.person_id != person.id:
                owner = session.get(Person, held.person_id)
                raise Invalid(
                    FIELD,
                    code="cert.registered_to_other",
                    subject=facts.subject,
                    owner=owner.email if owner else held.person_id,
                )
            return held
        row = SigningCertificate(person_id=person.id or 0, registered_at=now, **vars(facts))
        session.add(row)
        session.flush()
        audit.append(
            session,
            org_id=person.org_id,
            plan_id=None,
            actor="config",
            action="register_certificate",
            now=now,
            detail={"email": person.email, "subject": facts.subject, "serial": facts.serial},
            rows=[row],
        )
        return row


def registered(db: Database, email: str | None = None) -> list[dict[str, Any]]:
    """The registered certificates, of one person or of everyone."""
    with db.read() as session:
        query = select(SigningCertificate, Person).join(
            Person, col(Person.id) == SigningCertificate.person_id
        )
        if email is not None:
            query = query.where(col(Person.id) == _person(session, email).id)
        return [
            {
                "email": person.email,
                "subject": cert.subject,
                "serial": cert.serial,
                "fingerprint": cert.fingerprint,
                "not_after": cert.not_after.isoformat(),
            }
            for cert, person in session.exec(query.order_by(col(SigningCertificate.id))).all()
        ]


def check_registered(session: Session, person: Person, der: bytes) -> SigningCertificate:
    """The registered certificate a signature by `person` was made with; any other is refused."""
    found = session.exec(
        select(SigningCertificate).where(
            SigningCertificate.fingerprint == fingerprint(der), SigningCertificate.person_id == person.id
        )
    ).first()
    if found is None:
        facts = read_certificate(der)
        raise NotAllowed(
            FIELD,
            code="sign.certificate_not_registered",
            subject=facts.subject,
            serial=facts.serial,
            email=person.email,
        )
    return found
