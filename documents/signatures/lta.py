"""A document timestamp after the organisation's signature (PAdES B-LTA): an RFC 3161 token over the
whole issued file, with the TSA's chain and revocation data added to the DSS, so the signatures and
the validation data they embed stay provable after their certificates and algorithms age."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from documents.signatures.trust import validation_context
from models.errors import Invalid

if TYPE_CHECKING:
    from asn1crypto import x509

FIELD = "DauThoiGian"  # a fixed name (pyHanko's default is random) that verification can show


def timestamp_document(pdf: bytes, *, tsa_url: str, trust_anchors: list[x509.Certificate]) -> bytes:
    """The PDF with a document timestamp in one more incremental update; `Invalid` when the TSA does
    not answer or its certificate does not chain to `trust_anchors` (nothing is returned then)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    if not tsa_url:
        raise Invalid("tsa_url", code="signature.no_tsa")
    stamper = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(tsa_url), field_name=FIELD)
    try:
        out = stamper.timestamp_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            "sha256",
            validation_context=validation_context(trust_anchors),  # the TSA's chain and OCSP go to the DSS
            # in the timestamped revision, not one after it: the token then covers the whole file
            dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False),
        )
    except timestamps.TimestampRequestError as error:
        raise Invalid("tsa_url", code="signature.document_timestamp_silent", detail=error) from error
    except (PathBuildingError, PathValidationError, SigningError, PdfError) as error:
        raise Invalid("tsa_url", code="signature.document_timestamp_failed", detail=error) from error
    return bytes(out.getbuffer())
