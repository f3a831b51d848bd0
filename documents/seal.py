"""Sealing an issued PDF with the organisation's certificate (PAdES baseline B) and checking a seal."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from models.directory import Organisation
from models.errors import Invalid
from models.settings import Settings

FIELD = "Seal"


def seal_pdf(pdf: bytes, pkcs12: Path, password: str = "", *, reason: str = "", location: str = "") -> bytes:
    """The PDF with one approval signature over all of it: a reader shows it signed and unaltered."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    if not pkcs12.is_file():
        raise Invalid("seal_pkcs12", code="seal.missing", path=pkcs12)
    signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        pkcs12, passphrase=password.encode("utf-8") or None
    )
    if signer is None:
        raise Invalid("seal_password", code="seal.bad_password", path=pkcs12)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
    return bytes(out.getbuffer())


@dataclass(frozen=True)
class SealStatus:
    signed_by: str
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the certificate chains to a trusted root
    covers_whole_file: bool  # nothing was added after the seal

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.covers_whole_file


def check_seal(pdf: bytes, trusted_ca_pem: bytes) -> SealStatus:
    """Validate the PDF's seal against one trusted CA (the one `documents.certs` made, or the office's)."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        _, _, der = pem.unarmor(trusted_ca_pem)
        root = x509.Certificate.load(der)
        root.native  # noqa: B018  (parses it: a damaged certificate fails here, not later)
    except (ValueError, TypeError, KeyError) as error:
        raise Invalid("ca", code="seal.not_pem", detail=error) from error
    context = ValidationContext(trust_roots=[root])
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise Invalid("pdf", code="pdf.unreadable", detail=error) from error
    if not signatures:
        raise Invalid("pdf", code="seal.none")
    status = validate_pdf_signature(signatures[0], context)
    return SealStatus(
        signed_by=status.signing_cert.subject.human_friendly,
        intact=status.intact and status.valid,
        trusted=status.trusted,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )


def sealing_certificate(org: Organisation, cfg: Settings) -> tuple[Path, str] | None:
    """The organisation's own certificate ([seal] in its config), else the settings' one; None: no seal."""
    path, password = org.seal.get("pkcs12", ""), org.seal.get("password", "")
    if not path:
        path, password = cfg.seal_pkcs12, cfg.seal_password
    if not path:
        return None
    return cfg.data_dir / path, password  # an absolute path stays as it is
