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
from documents.signatures.keys import TokenKey
from documents.signatures.sign import sign_pdf
from tests.signatures.pki import PERSON, LocalPki
from tests.signatures.test_sign_verify import signed_without_checks, tamper

ROOT = Path(__file__).resolve().parents[2]


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
