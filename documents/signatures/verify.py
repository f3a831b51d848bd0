"""Verifying every signature of a PDF with pyHanko's validator: one report per signature, each check
named, so a person sees who signed, when, with what timestamp, and what failed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from documents.signatures.certificates import Kind, common_name, kind_of
from documents.signatures.trust import context_kwargs
from models.errors import Invalid
from models.numbering import VN_TZ

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureStatus
    from pyhanko_certvalidator import ValidationContext


@dataclass(frozen=True)
class SignatureReport:
    field: str
    signer: str  # the certificate's common name
    subject: str
    serial: str  # hex, as a CA prints it
    kind: Kind  # read from the certificate
    signing_time: datetime | None  # Asia/Ho_Chi_Minh: the timestamp's time, else the signer's claim
    timestamp: datetime | None  # Asia/Ho_Chi_Minh
    timestamp_authority: str  # "" without a timestamp
    timestamp_ok: bool
    intact: bool  # the signed bytes are unchanged and the signature over them is valid
    modification: str  # what later revisions changed: none, lta_updates, form_filling, annotations, other
    docmdp_ok: bool  # later changes stay within what a certifying signature permits
    chained: bool  # the certificate chains to a configured anchor
    anchor: str  # that anchor's common name
    revocation: str  # good, revoked (since, reason) or unknown
    revocation_embedded: bool  # OCSP answers or CRLs are stored in the PDF (PAdES B-LT)
    coverage: str = (
        ""  # entire_file, entire_revision (a later revision follows) or contiguous_block_from_start
    )
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("signing_time", "timestamp"):
            out[name] = out[name].isoformat() if out[name] else None
        out["kind"] = self.kind.value
        out["problems"] = list(self.problems)
        out["ok"] = self.ok
        return out


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(VN_TZ) if moment is not None else None


def _read(pdf: bytes) -> PdfFileReader:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        reader.embedded_signatures  # noqa: B018  (reads the signature fields: a damaged file fails here)
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise Invalid("pdf", code="pdf.unreadable", detail=error) from error
    return reader


def _is_document_timestamp(signature: EmbeddedPdfSignature) -> bool:
    return bool(signature.sig_object_type == "/DocTimeStamp")


def _timestamp_time(signature: EmbeddedPdfSignature) -> datetime | None:
    """When the signature's RFC 3161 token says it existed (read, not yet validated)."""
    if _is_document_timestamp(signature):  # the token is the whole CMS object
        tst_info = signature.signed_data["encap_content_info"]["content"].parsed
        stamped: datetime = tst_info["gen_time"].native
        return stamped
    unsigned = signature.signer_info["unsigned_attrs"]
    for attribute in unsigned if unsigned.native else ():
        if attribute["type"].native == "signature_time_stamp_token":
            tst_info = attribute["values"][0]["content"]["encap_content_info"]["content"].parsed
            moment: datetime = tst_info["gen_time"].native
            return moment
    return None


def _context(
    reader: PdfFileReader, signature: EmbeddedPdfSignature, anchors: Sequence[x509.Certificate], online: bool
) -> tuple[ValidationContext, bool]:
    """A validation context holding the PDF's own revocation data (its DSS); whether it had any.

    Offline, the chain is validated at the time of the signature's timestamp, on that data alone
    (what PAdES B-LT keeps it for): years later, expired certificates and old OCSP answers still
    show whether the certificate was good when it signed.
    """
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    from pyhanko_certvalidator import ValidationContext

    kwargs = context_kwargs(anchors, online=online)
    moment = None if online else _timestamp_time(signature)
    if moment is not None:
        kwargs.update(moment=moment, retroactive_revinfo=True)
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:  # offline, then nothing can show the certificate was not revoked
        return ValidationContext(**kwargs, ocsps=[], crls=[]), False
    return dss.as_validation_context(kwargs), bool(dss.ocsps or dss.crls)


def _revocation(status: SignatureStatus) -> str:
    details = status.revocation_details
    if details is not None:
        since = _local(details.revocation_date)
        return f"revoked since {since:%Y-%m-%d %H:%M} ({details.revocation_reason.native})"
    if not status.trusted:
        return "unknown"
    cert = status.signing_cert
    if not (cert.ocsp_urls or cert.crl_distribution_points):
        return "not checked: the certificate names no OCSP responder or CRL"
    return "good"


def _problems(status: PdfSignatureStatus, embedded: bool, report: dict[str, Any]) -> list[str]:
    from pyhanko.sign.diff_analysis import ModificationLevel

    problems = []
    if not report["intact"]:
        problems.append("not intact: the signed bytes were changed after signing")
    if status.modification_level is None or status.modification_level > ModificationLevel.FORM_FILLING:
        problems.append(f"changed after signing beyond filling form fields ({report['modification']})")
    if not report["docmdp_ok"]:
        problems.append("changed beyond what the certifying signature permits")
    if status.revocation_details is not None:
        problems.append(f"certificate {report['revocation']}")
    elif not report["chained"]:
        problems.append(
            f"certificate not trusted: {status.trust_problem_indic or 'no path to a trust anchor'}"
        )
    if report["timestamp"] is None:
        problems.append("no timestamp")
    elif not report["timestamp_ok"]:
        problems.append("timestamp not valid or not trusted")
    if not embedded:
        problems.append("no revocation data embedded (not PAdES B-LT)")
    return problems


def verify_pdf(
    pdf: bytes, trust_anchors: Sequence[x509.Certificate], *, online: bool = True
) -> list[SignatureReport]:
    """One report per signature, in signing order; a PDF without a signature is `Invalid`.

    Revocation is checked against the data the PDF embeds and, when `online`, the responders the
    certificates name; offline, at the time of each signature's timestamp.
    """
    from pyhanko.sign.validation import validate_pdf_signature

    context_kwargs(trust_anchors)  # no anchor: refused before the PDF is read
    reader = _read(pdf)
    signatures = reader.embedded_signatures
    if not signatures:
        raise Invalid("pdf", code="signature.none")
    reports = []
    for signature in signatures:
        context, embedded = _context(reader, signature, trust_anchors, online)
        if _is_document_timestamp(signature):
            reports.append(_document_timestamp(signature, context, embedded))
            continue
        status = validate_pdf_signature(signature, context)
        cert = status.signing_cert
        ts = status.timestamp_validity
        path = status.validation_path
        fields: dict[str, Any] = {
            "field": signature.field_name,
            "signer": common_name(cert.subject),
            "subject": cert.subject.human_friendly,
            "serial": format(cert.serial_number, "x"),
            "kind": kind_of(cert),
            "signing_time": _local(ts.timestamp if ts is not None else status.signer_reported_dt),
            "timestamp": _local(ts.timestamp) if ts is not None else None,
            "timestamp_authority": common_name(ts.signing_cert.subject) if ts is not None else "",
            "timestamp_ok": ts is not None and ts.intact and ts.valid and ts.trusted,
            "intact": status.intact and status.valid,
            "modification": status.modification_level.name.lower()
            if status.modification_level
            else "unknown",
            "docmdp_ok": status.docmdp_ok is not False,
            "chained": status.trusted,
            "anchor": common_name(path.trust_anchor.authority.name) if status.trusted and path else "",
            "revocation": _revocation(status),
            "revocation_embedded": embedded,
            "coverage": status.coverage.name.lower() if status.coverage else "unknown",
        }
        reports.append(SignatureReport(**fields, problems=tuple(_problems(status, embedded, fields))))
    return reports


def _document_timestamp(
    signature: EmbeddedPdfSignature, context: ValidationContext, embedded: bool
) -> SignatureReport:
    """A document timestamp (B-LTA) reported like a signature whose signer is the TSA: intact, trusted,
    not revoked, and nothing but validation data (DSS, later timestamps) added after it."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    status = validate_pdf_timestamp(signature, context)
    cert = status.signing_cert
    path = status.validation_path
    moment = _local(status.timestamp)
    fields: dict[str, Any] = {
        "field": signature.field_name,
        "signer": common_name(cert.subject),
        "subject": cert.subject.human_friendly,
        "serial": format(cert.serial_number, "x"),
        "kind": Kind.document_timestamp,
        "signing_time": moment,
        "timestamp": moment,
        "timestamp_authority": common_name(cert.subject),
        "timestamp_ok": status.intact and status.valid and status.trusted,
        "intact": status.intact and status.valid,
        "modification": status.modification_level.name.lower() if status.modification_level else "unknown",
        "docmdp_ok": status.docmdp_ok is not False,
        "chained": status.trusted,
        "anchor": common_name(path.trust_anchor.authority.name) if status.trusted and path else "",
        "revocation": _revocation(status),
        "revocation_embedded": embedded,
        "coverage": status.coverage.name.lower() if status.coverage else "unknown",
    }
    problems = []
    if not fields["intact"]:
        problems.append("not intact: the timestamped bytes were changed after the document timestamp")
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
        status.modification_level is None or status.modification_level > ModificationLevel.LTA_UPDATES
    ):
        problems.append(f"changed after the document timestamp ({fields['modification']})")
    if not fields["chained"]:
        problems.append(f"timestamp not trusted: {status.trust_problem_indic or 'no path to a trust anchor'}")
    if not embedded:
        problems.append("no revocation data embedded (not PAdES B-LT)")
    return SignatureReport(**fields, problems=tuple(problems))
