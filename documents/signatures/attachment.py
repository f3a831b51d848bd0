"""The organisation's signature on an attachment in its own file (NĐ 30 Phụ lục I): no image; at
the top right of page 1, the document's number and symbol and the signing time (ISO 8601, Vietnam
time), Times-metric 10 pt, upright, black."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from documents.signatures.field_text import REGULAR, Style
from documents.signatures.placement import MM, Rect
from models.numbering import VN_TZ

if TYPE_CHECKING:
    from asn1crypto import x509

    from documents.signatures.keys import SigningKey

FIELD = "PhatHanhPhuLuc"
TEXT = Style(REGULAR, size=10.0, align="right", background=False)
# Inside the top margin of an A4 page, against the right margin (15 mm, NĐ 30 / HD 36 layout).
BOX = Rect(595.28 - 15 * MM - 240, 842 - 8 * MM - 30, 595.28 - 15 * MM, 842 - 8 * MM)


def lines(symbol: str, at: datetime) -> list[str]:
    """The two lines the field shows: the number and symbol, the signing time with its offset."""
    return [symbol, at.astimezone(VN_TZ).isoformat(timespec="seconds")]


@dataclass(frozen=True)
class _Style:
    """A pyHanko stamp style that draws `lines` with the embedded document font."""

    lines: tuple[str, ...]

    def create_stamp(self, writer: Any, box: Any, text_params: dict[str, Any]) -> Any:
        from pyhanko.pdf_utils.content import AppearanceContent, ResourceType
        from pyhanko.pdf_utils.generic import pdf_name

        from documents.signatures.field_text import commands, font_resource

        shown = list(self.lines)

        class Stamp(AppearanceContent):
            def render(self) -> bytes:
                font = font_resource(self._ensure_writer, "".join(shown), TEXT)
                self.set_resource(category=ResourceType.FONT, name=pdf_name("/F1"), value=font)
                return commands("/F1", shown, self.box.width, self.box.height, TEXT)

        return Stamp(writer=writer, box=box)


def sign_attachment(
    pdf: bytes,
    key: SigningKey,
    symbol: str,
    *,
    tsa_url: str,
    trust_anchors: list[x509.Certificate],
    at: datetime | None = None,
) -> bytes:
    """The attachment signed by the organisation (PAdES B-LT, timestamped), its field showing the
    number and symbol and the signing time (taken as the signing starts, to the second)."""
    from pyhanko.sign.fields import SigFieldSpec

    from documents.signatures.certificates import Kind
    from documents.signatures.sign import sign_pdf

    moment = at or datetime.now(VN_TZ)
    return sign_pdf(
        pdf,
        key,
        kind=Kind.organisation,
        tsa_url=tsa_url,
        trust_anchors=trust_anchors,
        reason=f"Ban hành {symbol}",
        field=FIELD,
        appearance={
            "new_field_spec": SigFieldSpec(FIELD, on_page=0, box=BOX.box()),
            "stamp_style": _Style(tuple(lines(symbol, moment))),
        },
    )
