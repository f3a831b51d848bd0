"""What a certificate says about its holder: the name, a person or an organisation, its validity."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from models.errors import Invalid

if TYPE_CHECKING:
    from asn1crypto import x509

# ETSI EN 319 412-2/-3: a person's certificate names them; a legal person's carries an identifier.
_PERSONAL_NAME = ("given_name", "surname", "pseudonym")


class Kind(StrEnum):
    personal = "personal"  # the signer's own signature
    organisation = "organisation"  # the organisation's, at issuance
    document_timestamp = "document_timestamp"  # a TSA's token over the whole file (B-LTA), no signer


def common_name(name: x509.Name) -> str:
    return str(name.native.get("common_name", "")) or name.human_friendly


def kind_of(cert: x509.Certificate) -> Kind:
    subject = cert.subject.native
    if any(key in subject for key in _PERSONAL_NAME):
        return Kind.personal
    cn = subject.get("common_name")
    if "organization_identifier" in subject or (cn and cn == subject.get("organization_name")):
        return Kind.organisation
    return Kind.personal


def check_validity(cert: x509.Certificate, at: datetime) -> None:
    """A certificate outside its validity period signs nothing (a clearer error than the validator's)."""
    holder = common_name(cert.subject)
    if cert.not_valid_after < at:
        raise Invalid(
            "certificate", code="signature.cert_expired", holder=holder, on=f"{cert.not_valid_after:%Y-%m-%d}"
        )
    if cert.not_valid_before > at:
        raise Invalid(
            "certificate",
            code="signature.cert_not_yet_valid",
            holder=holder,
            on=f"{cert.not_valid_before:%Y-%m-%d}",
        )
