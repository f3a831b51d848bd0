"""Names of issuing bodies and signing posts, printed in capitals and wrapped or flattened by copies.

A header's left column names the body above the issuer and the issuer, each on one line or
wrapped over two ("ỦY BAN NHÂN DÂN" / "TỈNH LÂM ĐỒNG"); a copy may also run both onto one line
("ĐẢNG BỘ HUYỆN ĐẠI TỪ ĐẢNG ỦY XÃ LA BẰNG"). A signature's authority line wraps the same way.
"""

from __future__ import annotations

from documents.text_cells import find_authority

# The last words of a line that leave a name unfinished ("TL. CHỦ TỊCH ỦY" / "BAN NHÂN DÂN
# TỈNH"), the first words of a line that finish the name above ("ỦY BAN NHÂN DÂN" / "TỈNH LÂM
# ĐỒNG", "ĐẠI HỘI CHI BỘ" / "NHIỆM KỲ 2015 - 2017"), and the words that link two halves.
_OPEN_ENDINGS = ("ỦY", "UỶ", "BAN", "HỘI ĐỒNG", "CHẤP HÀNH", "THƯỜNG TRỰC", "ĐẠI HỘI")
# Party committees named by their level ("TỈNH ỦY", "ĐẢNG UỶ"): complete names ending in "ỦY".
_COMMITTEES = tuple(
    f"{level} {u}" for level in ("TỈNH", "HUYỆN", "THÀNH", "QUẬN", "THỊ", "ĐẢNG") for u in ("ỦY", "UỶ")
)
_CLOSED_ENDINGS = (*_COMMITTEES, "TRƯỞNG BAN", "PHÓ BAN")  # complete, though their last word is open
_PLACE_WORDS = ("TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "THỊ TRẤN", "XÃ", "PHƯỜNG", "TP.", "TX.")
_QUALIFIERS = ("NHIỆM KỲ", "LẦN THỨ", "KHÓA", "KHOÁ")
_LINKS = ("VÀ", "CỦA", "VỀ", "THUỘC", "&", "-")
# The words a body's name starts with: where a second name starts on a flattened line.
_HEADS = (
    *_COMMITTEES, "ĐẢNG BỘ", "CHI BỘ", "BỘ", "BAN", "VĂN PHÒNG", "ỦY BAN", "UỶ BAN", "HỘI ĐỒNG",
    "SỞ", "PHÒNG", "CỤC", "TỔNG CỤC", "VỤ", "VIỆN", "TRƯỜNG", "BỆNH VIỆN", "TRUNG TÂM",
)  # fmt: skip


def join_wrapped(names: list[str]) -> list[str]:
    """Capitalised lines with the lines that only wrap one name joined: "BỘ" / "CHÍNH TRỊ",
    "ỦY BAN NHÂN DÂN" / "TỈNH LÂM ĐỒNG", "BAN CHẤP HÀNH TRUNG" / "ƯƠNG"."""
    joined: list[str] = []
    for name in names:
        if joined and _wraps(joined[-1], name):
            joined[-1] = f"{joined[-1]} {name}"
        else:
            joined.append(name)
    return joined


def _wraps(above: str, name: str) -> bool:
    if find_authority(name):
        return False
    if len(above.split()) == 1:
        return True
    if len(name.split()) == 1:
        return not _starts_with(name, _HEADS)  # "ƯƠNG" ends the name above; "SỞ" starts the next
    if _ends_with(above, _LINKS) or _starts_with(name, _LINKS + _QUALIFIERS):
        return True
    if _ends_with(above, _OPEN_ENDINGS) and not _ends_with(above, _CLOSED_ENDINGS):
        return True
    return _starts_with(name.upper(), _PLACE_WORDS) and not any(
        f" {w} " in f" {above} " for w in _PLACE_WORDS
    )


def split_flattened(name: str) -> list[str]:
    """One name, or two when a copy ran the body above and the issuer onto one line: a second
    name starts at a body's first word right after a finished name (one ending in a place or
    in "TRUNG ƯƠNG"): "ĐẢNG BỘ HUYỆN ĐẠI TỪ ĐẢNG ỦY XÃ LA BẰNG", not "BAN TUYÊN GIÁO TỈNH ỦY"."""
    words = name.split()
    for w in range(2, len(words)):
        rest = " ".join(words[w:])
        if _starts_with(rest, _HEADS) and _finished(words[:w]):
            return [" ".join(words[:w]), rest]
    return [name]


def _finished(words: list[str]) -> bool:
    text = " ".join(words)
    if text.endswith("TRUNG ƯƠNG"):
        return True
    return any(_starts_with(" ".join(words[k:-1]), _PLACE_WORDS) for k in range(len(words) - 1))


def is_place_line(text: str) -> bool:
    """A place printed in ordinary case under the body's name ("Tỉnh Ninh Bình")."""
    words = text.split()
    capitalised = all(w[:1].isupper() for w in words)
    return len(words) >= 2 and capitalised and _starts_with(text.upper(), _PLACE_WORDS)


def _ends_with(text: str, words: tuple[str, ...]) -> bool:
    return any(f" {text}".endswith(f" {w}") for w in words)


def _starts_with(text: str, words: tuple[str, ...]) -> bool:
    return any(f"{text} ".startswith(f"{w} ") for w in words)
