"""Trust anchors: the roots an installation configures (never built in) and the validation context."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.errors import Invalid

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko_certvalidator import ValidationContext

FIELD = "trust_anchors"


def parse_anchors(data: bytes, source: str) -> list[x509.Certificate]:
    """Every certificate of a PEM (or one DER) file; none, or a damaged one, is `Invalid`."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    try:
        ders = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        certs = [asn1_x509.Certificate.load(der) for der in ders]
        for cert in certs:
            cert.native  # noqa: B018  (parses it: a damaged certificate fails here, not during validation)
    except (ValueError, TypeError, KeyError) as error:
        raise Invalid(FIELD, code="cert.unreadable", source=source, detail=error) from error
    if not certs:
        raise Invalid(FIELD, code="signature.no_anchor_in_file", source=source)
    return certs


def load_anchors(paths: Iterable[Path]) -> list[x509.Certificate]:
    anchors: list[x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise Invalid(FIELD, code="file.unreadable", path=path, error=error.strerror or error) from error
        anchors.extend(parse_anchors(data, str(path)))
    return anchors


def anchor_paths(setting: str) -> list[Path]:
    """The comma-separated files of `BANHANH_TRUST_ANCHORS`."""
    return [Path(part.strip()) for part in setting.split(",") if part.strip()]


def context_kwargs(anchors: Sequence[x509.Certificate], *, online: bool = True) -> dict[str, Any]:
    """Only the given anchors are trusted; revocation is required ('hard-fail'), fetched when online."""
    if not anchors:
        raise Invalid(FIELD, code="signature.no_anchor")
    return {"trust_roots": list(anchors), "allow_fetching": online, "revocation_mode": "hard-fail"}


def validation_context(anchors: Sequence[x509.Certificate], *, online: bool = True) -> ValidationContext:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(**context_kwargs(anchors, online=online))
