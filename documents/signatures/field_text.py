"""Text drawn into a PDF field's appearance with the document's own font (Liberation Serif, which
covers Vietnamese), embedded as a subset: a viewer that regenerated the appearance from the field's
/DA would use Helvetica, which has no "ố" or "Đ".

The glyph ids are kept in the subset (CIDToGIDMap /Identity) and a ToUnicode map is added, so the
text can be read back from the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FONTS = Path(__file__).resolve().parents[1] / "fonts"
REGULAR, ITALIC = "LiberationSerif-Regular.ttf", "LiberationSerif-Italic.ttf"
LINE_HEIGHT = 1.3  # templates/documents/plan.html.j2: a line is 1.3 times its font size


@dataclass(frozen=True)
class Style:
    font: str = REGULAR  # a file of documents/fonts
    size: float | None = None  # None: the field's height over the template's line height
    align: str = "centre"  # or "left", "right"
    background: bool = True  # white under the text: it covers the draft's blank placeholder


@cache
def _font(name: str) -> Any:
    from fontTools.ttLib import TTFont

    return TTFont(str(FONTS / name))


def text_width(text: str, style: Style) -> float:
    assert style.size is not None
    font = _font(style.font)
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = sum(metrics[cmap.get(ord(ch), ".notdef")][0] for ch in text)
    return float(units * style.size / font["head"].unitsPerEm)


def _subset(name: str, text: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.retain_gids = True  # glyph ids stay the CIDs the content stream shows
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetted = TTFont(str(FONTS / name))  # a fresh copy: subsetting changes it
    subsetter.subset(subsetted)
    out = io.BytesIO()
    subsetted.save(out)
    return out.getvalue()


def _to_unicode(pairs: dict[int, str]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
        f"{len(pairs)} beginbfchar",
        *(f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for gid, ch in sorted(pairs.items())),
        "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end",
    ]
    return "\n".join(lines).encode("ascii")


def _font_dict(writer: Any, style: Style, text: str) -> Any:
    """A Type0 font of the characters of `text`, added to `writer`."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name

    font = _font(style.font)
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    scale = 1000 / font["head"].unitsPerEm
    gids = {font.getGlyphID(cmap.get(ord(ch), ".notdef")): ch for ch in text}
    base = pdf_name("/BANHAN+" + font["name"].getDebugName(6))
    head, os2 = font["head"], font["OS/2"]
    file_stream = generic.StreamObject(stream_data=_subset(style.font, text))
    file_stream.compress()
    descriptor = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/FontDescriptor"),
            pdf_name("/FontName"): base,
            pdf_name("/Flags"): generic.NumberObject(34 if style.font == REGULAR else 98),
            pdf_name("/FontBBox"): generic.ArrayObject(
                generic.NumberObject(round(v * scale)) for v in (head.xMin, head.yMin, head.xMax, head.yMax)
            ),
            pdf_name("/ItalicAngle"): generic.NumberObject(0 if style.font == REGULAR else -12),
            pdf_name("/Ascent"): generic.NumberObject(round(os2.sTypoAscender * scale)),
            pdf_name("/Descent"): generic.NumberObject(round(os2.sTypoDescender * scale)),
            pdf_name("/CapHeight"): generic.NumberObject(round(getattr(os2, "sCapHeight", 662) * scale)),
            pdf_name("/StemV"): generic.NumberObject(80),
            pdf_name("/FontFile2"): writer.add_object(file_stream),
        }
    )
    widths = generic.ArrayObject()
    for gid in sorted(gids):
        name = font.getGlyphName(gid)
        widths.extend(
            [
                generic.NumberObject(gid),
                generic.ArrayObject([generic.NumberObject(round(metrics[name][0] * scale))]),
            ]
        )
    cid_font = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
            pdf_name("/BaseFont"): base,
            pdf_name("/CIDSystemInfo"): generic.DictionaryObject(
                {
                    pdf_name("/Registry"): generic.TextStringObject("Adobe"),
                    pdf_name("/Ordering"): generic.TextStringObject("Identity"),
                    pdf_name("/Supplement"): generic.NumberObject(0),
                }
            ),
            pdf_name("/FontDescriptor"): writer.add_object(descriptor),
            pdf_name("/W"): widths,
            pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
        }
    )
    to_unicode = generic.StreamObject(stream_data=_to_unicode(gids))
    to_unicode.compress()
    return writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type0"),
                pdf_name("/BaseFont"): base,
                pdf_name("/Encoding"): pdf_name("/Identity-H"),
                pdf_name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
                pdf_name("/ToUnicode"): writer.add_object(to_unicode),
            }
        )
    )


def commands(font_name: str, lines: list[str], width: float, height: float, style: Style) -> bytes:
    """The content stream showing `lines` (top to bottom, a line each, the block vertically centred)
    with the font resource `font_name`."""
    assert style.size is not None
    font = _font(style.font)
    cmap = font.getBestCmap()
    descent = -font["OS/2"].sTypoDescender * style.size / font["head"].unitsPerEm
    leading = style.size * LINE_HEIGHT if len(lines) > 1 else style.size
    top = (height + leading * len(lines)) / 2  # the first line's top
    out = ["/Tx BMC", "q"]
    if style.background:
        out.append(f"1 g 0 0 {width:.2f} {height:.2f} re f")
    out += ["BT", "0 g", f"{font_name} {style.size:.2f} Tf"]
    for n, text in enumerate(lines):
        glyphs = "".join(f"{font.getGlyphID(cmap.get(ord(ch), '.notdef')):04X}" for ch in text)
        line = text_width(text, style)
        x = {"centre": (width - line) / 2, "right": width - line}.get(style.align, 0.0)
        y = top - leading * n - (leading + style.size) / 2 + descent
        out += [f"1 0 0 1 {x:.2f} {y:.2f} Tm", f"<{glyphs}> Tj"]
    out += ["ET", "Q", "EMC"]
    return "\n".join(out).encode("ascii")


def font_resource(writer: Any, text: str, style: Style) -> Any:
    """The embedded font of the characters of `text`, added to `writer`."""
    return _font_dict(writer, style, text)


def appearance(writer: Any, text: str, width: float, height: float, style: Style) -> Any:
    """A form XObject `width` × `height` points showing `text` on one line, vertically centred,
    aligned as `style` says; added to `writer`."""
    from dataclasses import replace

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name

    if style.size is None:
        style = replace(style, size=round(height / LINE_HEIGHT, 1))
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                [
                    generic.FloatObject(0),
                    generic.FloatObject(0),
                    generic.FloatObject(width),
                    generic.FloatObject(height),
                ]
            ),
            pdf_name("/Resources"): generic.DictionaryObject(
                {
                    pdf_name("/Font"): generic.DictionaryObject(
                        {pdf_name("/F1"): font_resource(writer, text, style)}
                    )
                }
            ),
        },
        stream_data=commands("/F1", [text], width, height, style),
    )
    return writer.add_object(stream)
