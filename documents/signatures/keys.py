"""Where a signing key lives: a PKCS#11 token (USB token, HSM) or a PKCS#12 file; opened as a signer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import Invalid

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer


@dataclass(frozen=True)
class TokenKey:
    """A key on a PKCS#11 token; its certificate carries the same label unless `cert_label` says."""

    library: Path  # the token's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so
    token_label: str
    key_label: str
    pin: str = field(repr=False)
    cert_label: str = ""


@dataclass(frozen=True)
class FileKey:
    pkcs12: Path
    password: str = field(default="", repr=False)


SigningKey = TokenKey | FileKey


@contextmanager
def open_signer(key: SigningKey) -> Iterator[Signer]:
    """A pyHanko signer for the key; a missing library, token or key, or a wrong PIN is `Invalid`."""
    if isinstance(key, FileKey):
        yield _file_signer(key)
        return
    with _token_signer(key) as signer:
        yield signer


def _file_signer(key: FileKey) -> Signer:
    from pyhanko.sign.signers import SimpleSigner

    if not key.pkcs12.is_file():
        raise Invalid("pkcs12", code="signature.no_pkcs12", path=key.pkcs12)
    signer: Signer | None = SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        key.pkcs12, passphrase=key.password.encode("utf-8") or None
    )
    if signer is None:
        raise Invalid("password", code="signature.bad_password", path=key.pkcs12)
    return signer


@contextmanager
def _token_signer(key: TokenKey) -> Iterator[Signer]:
    from pkcs11.exceptions import PinIncorrect, PinLenRange, PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if not key.library.is_file():
        raise Invalid("pkcs11_lib", code="signature.no_module", path=key.library)
    try:
        session = open_pkcs11_session(
            str(key.library), token_criteria=TokenCriteria(label=key.token_label), user_pin=key.pin
        )
    except (PinIncorrect, PinLenRange) as error:
        raise Invalid("pin", code="signature.wrong_pin", token=key.token_label) from error
    except PKCS11Error as error:  # pyHanko's "no token" error derives from python-pkcs11's too
        raise Invalid(
            "token_label", code="signature.no_token", token=key.token_label, detail=error
        ) from error
    try:
        # other_certs_to_pull=None: the chain the token carries goes into the signature too
        signer = PKCS11Signer(
            session,
            key_label=key.key_label,
            cert_label=key.cert_label or key.key_label,
            other_certs_to_pull=None,
        )
        try:
            signer.signing_cert  # noqa: B018  (loads key and certificate now: a wrong label fails here)
        except PKCS11Error as error:
            raise Invalid("key_label", code="signature.no_key", key=key.key_label, detail=error) from error
        yield signer
    finally:
        session.close()
