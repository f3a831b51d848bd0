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
        raise Invalid("pkcs12", f"the certificate file {key.pkcs12} does not exist")
    signer: Signer | None = SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        key.pkcs12, passphrase=key.password.encode("utf-8") or None
    )
    if signer is None:
        raise Invalid("password", f"{key.pkcs12} cannot be opened with the password given")
    return signer


@contextmanager
def _token_signer(key: TokenKey) -> Iterator[Signer]:
    from pkcs11.exceptions import PinIncorrect, PinLenRange, PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if not key.library.is_file():
        raise Invalid("pkcs11_lib", f"the PKCS#11 module {key.library} does not exist")
    try:
        session = open_pkcs11_session(
            str(key.library), token_criteria=TokenCriteria(label=key.token_label), user_pin=key.pin
        )
    except (PinIncorrect, PinLenRange) as error:
        raise Invalid("pin", f"the token '{key.token_label}' refused the PIN") from error
    except PKCS11Error as error:  # pyHanko's "no token" error derives from python-pkcs11's too
        raise Invalid("token_label", f"no usable token labelled '{key.token_label}' ({error})") from error
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
            raise Invalid(
                "key_label", f"the token has no key or certificate '{key.key_label}' ({error})"
            ) from error
        yield signer
    finally:
        session.close()
