"""`banhanh document verify`, run as a separate process as a person types it: every signature
listed, exit 0 only when every check passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import x509

from documents.signatures.certificates import Kind
from documents.signatures.fields import add_text_fields, fill_text_fields
from documents.signatures.keys import FileKey, TokenKey
from documents.signatures.sign import sign_pdf
from documents.signatures.summary import summary_vi
from tests.signatures.pki import PERSON, LocalPki
from tests.signatures.test_sign_verify import signed_without_checks, tamper

ROOT = Path(__file__).resolve().parents[2]
ISSUANCE_REASON = b"Ban hanh KH 38"  # ASCII letters: written as they are in the signature dictionary


def verify(
    pdf: Path, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "BANHANH_DATA_DIR": str(pdf.parent), "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cli", "document", "verify", str(pdf), *map(str, args)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def signed(pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes) -> bytes:
    return sign_pdf(draft_pdf, token_key, kind=Kind.personal, tsa_url=pki.tsa_url, trust_anchors=anchors)


def test_a_valid_signature_is_listed_and_exits_zero(pki: LocalPki, signed: bytes, tmp_path: Path) -> None:
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(signed)

    as_json = verify(pdf, "--json", "--trust-anchor", pki.anchor_file())
    assert as_json.returncode == 0, as_json.stderr
    out = json.loads(as_json.stdout)
    assert out["ok"] and len(out["signatures"]) == 1
    [sig] = out["signatures"]
    assert (sig["signer"], sig["kind"], sig["revocation"]) == (PERSON, "personal", "good")
    assert sig["timestamp"].endswith("+07:00") and sig["timestamp_authority"] == "TSA thử nghiệm"
    assert sig["intact"] and sig["chained"] and sig["revocation_embedded"] and sig["problems"] == []

    # the anchors from the settings, printed for a person; offline: the embedded data alone
    text = verify(pdf, "--offline", env={"BANHANH_TRUST_ANCHORS": str(pki.anchor_file())})
    assert text.returncode == 0, text.stderr
    assert f"KyDuyet · personal · {PERSON}" in text.stdout
    assert "by TSA thử nghiệm" in text.stdout and "all signatures valid" in text.stdout


def test_a_tampered_byte_and_a_revoked_certificate_fail_and_are_named(
    pki: LocalPki, signed: bytes, draft_pdf: bytes, tmp_path: Path
) -> None:
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(tamper(signed))
    revoked = tmp_path / "revoked.pdf"
    revoked.write_bytes(signed_without_checks(draft_pdf, pki, "revoked"))

    result = verify(tampered, "--trust-anchor", pki.anchor_file())
    assert result.returncode == 1
    assert "not intact: the signed bytes were changed after signing" in result.stdout
    assert "verification failed" in result.stdout

    result = verify(revoked, "--trust-anchor", pki.anchor_file())
    assert result.returncode == 1
    assert "revocation  revoked since" in result.stdout and "FAILED: certificate revoked" in result.stdout


def test_without_a_trust_anchor_nothing_is_trusted(signed: bytes, tmp_path: Path) -> None:
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(signed)

    result = verify(pdf, env={"BANHANH_TRUST_ANCHORS": ""})
    assert result.returncode == 2
    assert "trust_anchors" in result.stderr and "no trust anchor is configured" in result.stderr


def test_a_byte_tampered_after_issuance_is_named_against_the_signature_it_breaks(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes, tmp_path: Path
) -> None:
    """The issued file (personal signature, number and date filled, organisation's signature): a byte
    of the approved text breaks both signatures; a byte of the issuance revision only the organisation's,
    which covers it, while the personal one still shows only form filling after it."""
    issued = issued_pdf(pki, anchors, token_key, draft_pdf)
    text = tmp_path / "text-changed.pdf"
    text.write_bytes(tamper(issued))
    issuance = tmp_path / "issuance-changed.pdf"
    issuance.write_bytes(tamper_issuance(issued))

    result = verify(text, "--json", "--trust-anchor", pki.anchor_file())
    assert result.returncode == 1, result.stderr
    reports = json.loads(result.stdout)["signatures"]
    assert [r["field"] for r in reports] == ["KyDuyet", "PhatHanh"]
    for report in reports:
        assert not report["intact"]
        assert "not intact: the signed bytes were changed after signing" in report["problems"]
    [personal_vi, _] = summary_vi(text.read_bytes(), str(pki.anchor_file()))
    assert "; KHÔNG hợp lệ: nội dung đã bị thay đổi sau khi ký" in personal_vi

    result = verify(issuance, "--trust-anchor", pki.anchor_file())
    assert result.returncode == 1, result.stderr
    personal, organisation = result.stdout.split("PhatHanh · organisation")
    assert "KyDuyet · personal" in personal and "not intact" not in personal
    assert "FAILED: not intact: the signed bytes were changed after signing" in organisation
    assert "verification failed" in result.stdout


def issued_pdf(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> bytes:
    personal = sign_pdf(
        add_text_fields(draft_pdf, {"SoHieu": (60.0, 740.0, 260.0, 756.0)}),
        token_key,
        kind=Kind.personal,
        tsa_url=pki.tsa_url,
        trust_anchors=anchors,
    )
    return sign_pdf(
        fill_text_fields(personal, {"SoHieu": "Số 38-KH/ĐU"}),
        FileKey(pki.pkcs12("org", "p"), "p"),
        kind=Kind.organisation,
        tsa_url=pki.tsa_url,
        trust_anchors=anchors,
        reason=ISSUANCE_REASON.decode(),
    )


def tamper_issuance(pdf: bytes) -> bytes:
    """One byte of the organisation's signature dictionary (its reason, written at issuance) changed."""
    at = pdf.rindex(ISSUANCE_REASON) + len(ISSUANCE_REASON) - 1
    return pdf[:at] + b"X" + pdf[at + 1 :]
