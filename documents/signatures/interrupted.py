"""Interrupted signing: the server prepares the PDF and the digest to sign, the signer's own machine
signs that digest with the key on its token, the server embeds the signature and checks it.

The server side (`prepare_pdf`, `embed_signature`) never holds the key; the client side
(`sign_digest`) never holds more than the digest. The personal signature certifies the document
with DocMDP "fill forms", so the number and date fields stay fillable for the issuance.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from documents.signatures.appearance import (
    add_seal_field,
    appearance_kwargs,
    line_rects,
    seal_visible,
    signature_visible,
)
from documents.signatures.certificates import Kind, check_validity, common_name
from documents.signatures.sign import FIELDS, _refusal
from documents.signatures.trust import validation_context
from models.errors import Invalid, WrongState

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign.signers import Signer
    from pyhanko_certvalidator import ValidationContext

MD = "sha256"
# Where the issuance writes the number and the date on page 1 (PDF points, lower left origin): over
# the lines the template marks (its named destinations), else the number under the issuing body and
# the date line under the motto.
NUMBER_FIELD, DATE_FIELD = "SoKyHieu", "NgayThang"
FIELD_RECTS = {NUMBER_FIELD: (57.0, 712.0, 270.0, 728.0), DATE_FIELD: (300.0, 712.0, 560.0, 728.0)}
FIELD_MARKS = {NUMBER_FIELD: ("so-ky-hieu", "so-ky-hieu-het"), DATE_FIELD: ("ngay-thang", "ngay-thang-het")}
# The audit chain head recorded at issuance, at the foot of the last page (`documents.anchors`).
ANCHOR_FIELD = "NhatKyKiemChung"
ANCHOR_RECT = (57.0, 18.0, 540.0, 30.0)


@dataclass(frozen=True)
class Prepared:
    """The document in its final pre-signing state, kept by the server until the signature comes back."""

    version_hash: str
    pdf: bytes  # the approved version with its empty fields and the placeholder for the signature
    digest: bytes  # what the key signs: the digest of the PDF's /ByteRange
    region: tuple[int, int]  # where the signature goes in `pdf`
    signer_certificate: bytes  # DER: the certificate the client said it signs with
    post_sign: Any = field(default=None, repr=False)  # pyHanko's instructions for the DSS (B-LT)
    plan_id: int = 0  # the plan it was prepared for: it signs no other


def _run(coroutine: Any, *contexts: ValidationContext) -> Any:
    """Run one pyHanko step, then close the HTTP sessions its validation contexts opened (as
    pyHanko's own synchronous entry points do)."""
    from pyhanko.sign._session_scope import run_and_release

    return asyncio.run(run_and_release(coroutine, *contexts))


def prepare_pdf(
    pdf: bytes,
    version_hash: str,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    *,
    tsa_url: str,
    trust_anchors: list[x509.Certificate],
    reason: str = "",
    location: str = "",
    signature_image: bytes | None = None,
    seal_image: tuple[bytes, float | None] | None = None,
) -> Prepared:
    """Add the empty number and date fields, reserve the personal signature and digest the result.

    The certificate is checked now (validity, chain to an anchor, revocation), so a certificate that
    cannot sign is refused before anyone touches the token. With `signature_image` (PNG) the
    signature's field shows it in the signature space, so the signature covers its own image; with
    `seal_image` (PNG, width in mm or None: from the PNG) the organisation's empty signature field is
    placed where its seal will show at issuance.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
    from pyhanko.sign.general import SigningError
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from documents.signatures.fields import add_text_fields

    if not tsa_url:
        raise Invalid("tsa_url", code="signature.no_tsa")
    check_validity(certificate, datetime.now(UTC))
    # The server holds no key: a stand-in signer carries the certificate for the estimate and checks.
    stand_in = signers.ExternalSigner(
        signing_cert=certificate,
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
        signature_value=bytes(512),
    )
    context = validation_context(trust_anchors)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELDS[Kind.personal],
        md_algorithm=MD,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        certify=True,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        embed_validation_info=True,
        validation_context=context,
    )
    marked = {name: (r.x1, r.y1, r.x2, r.y2) for name, r in line_rects(pdf, FIELD_MARKS).items()}
    with_fields = add_text_fields(
        add_text_fields(pdf, {**FIELD_RECTS, **marked}), {ANCHOR_FIELD: ANCHOR_RECT}, page=-1
    )
    visible = signature_visible(with_fields, signature_image) if signature_image else None
    if seal_image is not None:
        seal = seal_visible(with_fields, *seal_image, under=visible)
        with_fields = add_seal_field(with_fields, FIELDS[Kind.organisation], seal)
    pdf_signer = signers.PdfSigner(
        meta,
        signer=stand_in,
        timestamper=timestamps.HTTPTimeStamper(tsa_url),
        **appearance_kwargs(FIELDS[Kind.personal], visible),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(with_fields))
    try:
        digest, tbs, output = _run(pdf_signer.async_digest_doc_for_signing(writer), context)
    except (SigningError, PdfError, timestamps.TimestampRequestError) as error:
        raise _refusal(error, common_name(certificate.subject)) from error
    output.seek(0)
    return Prepared(
        version_hash=version_hash,
        pdf=output.read(),
        digest=digest.document_digest,
        region=(digest.reserved_region_start, digest.reserved_region_end),
        signer_certificate=certificate.dump(),
        post_sign=tbs.post_sign_instructions,
    )


def sign_digest(signer: Signer, digest: bytes, *, tsa_url: str) -> bytes:
    """The client's part: a PAdES CMS over the digest, made by the key (on the token), timestamped."""
    from pyhanko.sign import timestamps

    try:
        cms = _run(
            signer.async_sign(digest, MD, use_pades=True, timestamper=timestamps.HTTPTimeStamper(tsa_url))
        )
    except timestamps.TimestampRequestError as error:
        raise _refusal(error, "") from error
    return bytes(cms.dump())


def signature_certificate(cms_der: bytes) -> bytes:
    """The DER of the certificate a CMS signature names as its signer."""
    from asn1crypto import cms

    try:
        signed = cms.ContentInfo.load(cms_der)["content"]
        sid = signed["signer_infos"][0]["sid"].chosen
        for cert in signed["certificates"]:
            chosen = cert.chosen
            if chosen.issuer == sid["issuer"] and chosen.serial_number == sid["serial_number"].native:
                return bytes(chosen.dump())
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise Invalid("signature", code="signature.unreadable", detail=error) from error
    raise Invalid("signature", code="signature.no_certificate")


def embed_signature(prepared: Prepared, cms_der: bytes, trust_anchors: list[x509.Certificate]) -> bytes:
    """The signed PDF: the signature put in its place and the revocation data added (B-LT); refused
    (`WrongState`) unless it is intact over exactly the prepared document."""
    from asn1crypto import cms
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        content = cms.ContentInfo.load(cms_der)
        content.native  # noqa: B018  (parses it: a damaged signature fails here)
    except (ValueError, TypeError, KeyError) as error:
        raise Invalid("signature", code="signature.unreadable", detail=error) from error
    output = io.BytesIO(prepared.pdf)
    digest = PreparedByteRangeDigest(prepared.digest, *prepared.region)
    # The signature must be over this document's digest: checked before anything is written.
    signed_attrs = content["content"]["signer_infos"][0]["signed_attrs"]
    message_digest = next(
        (a["values"][0].native for a in signed_attrs if a["type"].native == "message_digest"), None
    )
    if message_digest != prepared.digest:
        raise WrongState("signature", code="signature.other_document", version=prepared.version_hash[:12])
    context = validation_context(trust_anchors)
    try:
        _run(
            PdfTBSDocument.async_finish_signing(
                output,
                digest,
                content,
                post_sign_instr=prepared.post_sign,
                validation_context=context,
            ),
            context,
        )
    except ValueError as error:  # too large for the space reserved: not the expected signature
        raise Invalid("signature", code="signature.unreadable", detail=error) from error
    signed = output.getvalue()
    [embedded] = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures
    status = validate_pdf_signature(embedded, validation_context(trust_anchors))
    if not (status.intact and status.valid):
        raise WrongState("signature", code="signature.other_document", version=prepared.version_hash[:12])
    return signed
