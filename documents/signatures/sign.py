"""Signing a PDF: PAdES with an RFC 3161 timestamp and the revocation data embedded (B-LT).

The personal signature (ký duyệt) certifies the document with DocMDP "fill forms": the number and
date fields can be filled, and the organisation sign, in later revisions. The organisation's
signature (phát hành) is an approval signature over the whole file.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from documents.signatures.appearance import Visible, appearance_kwargs
from documents.signatures.certificates import Kind, check_validity, common_name
from documents.signatures.keys import SigningKey, open_signer
from documents.signatures.trust import validation_context
from models.errors import Invalid

if TYPE_CHECKING:
    from asn1crypto import x509


FIELDS = {Kind.personal: "KyDuyet", Kind.organisation: "PhatHanh"}


def sign_pdf(
    pdf: bytes,
    key: SigningKey,
    *,
    kind: Kind,
    tsa_url: str,
    trust_anchors: list[x509.Certificate],
    reason: str = "",
    location: str = "",
    field: str = "",
    visible: Visible | None = None,
    appearance: dict[str, Any] | None = None,
) -> bytes:
    """The PDF with one more signature (an incremental update); nothing is returned on a refusal.

    The signer's chain must reach one of `trust_anchors` and its certificate must not be revoked:
    the OCSP or CRL answers fetched to check that are the ones embedded. `visible`: the image the
    signature's field shows (`appearance`), part of what it signs; `appearance`: pyHanko's own
    field and stamp arguments instead.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
    from pyhanko.sign.general import SigningError

    if not tsa_url:
        raise Invalid("tsa_url", code="signature.no_tsa")
    with open_signer(key) as signer:
        cert = signer.signing_cert
        if cert is None:
            raise Invalid("certificate", code="signature.key_without_certificate")
        check_validity(cert, datetime.now(UTC))
        meta = signers.PdfSignatureMetadata(
            field_name=field or FIELDS[kind],
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=reason or None,
            location=location or None,
            certify=kind is Kind.personal,
            docmdp_permissions=MDPPerm.FILL_FORMS,
            embed_validation_info=True,
            validation_context=validation_context(trust_anchors),
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            timestamper=timestamps.HTTPTimeStamper(tsa_url),
            **(appearance or appearance_kwargs(field or FIELDS[kind], visible)),
        )
        try:
            out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
        except (SigningError, PdfError, timestamps.TimestampRequestError) as error:
            raise _refusal(error, common_name(cert.subject)) from error
    return bytes(out.getbuffer())


def _refusal(error: Exception, subject: str) -> Invalid:
    """pyHanko wraps the validator's verdict in a SigningError: name the cause."""
    from pyhanko.sign import timestamps
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

    if isinstance(error, timestamps.TimestampRequestError):
        return Invalid("tsa_url", code="signature.tsa_silent", detail=error.__cause__ or error)
    cause = error.__cause__ or error
    if isinstance(cause, RevokedError):
        return Invalid("certificate", code="signature.cert_revoked", holder=subject, detail=cause)
    if isinstance(cause, PathBuildingError):
        return Invalid("certificate", code="signature.cert_unchained", holder=subject, detail=cause)
    if isinstance(cause, PathValidationError):
        return Invalid("certificate", code="signature.cert_invalid", holder=subject, detail=cause)
    return Invalid("pdf", code="signature.pdf_unsignable", detail=error)
