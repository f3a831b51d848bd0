"""A SoftHSM2 token in a temp directory holding a key and certificate of the test PKI."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.signatures.pki import LocalPki

LIBRARIES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
SO_PIN = "12345678"


def softhsm_library() -> Path:
    """The SoftHSM2 module; skipped on a developer's machine without it, a failure in CI."""
    found = next((Path(p) for p in LIBRARIES if Path(p).is_file()), None)
    if found is None or shutil.which("softhsm2-util") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("SoftHSM2 is missing: CI must run the token tests (.ci/run installs softhsm2)")
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    return found


@dataclass(frozen=True)
class Token:
    library: Path
    label: str
    pin: str


def make_token(directory: Path, label: str, pin: str) -> Token:
    """Initialise an empty token whose files live in `directory` (SOFTHSM2_CONF points at it)."""
    library = softhsm_library()
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the module when it is loaded, once per process
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", pin],
        check=True,
        capture_output=True,
    )
    return Token(library, label, pin)


def import_key(token: Token, pki: LocalPki, cert_label: str, key_label: str) -> None:
    """Put the certificate's private key, the certificate and its issuer on the token (as a
    token a CA hands out carries them), the key and certificate under `key_label`."""
    import pkcs11
    from asn1crypto import keys
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    private = keys.PrivateKeyInfo.load(pki.key_der(cert_label))
    key_id = pki.cert(cert_label).sha1[:8]
    slot = pkcs11.lib(str(token.library)).get_token(token_label=token.label)
    with slot.open(rw=True, user_pin=token.pin) as session:
        attrs = decode_rsa_private_key(private["private_key"].parsed.dump())
        attrs.update(
            {
                pkcs11.Attribute.LABEL: key_label,
                pkcs11.Attribute.ID: key_id,
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.SENSITIVE: True,
                pkcs11.Attribute.EXTRACTABLE: False,
            }
        )
        session.create_object(attrs)
        cert_attrs = decode_x509_certificate(pki.cert(cert_label).dump())
        cert_attrs.update(
            {pkcs11.Attribute.LABEL: key_label, pkcs11.Attribute.ID: key_id, pkcs11.Attribute.TOKEN: True}
        )
        session.create_object(cert_attrs)
        issuer = decode_x509_certificate(pki.cert("interm").dump())
        issuer.update({pkcs11.Attribute.LABEL: "interm", pkcs11.Attribute.TOKEN: True})
        session.create_object(issuer)
