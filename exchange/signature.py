"""The package's XML signature (XMLDSig, enveloped, RSA-SHA256) with the organisation's key: the
same PKCS#12 that seals its PDFs (documents/seal.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.exceptions import SignXMLException
from signxml.signer import XMLSigner
from signxml.verifier import XMLVerifier

from exchange.xml import Element, parse_bytes
from models.errors import Invalid


@dataclass(frozen=True)
class SigningKey:
    key: rsa.RSAPrivateKey
    chain_pem: tuple[str, ...]  # the organisation's certificate first, then its issuers

    @property
    def certificate_pem(self) -> bytes:
        return self.chain_pem[0].encode("ascii")


def load_key(path: Path, password: str = "") -> SigningKey:
    """The key and certificates of a PKCS#12 file."""
    if not path.is_file():
        raise Invalid("seal_pkcs12", code="seal.missing", path=path)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            path.read_bytes(), password.encode("utf-8") or None
        )
    except ValueError:
        raise Invalid("seal_password", code="seal.bad_password", path=path) from None
    if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
        raise Invalid("seal_pkcs12", code="exchange.key_not_rsa", path=path)
    pems = [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in (cert, *extra)]
    return SigningKey(key, tuple(pems))


def sign(root: Element, key: SigningKey) -> bytes:
    """The document signed over all of it (Reference URI=""), the signature where its placeholder is."""
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: Element = signer.sign(root, key=key.key, cert=list(key.chain_pem))
    out: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return out


def verify(data: bytes, certificate_pem: bytes) -> None:
    """Raise unless the package is signed, unaltered, by this certificate's key."""
    root = parse_bytes(data, "package")  # refuses a DTD or an entity before signxml reads it
    try:
        XMLVerifier().verify(root, x509_cert=certificate_pem.decode("ascii"), expect_references=1)
    except SignXMLException as error:
        raise Invalid("package", code="exchange.bad_signature", detail=str(error)) from error
