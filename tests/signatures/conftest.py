"""The test PKI (served on a local port for the whole session), a SoftHSM2 token holding the
signer's key, and the draft PDF of seed 004 as the project renders it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from asn1crypto import x509

from documents.render import render_pdf
from documents.signatures.keys import TokenKey
from documents.signatures.trust import load_anchors
from tests.documents.seeds import view_004
from tests.signatures.pki import LocalPki, serve_pki
from tests.signatures.token import import_key, make_token

TOKEN_LABEL = "KyDuyet"
KEY_LABEL = "nguyen-van-an"
PIN = "246810"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per OCSP/TSA request otherwise
    with serve_pki(tmp_path_factory.mktemp("pki")) as served:
        yield served


@pytest.fixture(scope="session")
def anchors(pki: LocalPki) -> list[x509.Certificate]:
    return load_anchors([pki.anchor_file()])


@pytest.fixture(scope="session")
def token_key(pki: LocalPki, tmp_path_factory: pytest.TempPathFactory) -> TokenKey:
    """The signer's key and certificate (and its issuer) on a fresh SoftHSM2 token."""
    token = make_token(tmp_path_factory.mktemp("softhsm"), TOKEN_LABEL, PIN)
    import_key(token, pki, "person", KEY_LABEL)
    return TokenKey(token.library, TOKEN_LABEL, KEY_LABEL, PIN)


@pytest.fixture(scope="session")
def draft_pdf() -> bytes:
    return render_pdf(view_004())
