"""What a Word paragraph or run looks like once its styles are applied: bold, italic, capitals,
superscript, alignment, and the label of an automatic list ("-", "1.", "a)", "I.").

Direct formatting wins over the character style, which wins over the paragraph style, each
followed up its `basedOn` chain (document defaults are not consulted: they are never bold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

_OFF = {"0", "false", "off", "none"}
_FLAGS = {"bold": "w:b", "italic": "w:i", "caps": "w:caps"}


def _flag(properties: Any, tag: str) -> bool | None:
    """A toggle property (w:b, w:i, w:caps) set in `properties`, or None when not set there."""
    if properties is None:
        return None
    element = properties.find(qn(tag))
    if element is None:
        return None
    return element.get(qn("w:val"), "true").lower() not in _OFF


def _vert_align(properties: Any) -> str | None:
    if properties is None:
        return None
    element = properties.find(qn("w:vertAlign"))
    return None if element is None else str(element.get(qn("w:val"), ""))


@dataclass(frozen=True)
class RunLook:
    bold: bool = False
    italic: bool = False
    caps: bool = False
    superscript: bool = False


class Styles:
    """Resolves effective run and paragraph formatting through the document's styles."""

    def __init__(self, document: Document) -> None:
        self._by_id: dict[str, Any] = {}
        for style in document.styles:
            self._by_id[style.style_id] = style
        self._default_paragraph = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)

    def _chain(self, style_id: str | None, default: Any = None) -> list[Any]:
        style = self._by_id.get(style_id) if style_id else default
        chain: list[Any] = []
        while style is not None and style not in chain:
            chain.append(style)
            style = style.base_style
        return chain

    def paragraph_styles(self, p: Any) -> list[Any]:
        ppr = p.find(qn("w:pPr"))
        pstyle = None if ppr is None else ppr.find(qn("w:pStyle"))
        style_id = None if pstyle is None else pstyle.get(qn("w:val"))
        return self._chain(style_id, self._default_paragraph)

    def style_name(self, p: Any) -> str:
        chain = self.paragraph_styles(p)
        return str(chain[0].name or "") if chain else ""

    def run_look(self, r: Any, p: Any) -> RunLook:
        rpr = r.find(qn("w:rPr"))
        rstyle = None if rpr is None else rpr.find(qn("w:rStyle"))
        layers = [rpr]
        layers += [s.element.rPr for s in self._chain(None if rstyle is None else rstyle.get(qn("w:val")))]
        layers += [s.element.rPr for s in self.paragraph_styles(p)]
        values: dict[str, bool] = {}
        for name, tag in _FLAGS.items():
            values[name] = next((v for v in (_flag(layer, tag) for layer in layers) if v is not None), False)
        vert = next((v for v in (_vert_align(layer) for layer in layers) if v is not None), "")
        return RunLook(superscript=vert == "superscript", **values)

    def centred(self, p: Any) -> bool:
        ppr = p.find(qn("w:pPr"))
        layers = [ppr] + [s.element.pPr for s in self.paragraph_styles(p)]
        for layer in layers:
            jc = None if layer is None else layer.find(qn("w:jc"))
            if jc is not None:
                return bool(jc.get(qn("w:val")) == "center")
        return False

    def num_pr(self, p: Any) -> tuple[str, int] | None:
        """(numId, level) of an automatic list paragraph, from the paragraph or its style."""
        ppr = p.find(qn("w:pPr"))
        layers = [ppr] + [s.element.pPr for s in self.paragraph_styles(p)]
        for layer in layers:
            num = None if layer is None else layer.find(qn("w:numPr"))
            if num is None:
                continue
            num_id = num.find(qn("w:numId"))
            ilvl = num.find(qn("w:ilvl"))
            value = "0" if num_id is None else str(num_id.get(qn("w:val"), "0"))
            return (
                (value, int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0) if value != "0" else None
            )
        return None


_ROMAN: tuple[tuple[int, str], ...] = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
)
_ROMAN += ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str


class Lists:
    """Labels of automatic lists, counted in reading order as Word counts them."""

    def __init__(self, document: Document) -> None:
        self._levels: dict[str, dict[int, _Level]] = {}
        self._abstract_of: dict[str, str] = {}
        self._restart: set[str] = set()
        self._counters: dict[str, dict[int, int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstracts: dict[str, dict[int, _Level]] = {}
        for abstract in numbering.findall(qn("w:abstractNum")):
            abstracts[abstract.get(qn("w:abstractNumId"))] = {
                int(lvl.get(qn("w:ilvl"), "0")): _level(lvl) for lvl in abstract.findall(qn("w:lvl"))
            }
        for num in numbering.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            ref = num.find(qn("w:abstractNumId"))
            abstract_id = "" if ref is None else str(ref.get(qn("w:val")))
            self._abstract_of[num_id] = abstract_id
            self._levels[num_id] = abstracts.get(abstract_id, {})
            if num.find(qn("w:lvlOverride")) is not None:
                self._restart.add(num_id)

    def label(self, num_id: str, level: int) -> str | None:
        """ "-" for a bullet, "1." / "a)" / "I." for a numbered item; None when unknown."""
        levels = self._levels.get(num_id)
        if not levels or level not in levels:
            return None
        spec = levels[level]
        if spec.fmt == "bullet":
            return "-"
        if spec.fmt == "none":
            return spec.text or None
        key = self._abstract_of[num_id]
        if num_id in self._restart:
            self._restart.discard(num_id)
            self._counters[key] = {}
        counters = self._counters.setdefault(key, {})
        counters[level] = counters.get(level, spec.start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        text = spec.text
        for k in range(level + 1):
            outer = levels.get(k)
            if outer is not None:
                value = counters.get(k, outer.start)
                text = text.replace(f"%{k + 1}", format_number(value, outer.fmt))
        return text.strip() or None


def _level(lvl: Any) -> _Level:
    def value(tag: str, default: str) -> str:
        element = lvl.find(qn(tag))
        return default if element is None else str(element.get(qn("w:val"), default))

    return _Level(
        start=int(value("w:start", "1")), fmt=value("w:numFmt", "decimal"), text=value("w:lvlText", "")
    )
