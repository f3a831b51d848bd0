"""The two-signature issuance end to end on a real token and a real PKI.

The signer signs through the CLI (interrupted signing: the server prepares the approved version and
its digest, the SoftHSM2 token signs the digest, the server embeds and checks it); the văn thư
issues; the issued PDF carries two intact, timestamped signatures, the personal one over the approved
version and the later revision changing only the number and date fields. Each refusal (another
person's certificate, a wrong PIN, a signature over a different document) changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlmodel import col, func, select

from documents.anchors import anchors_in_pdf
from documents.official import signatures_vi
from documents.signatures.interrupted import DATE_FIELD, NUMBER_FIELD, sign_digest
from documents.signatures.keys import TokenKey, open_signer
from documents.signatures.verify import verify_pdf
from flows.steps import render_and_store
from models.db import Database
from models.errors import Invalid, WrongState
from models.lifecycle import State
from models.plans import Plan, RenderedDocument
from models.records import AuditEntry, OutboxMessage, RegisterEntry
from models.services import certificates, signature_images, signing
from models.services.evidence import gather
from models.services.queries import plan_status
from models.settings import Settings
from tests.factory import CLERK, SIGNER, SIGNER2, build, current_hash, load_people
from tests.signatures.conftest import KEY_LABEL, PIN, TOKEN_LABEL
from tests.signatures.pki import LocalPki
from tests.signatures.test_appearance import SEAL_PNG, SIGNATURE_PNG

PIN_VARIABLE = "BANHANH_TEST_TOKEN_PIN"


@pytest.fixture
def cfg(pki: LocalPki, tmp_path: Path) -> Settings:
    """The installation: its TSA, its trust anchor and the organisation key it issues with."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path,
        tsa_url=pki.tsa_url,
        trust_anchors=str(pki.anchor_file()),
        seal_pkcs12=str(pki.pkcs12("org", "p")),
        seal_password="p",
    )


@pytest.fixture
def banhanh(db_url: str, cfg: Settings, token_key: TokenKey) -> Any:
    env = {
        **os.environ,  # SOFTHSM2_CONF: the test token's directory
        "DATABASE_URL": db_url,
        "BANHANH_DATA_DIR": str(cfg.data_dir),
        "BANHANH_TSA_URL": cfg.tsa_url,
        "BANHANH_TRUST_ANCHORS": cfg.trust_anchors,
        PIN_VARIABLE: PIN,
    }

    def run(*args: str, pin: str = PIN) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args],
            env={**env, PIN_VARIABLE: pin},
            text=True,
            capture_output=True,
            cwd=cfg.data_dir,
            check=False,
        )

    return run


def sign_on_token(banhanh: Any, token_key: TokenKey, plan_id: int, version: str, **kw: str) -> Any:
    return banhanh(
        "plan",
        "sign",
        str(plan_id),
        "--version",
        version,
        "--as",
        SIGNER,
        "--pkcs11-lib",
        str(token_key.library),
        "--token-label",
        TOKEN_LABEL,
        "--key-label",
        KEY_LABEL,
        "--pin-env",
        PIN_VARIABLE,
        **kw,
    )


def unchanged(db: Database, plan_id: int) -> tuple[object, ...]:
    with db.read() as s:
        plan = s.get(Plan, plan_id)
        assert plan is not None
        counts = tuple(
            s.exec(select(func.count()).select_from(m)).one()
            for m in (AuditEntry, OutboxMessage, RegisterEntry, RenderedDocument)
        )
        return plan.state, plan.row_version, plan.number, counts


def stored(db: Database, plan_id: int, fmt: str) -> bytes:
    with db.read() as s:
        doc = s.exec(
            select(RenderedDocument).where(
                RenderedDocument.plan_id == plan_id, RenderedDocument.format == fmt
            )
        ).one()
        return doc.content


def test_signed_on_the_token_through_the_cli_then_issued_by_the_clerk(
    db: Database,
    pki: LocalPki,
    anchors: list[x509.Certificate],
    token_key: TokenKey,
    cfg: Settings,
    banhanh: Any,
) -> None:
    load_people(db, automatic_issuance=False)
    certificates.register(db, SIGNER, pki.pem("person"))
    signature_images.set_signature_image(db, SIGNER, SIGNATURE_PNG.read_bytes())
    signature_images.set_seal_image(db, SEAL_PNG.read_bytes(), "hamliem")
    plan_id = build(db, State.APPROVED)
    version = current_hash(db, plan_id)

    signed = sign_on_token(banhanh, token_key, plan_id, version)
    assert signed.returncode == 0 and "waiting for the văn thư" in signed.stdout, signed.stderr
    assert plan_status(db, plan_id)["state"] == "awaiting_issuance"
    personal = stored(db, plan_id, signing.SIGNED_PDF)
    [report] = verify_pdf(personal, anchors)
    assert report.ok and report.kind == "personal" and report.timestamp is not None, report.problems

    issued_as = banhanh("plan", "issue", str(plan_id), "--as", CLERK)
    assert issued_as.returncode == 0 and "Số 01-KH/ĐU" in issued_as.stdout, issued_as.stderr
    render_and_store(plan_id, db, cfg)  # the flow's step after the issuance
    issued = stored(db, plan_id, "pdf")

    # Incremental updates over the personally signed approved version, which stays as it was.
    assert issued.startswith(personal) and len(issued) > len(personal)
    first, second = verify_pdf(issued, anchors)
    for one in (first, second):
        assert one.ok and one.intact and one.timestamp_ok and one.revocation_embedded, one.problems
        assert one.timestamp_authority == "TSA thử nghiệm"
    assert (first.kind, second.kind) == ("personal", "organisation")
    assert first.modification == "form_filling" and first.docmdp_ok
    fields = PdfFileReader(io.BytesIO(issued), strict=False).root["/AcroForm"]["/Fields"]
    values = {str(f.get_object()["/T"]): str(f.get_object().get("/V", "")) for f in fields}
    assert values[NUMBER_FIELD] == "Số 01-KH/ĐU" and values[DATE_FIELD].startswith("Hàm Liêm, ngày ")
    # The signer's image shows in the personal signature's field, the seal in the organisation's.
    shown = {str(f.get_object()["/T"]): f.get_object() for f in fields}
    for name in ("KyDuyet", "PhatHanh"):
        x1, y1, x2, y2 = (float(v) for v in shown[name]["/Rect"])
        assert x2 - x1 > 50 and y2 - y1 > 20 and "/AP" in shown[name], name

    # Each is drawn with the document's own font, embedded (a viewer's Helvetica has no "ố" or "Đ").
    for field in fields:
        widget = field.get_object()
        if str(widget["/T"]) in (NUMBER_FIELD, DATE_FIELD):
            font = widget["/AP"]["/N"]["/Resources"]["/Font"]["/F1"]
            descendant = font["/DescendantFonts"][0]
            assert str(font["/BaseFont"]).startswith("/BANHAN+LiberationSerif")
            assert "/FontFile2" in descendant["/FontDescriptor"] and "/ToUnicode" in font

    # The plan page and the recipient's receipt page say the same, in Vietnamese.
    personal_vi, organisation_vi = signatures_vi(db, plan_id, cfg.trust_anchors)
    assert personal_vi.startswith("Chữ ký cá nhân (ký duyệt) của Nguyễn Văn An: ký lúc ")
    assert organisation_vi.startswith("Chữ ký số của cơ quan (phát hành) của ĐẢNG ỦY XÃ HÀM LIÊM")
    assert "; hợp lệ: nguyên vẹn, sau đó chỉ điền số, ngày" in personal_vi and "hợp lệ" in organisation_vi
    assert gather(db, plan_id, cfg.trust_anchors).signatures == [personal_vi, organisation_vi]  # the evidence

    # The personal signature is over the approved version: its audit entry binds the version and PDF.
    with db.read() as s:
        sign_entry = s.exec(
            select(AuditEntry)
            .where(AuditEntry.plan_id == plan_id, AuditEntry.action == "sign")
            .order_by(col(AuditEntry.seq))
        ).one()
    assert sign_entry.detail["hash"].startswith(version)
    assert sign_entry.detail["signed_pdf_sha256"] == hashlib.sha256(personal).hexdigest()

    # The chain head recorded at issuance is in the issued PDF, and the chain still holds it.
    with db.read() as s:
        issue_entry = s.exec(
            select(AuditEntry).where(AuditEntry.plan_id == plan_id, AuditEntry.action == "issue")
        ).one()
    [anchor] = anchors_in_pdf(issued)
    assert (anchor.org_key, anchor.seq, anchor.head) == ("hamliem", issue_entry.seq, issue_entry.hash[:16])
    (cfg.data_dir / "issued.pdf").write_bytes(issued)
    held = banhanh("audit", "verify", "--anchor", str(cfg.data_dir / "issued.pdf"))
    assert held.returncode == 0 and "holds" in held.stdout, held.stdout + held.stderr


def test_refusals_on_the_token_change_nothing(
    db: Database, pki: LocalPki, token_key: TokenKey, cfg: Settings, banhanh: Any
) -> None:
    load_people(db, automatic_issuance=False)
    certificates.register(db, SIGNER2, pki.pem("person"))  # the token's certificate is someone else's
    plan_id = build(db, State.APPROVED)
    version = current_hash(db, plan_id)
    before = unchanged(db, plan_id)

    others = sign_on_token(banhanh, token_key, plan_id, version)
    assert others.returncode == 3 and "[sign.certificate_not_registered]" in others.stderr, others.stderr
    assert unchanged(db, plan_id) == before

    wrong_pin = sign_on_token(banhanh, token_key, plan_id, version, pin="000000")
    assert wrong_pin.returncode == 2 and "[signature.wrong_pin]" in wrong_pin.stderr, wrong_pin.stderr
    assert "error pin:" in wrong_pin.stderr
    assert unchanged(db, plan_id) == before


def test_a_signature_over_another_document_is_refused(
    db: Database, pki: LocalPki, token_key: TokenKey, cfg: Settings
) -> None:
    load_people(db, automatic_issuance=False)
    certificates.register(db, SIGNER, pki.pem("person"))
    plan_id, other_id = build(db, State.APPROVED), build(db, State.APPROVED)
    with open_signer(token_key) as signer:
        assert signer.signing_cert is not None
        cert, chain = signer.signing_cert.dump(), [c.dump() for c in signer.cert_registry]
        prepared = signing.prepare_personal(db, cfg, plan_id, SIGNER, current_hash(db, plan_id), cert, chain)
        elsewhere = signing.prepare_personal(
            db, cfg, other_id, SIGNER, current_hash(db, other_id), cert, chain
        )
        over_other = sign_digest(signer, elsewhere.digest, tsa_url=cfg.tsa_url)
    before = unchanged(db, plan_id)
    with pytest.raises(WrongState) as refused:
        signing.finish_personal(db, cfg, plan_id, SIGNER, prepared, over_other)
    assert (refused.value.field, refused.value.code) == ("signature", "signature.other_document")
    assert unchanged(db, plan_id) == before
    # A document prepared for one plan is not a signature on another's approved version.
    with pytest.raises(WrongState):
        signing.finish_personal(db, cfg, plan_id, SIGNER, elsewhere, over_other)
    assert unchanged(db, plan_id) == before


@pytest.mark.parametrize(
    ("label", "code"), [("expired", "signature.cert_expired"), ("revoked", "signature.cert_revoked")]
)
def test_an_expired_or_revoked_certificate_is_refused_before_the_token_is_used(
    db: Database, pki: LocalPki, cfg: Settings, label: str, code: str
) -> None:
    """Registered or not, a certificate that cannot sign (its CA's OCSP responder says revoked) stops
    the signing when the document is prepared; nothing is recorded."""
    load_people(db, automatic_issuance=False)
    certificates.register(db, SIGNER, pki.pem(label))
    plan_id = build(db, State.APPROVED)
    before = unchanged(db, plan_id)
    with pytest.raises(Invalid) as refused:
        signing.prepare_personal(
            db,
            cfg,
            plan_id,
            SIGNER,
            current_hash(db, plan_id),
            pki.cert(label).dump(),
            [pki.cert("interm").dump()],
        )
    assert (refused.value.field, refused.value.code) == ("certificate", code)
    assert unchanged(db, plan_id) == before
