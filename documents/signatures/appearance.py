"""The visible part of a signature: the signature or seal image as the appearance of the signature's
own field, so the image belongs to the signature that applies it (the signer's image to the personal
signature over the approved version, the seal to the organisation's at issuance).

The rendered document marks its signature space with named destinations (the template's ids
`chu-ky`, `chu-ky-phai`, `ten-nguoi-ky`): its top left and top right corners, and the top of the
signer's name, which is the space's bottom.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from documents.signatures.images import ImageKind, read_png
from documents.signatures.placement import Rect, seal_rect, signature_rect
from models.errors import Invalid

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader

TOP_LEFT, TOP_RIGHT, NAME = "chu-ky", "chu-ky-phai", "ten-nguoi-ky"


@dataclass(frozen=True)
class Visible:
    """Where a signature's field sits and what it shows; `rect` None: the field is already in the
    document (placed before the personal signature, see `add_seal_field`)."""

    page: int
    rect: Rect | None
    png: bytes


def _reader(pdf: bytes) -> PdfFileReader:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(pdf), strict=False)


def _destinations(reader: PdfFileReader) -> dict[str, tuple[Any, float, float]]:
    names = reader.root.get("/Names")
    dests = names.get_object().get("/Dests") if names is not None else None
    if dests is None:
        return {}
    flat = list(dests.get_object().get("/Names", []))
    return {
        str(name): (target.raw_get(0), float(target[2]), float(target[3]))
        for name, target in zip(flat[::2], (t.get_object() for t in flat[1::2]), strict=True)
    }


def _page_index(reader: PdfFileReader, ref: Any) -> int:
    for index in range(int(reader.root["/Pages"]["/Count"])):
        if reader.find_page_for_modification(index)[0].idnum == ref.idnum:  # type: ignore[no-untyped-call]
            return index
    raise Invalid("pdf", code="signature.no_space")


def line_rects(pdf: bytes, lines: dict[str, tuple[str, str]]) -> dict[str, Rect]:
    """Per field name, the rectangle between two named destinations (a line's top left and its
    bottom right corner marker); a field whose marks the PDF lacks is left out."""
    found = _destinations(_reader(pdf))
    return {
        name: Rect(found[start][1], found[end][2], found[end][1], found[start][2])
        for name, (start, end) in lines.items()
        if start in found and end in found
    }


def signature_space(pdf: bytes) -> tuple[int, Rect]:
    """The page and rectangle between the signature block's title lines and the signer's name."""
    reader = _reader(pdf)
    found = _destinations(reader)
    if not all(name in found for name in (TOP_LEFT, TOP_RIGHT, NAME)):
        raise Invalid("pdf", code="signature.no_space")
    page_ref, x1, top = found[TOP_LEFT]
    _, x2, _ = found[TOP_RIGHT]
    _, _, bottom = found[NAME]
    return _page_index(reader, page_ref), Rect(x1, bottom, x2, top)


def signature_visible(pdf: bytes, png: bytes) -> Visible:
    """The signer's image, centred in the document's signature space."""
    facts = read_png(png, ImageKind.signature)
    page, space = signature_space(pdf)
    return Visible(page, signature_rect(space, facts.width, facts.height), png)


def seal_visible(pdf: bytes, png: bytes, width_mm: float | None, under: Visible | None) -> Visible:
    """The seal at its actual size over the left third of the signer's image `under` (or of the
    signature space when the personal signature shows no image)."""
    facts = read_png(png, ImageKind.seal, width_mm)
    assert facts.width_mm is not None  # read_png requires it for a seal
    if under is not None and under.rect is not None:
        page, rect = under.page, under.rect
    else:
        page, rect = signature_space(pdf)
    return Visible(page, seal_rect(rect, facts.width_mm, facts.width, facts.height), png)


def add_seal_field(pdf: bytes, field: str, seal: Visible) -> bytes:
    """The PDF with the organisation's empty signature field where its seal will show (an incremental
    update). Made before the personal signature certifies the document: a certified document may have
    its signature fields signed later, but pyHanko's validator (stricter than Acrobat) refuses new
    visible ones."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    assert seal.rect is not None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    append_signature_field(writer, SigFieldSpec(field, on_page=seal.page, box=seal.rect.box()))
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def has_field(pdf: bytes, name: str) -> bool:
    form = _reader(pdf).root.get("/AcroForm")
    fields = form.get_object().get("/Fields", []) if form is not None else []
    return any(str(ref.get_object().get("/T")) == name for ref in fields)


def in_placed_field(png: bytes) -> Visible:
    """The seal image for the field `add_seal_field` placed: it fills that field's rectangle."""
    return Visible(0, None, png)


def appearance_kwargs(field: str, visible: Visible | None) -> dict[str, Any]:
    """pyHanko's `PdfSigner` arguments that make the signature's new field show the image; none for
    an invisible signature."""
    from pyhanko.sign.fields import SigFieldSpec

    if visible is None:
        return {}
    if visible.rect is None:
        return {"stamp_style": stamp_style(visible)}
    return {
        "new_field_spec": SigFieldSpec(field, on_page=visible.page, box=visible.rect.box()),
        "stamp_style": stamp_style(visible),
    }


def stamp_style(visible: Visible) -> Any:
    """A stamp that only shows the image, filling the field (no border, no text, fully opaque)."""
    from PIL import Image
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle

    image = Image.open(io.BytesIO(visible.png))
    image.load()
    return StaticStampStyle(
        background=PdfImage(image),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        ),
    )
