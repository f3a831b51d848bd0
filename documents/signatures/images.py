"""Signature and seal images (NĐ 30 Phụ lục I): a PNG with transparency, checked from its chunks.

The signature image (blue) is scaled into the signature space; the seal image (red) is printed at
its actual size, read from the PNG's pHYs chunk unless given in millimetres.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum

from models.errors import Invalid

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 1_000_000  # a scanned signature or seal at 300-600 dpi is a few hundred kB at most
MIN_SIDE, MAX_SIDE = 40, 4000  # pixels
SEAL_MM = (20.0, 60.0)  # Nghị định 99/2016: seals are a few centimetres across, no more
_ALPHA_TYPES = (4, 6)  # grey + alpha, RGB + alpha (PNG colour types)


class ImageKind(StrEnum):
    signature = "signature"  # a person's handwritten signature, blue
    seal = "seal"  # the organisation's seal, red, at actual size


@dataclass(frozen=True)
class ImageFacts:
    width: int  # pixels
    height: int
    width_mm: float | None  # physical width: from pHYs or as given; None when neither says


def _chunks(data: bytes) -> dict[bytes, bytes]:
    """The first of each chunk type; a truncated file or a bad CRC is `ValueError`."""
    found: dict[bytes, bytes] = {}
    at = len(PNG_MAGIC)
    while at < len(data):
        if at + 8 > len(data):
            raise ValueError("truncated chunk header")
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        body = data[at + 8 : at + 8 + length]
        crc = data[at + 8 + length : at + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise ValueError(f"damaged {kind.decode('latin-1')} chunk")
        found.setdefault(kind, body)
        if kind == b"IEND":
            break
        at += 12 + length
    return found


def read_png(data: bytes, kind: ImageKind, width_mm: float | None = None) -> ImageFacts:
    """The image's facts when it is a PNG with transparency of sane size; else `Invalid` naming the
    field (`kind`) and the reason."""
    field = kind.value
    if len(data) > MAX_BYTES:
        raise Invalid(field, code="image.too_big", size=len(data), limit=MAX_BYTES)
    if not data.startswith(PNG_MAGIC):
        raise Invalid(field, code="image.not_png")
    try:
        chunks = _chunks(data)
        width, height, _, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    except (ValueError, KeyError, struct.error) as error:
        raise Invalid(field, code="image.damaged", detail=error) from error
    if b"IDAT" not in chunks:
        raise Invalid(field, code="image.damaged", detail="no image data")
    if colour_type not in _ALPHA_TYPES and b"tRNS" not in chunks:
        raise Invalid(field, code="image.no_transparency")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise Invalid(
            field, code="image.bad_dimensions", width=width, height=height, low=MIN_SIDE, high=MAX_SIDE
        )
    if width_mm is None and (phys := chunks.get(b"pHYs")) is not None and len(phys) == 9:
        per_x, _, unit = struct.unpack(">IIB", phys)
        if unit == 1 and per_x > 0:  # pixels per metre
            width_mm = round(width / per_x * 1000, 1)
    _decodes(data, field)
    if kind is ImageKind.seal:
        low, high = SEAL_MM
        if width_mm is None:
            raise Invalid(field, code="image.no_physical_size")
        if not low <= width_mm <= high:
            raise Invalid(field, code="image.seal_size", width_mm=width_mm, low=low, high=high)
    return ImageFacts(width, height, width_mm)


def _decodes(data: bytes, field: str) -> None:
    """The pixels decode (a valid header over damaged image data fails here, not at signing)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        raise Invalid(field, code="image.damaged", detail=error) from error
