"""Text form fields for what is decided after the personal signature (the number, the date): added
empty before it, filled in a later revision, which its DocMDP "fill forms" permits."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from documents.signatures.field_text import ITALIC, REGULAR, Style, appearance
from models.errors import Invalid

Rect = tuple[float, float, float, float]  # PDF points from the page's lower left corner
# How the issuance draws what it fills in: the number upright, the date line italic (as the template
# prints them, at their line's size), the audit anchor small at the page foot.
ISSUANCE_STYLES = {
    "SoKyHieu": Style(REGULAR),
    "NgayThang": Style(ITALIC),
    "NhatKyKiemChung": Style(REGULAR, size=7.0, align="left", background=False),
}


def add_text_fields(pdf: bytes, fields: Mapping[str, Rect], page: int = 0) -> bytes:
    """The PDF with one empty text field per name, on `page` at its rectangle (an incremental update)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"][page]
    page_obj = page_ref.get_object()
    form = writer.root.get("/AcroForm")
    if form is None:
        form = generic.DictionaryObject({generic.NameObject("/Fields"): generic.ArrayObject()})
        writer.root[generic.NameObject("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    form = form.get_object()
    annots = page_obj.get("/Annots")
    if annots is None:
        annots = page_obj[generic.NameObject("/Annots")] = generic.ArrayObject()
    for name, rect in fields.items():
        widget = generic.DictionaryObject(
            {
                generic.NameObject("/FT"): generic.NameObject("/Tx"),
                generic.NameObject("/T"): generic.TextStringObject(name),
                generic.NameObject("/V"): generic.TextStringObject(""),
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
                generic.NameObject("/F"): generic.NumberObject(4),  # printed
                generic.NameObject("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in rect),
                generic.NameObject("/DA"): generic.TextStringObject("/Helv 13 Tf 0 g"),
            }
        )
        ref = writer.add_object(widget)
        form["/Fields"].append(ref)
        annots.append(ref)
    writer.update_container(form)
    writer.update_container(page_obj)
    return _written(writer)


def fill_text_fields(
    pdf: bytes, values: Mapping[str, str], styles: Mapping[str, Style] | None = None
) -> bytes:
    """The PDF with the named text fields' values set (an incremental update); unknown names are `Invalid`.

    A field given a style also gets its appearance drawn with the embedded document font
    (`field_text`), so every viewer shows the value as the document prints it.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    form = writer.root.get("/AcroForm")
    found = {
        str(ref.get_object().get("/T")): ref.get_object()
        for ref in (form.get_object()["/Fields"] if form else ())
    }
    missing = [name for name in values if name not in found]
    if missing:
        raise Invalid("fields", code="signature.no_field", names=", ".join(missing))
    for name, value in values.items():
        field = found[name]
        field[generic.NameObject("/V")] = generic.TextStringObject(value)
        if styles and name in styles:
            x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
            look = appearance(writer, value, x2 - x1, y2 - y1, styles[name])
            field[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): look})
        writer.update_container(field)
    return _written(writer)


def _written(writer: Any) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
