"""Where NĐ 30 Phụ lục I puts the images of a signed document (pure geometry, PDF points from the
page's lower left corner).

The signature image is centred in the signature space, between the title lines and the signer's
name; the seal, at its actual size, covers about the left third of the signature image.
"""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4  # PDF points per millimetre
MARGIN = 2.0  # points kept clear above and below the signature image


@dataclass(frozen=True)
class Rect:
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2

    def box(self) -> tuple[int, int, int, int]:
        """Whole points, as a PDF field's rectangle (rounded outwards)."""
        return int(self.x1), int(self.y1), int(self.x2 + 0.999), int(self.y2 + 0.999)


def signature_rect(space: Rect, width_px: int, height_px: int) -> Rect:
    """The image's rectangle: as large as the space allows at its aspect ratio, centred in it."""
    room_w, room_h = space.width, space.height - 2 * MARGIN
    scale = min(room_w / width_px, room_h / height_px)
    w, h = width_px * scale, height_px * scale
    cx, cy = space.centre
    return Rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def seal_rect(signature: Rect, width_mm: float, width_px: int, height_px: int) -> Rect:
    """The seal at `width_mm` across, its right edge a third of the way into the signature image,
    centred on it vertically."""
    w = width_mm * MM
    h = w * height_px / width_px
    right = signature.x1 + signature.width / 3
    cy = signature.centre[1]
    return Rect(right - w, cy - h / 2, right, cy + h / 2)
