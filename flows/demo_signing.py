"""The demo's digital signatures: a local PKI made at demo time (root and intermediate CA, OCSP
responder, RFC 3161 TSA, served on a local port by the demo process: the same certomancer PKI the
tests use, from the dev dependencies `make demo` installs), the signer's and the organisation's
PKCS#12 issued by it, their registration, the signature and seal images, and the check a recipient
makes: `banhanh document verify` on the PDF they received.

Kept apart from `flows.demo` so the demo's other steps and these change independently.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "examples" / "images"
SIGNER_PASSWORD = "demo-ky-duyet"
ORG_PASSWORD = "demo-phat-hanh"
PASSWORD_VARIABLE = "BANHANH_DEMO_P12_PASSWORD"
SIGNER_NAME = ("Phan Minh Quảng", "Quảng", "Phan")  # seed 004's signer: the certificate names them


@contextmanager
def demo_pki(data_dir: Path) -> Iterator[Any]:
    """The PKI served for the demo's lifetime; its TSA and trust anchor are put into the environment
    of every process the demo starts (the engine, the `banhanh` commands)."""
    from tests.signatures.pki import serve_pki

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per OCSP and TSA request otherwise
    directory = data_dir / "demo-pki"
    directory.mkdir(parents=True, exist_ok=True)
    with serve_pki(directory, SIGNER_NAME) as pki:
        os.environ["BANHANH_TSA_URL"] = pki.tsa_url
        os.environ["BANHANH_TRUST_ANCHORS"] = str(pki.anchor_file())
        os.environ["BANHANH_DOCUMENT_TIMESTAMP"] = "true"  # B-LTA: a document timestamp at issuance
        yield pki


def seal_config(pki: Any) -> str:
    """The organisation config's [seal]: its key for the signature at issuance (automatic here)."""
    return f'\n[seal]\npkcs12 = "{pki.pkcs12("org", ORG_PASSWORD)}"\npassword = "{ORG_PASSWORD}"\n'


def register(run: Any, pki: Any, org: str, signer: str, data_dir: Path) -> Path:
    """Register the signer's certificate, upload the signature and seal images; the signer's PKCS#12."""
    pem = data_dir / "demo-pki" / "signer.pem"
    pem.write_bytes(pki.pem("person"))
    run("directory", "cert", "add", signer, str(pem))
    run("directory", "signature-image", "add", signer, str(IMAGES / "chu-ky-pbt.png"))
    run("directory", "seal-image", "set", str(IMAGES / "dau-hamliem.png"), "--org", org)
    p12: Path = pki.pkcs12("person", SIGNER_PASSWORD)
    return p12


def sign_args(p12: Path) -> list[str]:
    """`plan sign` with the signer's own key (a PKCS#12 file in the demo; a token in an office)."""
    os.environ[PASSWORD_VARIABLE] = SIGNER_PASSWORD
    return ["--pkcs12", str(p12), "--pin-env", PASSWORD_VARIABLE]


def verify_received(run: Any, pdf: Path) -> None:
    """What a recipient runs on the PDF they got: both signatures listed, each check passed."""
    run("document", "verify", str(pdf))
