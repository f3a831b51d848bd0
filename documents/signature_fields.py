"""The signature block (ô 7a–7c): the authority and title lines, the signer's name, the form.

The cells come from the closing table's right column in reading order; copies cut the form
from its post ("K/T" / "TRƯỞNG BAN"), wrap a long authority line, or glue the name to the title
above it ("CHÁNH VĂN PHÒNGThái Hữu Phép").
"""

from __future__ import annotations

from dataclasses import dataclass

from documents.body_names import join_wrapped
from documents.text_cells import Line, find_authority, form_of, is_bare_form, is_upper, looks_like_name
from models.notes import Note

TITLE_LINES_MAX = 6  # authority and title lines as copied, wrapped ones apart


@dataclass(frozen=True)
class Signature:
    lines: tuple[str, ...]
    name: str | None
    form: str


def read_signature(signed: list[tuple[Line, str]]) -> tuple[Signature | None, list[Note]]:
    """Authority and title lines, then the signer's name; what follows the name is page furniture.
    Capitals with neither a form (T/M, TM. …) nor a name under them are no signature."""
    signed = _with_bare_forms_joined([(line, part) for line, text in signed for part in _unglued(text)])
    start = next((n for n, (_, c) in enumerate(signed) if find_authority(c)), None)
    if start is None:
        start = next((n for n, (_, c) in enumerate(signed) if is_upper(c) or looks_like_name(c)), len(signed))
    notes = [Note(f"line {line.number}", "fields.before_signature", text=c) for line, c in signed[:start]]
    titles: list[str] = []
    name: str | None = None
    rest = signed[start:]
    for n, (_, text) in enumerate(rest):
        if is_upper(text) and len(titles) < TITLE_LINES_MAX and name is None:
            titles.append(text)
            continue
        if name is None and looks_like_name(text):
            name = text
            continue
        notes += [Note(f"line {ln.number}", "fields.after_signature", text=c) for ln, c in rest[n:]]
        break
    authority = find_authority(titles[0]) if titles else None
    if authority is None and name is None:
        return None, notes
    form = form_of(authority.group(1)) if authority else ""
    return Signature(tuple(join_wrapped(titles)), name, form), notes


def _with_bare_forms_joined(signed: list[tuple[Line, str]]) -> list[tuple[Line, str]]:
    """ "K/T" alone on its line joined to the title under it: "K/T TRƯỞNG BAN"."""
    joined: list[tuple[Line, str]] = []
    for line, text in signed:
        if joined and is_bare_form(joined[-1][1]):
            joined[-1] = (joined[-1][0], f"{joined[-1][1]} {text}")
        else:
            joined.append((line, text))
    return joined


def _unglued(text: str) -> list[str]:
    """A title and the name glued to it by the copy ("CHÁNH VĂN PHÒNGThái Hữu Phép"), apart."""
    for i in range(2, len(text) - 1):
        if text[i].isupper() and text[i + 1].islower() and is_upper(text[:i]) and looks_like_name(text[i:]):
            return [text[:i], text[i:]]
    return [text]
