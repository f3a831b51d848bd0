"""Each person's signing certificate is registered to them; a signature made with any other
certificate (someone else's, or none registered) is refused with its code and nothing changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import func, select

from models.db import Database
from models.directory import Person, SigningCertificate
from models.errors import Invalid, NotAllowed
from models.lifecycle import State
from models.records import AuditEntry, OutboxMessage, RegisterEntry
from models.services import certificates, signing
from models.services.queries import plan_status
from tests.factory import SIGNER, SIGNER2, build, current_hash, load_people
from tests.signatures.pki import LocalPki


def _counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(
            s.exec(select(func.count()).select_from(m)).one()
            for m in (AuditEntry, OutboxMessage, RegisterEntry)
        )


def test_certificates_are_registered_from_the_command_line(
    db: Database, db_url: str, tmp_path: Path, pki: LocalPki
) -> None:
    load_people(db)
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}

    def banhanh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args], env=env, text=True, capture_output=True, check=False
        )

    pem = tmp_path / "an.pem"
    pem.write_bytes(pki.pem("person"))
    added = banhanh("directory", "cert", "add", SIGNER, str(pem))
    facts = certificates.read_certificate(pki.pem("person"))
    assert added.returncode == 0 and facts.fingerprint in added.stdout, added.stderr
    assert banhanh("directory", "cert", "add", SIGNER, str(pem)).returncode == 0  # again: no change
    [row] = json.loads(banhanh("directory", "cert", "list", "--json").stdout)
    assert row == {
        "email": SIGNER,
        "subject": facts.subject,
        "serial": format(pki.cert("person").serial_number, "x"),
        "fingerprint": facts.fingerprint,
        "not_after": facts.not_after.isoformat(),
    }
    before = _counts(db)
    taken = banhanh("directory", "cert", "add", SIGNER2, str(pem))
    assert taken.returncode == 2 and "[cert.registered_to_other]" in taken.stderr, taken.stderr
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a certificate")
    unreadable = banhanh("directory", "cert", "add", SIGNER, str(garbage))
    assert unreadable.returncode == 2 and "[cert.unreadable]" in unreadable.stderr, unreadable.stderr
    unknown = banhanh("directory", "cert", "add", "ai@hamliem.example.vn", str(pem))
    assert unknown.returncode == 4 and "[person.not_found]" in unknown.stderr
    assert _counts(db) == before

    # The registration is in the audit chain: a certificate swapped under a person is named.
    assert "chain intact" in banhanh("audit", "verify").stdout
    with db.write() as s:
        s.execute(
            update(SigningCertificate).values(
                person_id=s.exec(select(Person.id).where(Person.email == SIGNER2)).one()
            )
        )
    broken = banhanh("audit", "verify")
    assert broken.returncode == 1 and "signing certificate 1 differs" in broken.stdout, broken.stdout


def test_a_signature_with_a_certificate_not_registered_to_the_signer_is_refused(
    db: Database, pki: LocalPki
) -> None:
    load_people(db)
    certificates.register(db, SIGNER, pki.pem("person"))
    certificates.register(db, SIGNER2, pki.pem("org"))
    plan_id = build(db, State.APPROVED)
    version = current_hash(db, plan_id)
    before = (_counts(db), plan_status(db, plan_id))

    for other in ("org", "revoked"):  # another person's certificate; one registered to nobody
        with pytest.raises(NotAllowed) as refused:
            signing.sign(db, plan_id, SIGNER, version, certificate=pki.cert(other).dump())
        assert (refused.value.field, refused.value.code) == ("certificate", "sign.certificate_not_registered")
        assert "không phải chứng thư số đã đăng ký" in refused.value.message
        assert (_counts(db), plan_status(db, plan_id)) == before
    with pytest.raises(Invalid) as garbage:
        signing.sign(db, plan_id, SIGNER, version, certificate=b"\x30\x03\x02\x01\x01")
    assert garbage.value.code == "cert.unreadable" and (_counts(db), plan_status(db, plan_id)) == before

    signed = signing.sign(db, plan_id, SIGNER, version, certificate=pki.cert("person").dump())
    assert signed.symbol == "Số 01-KH/ĐU"
