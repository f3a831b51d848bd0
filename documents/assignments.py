"""Assignments drafted from a plan's own text: who leads, who supports, who follows, and when.

The "Tổ chức thực hiện" section names, item by item, the unit that carries a task out (chủ trì),
the units that help (phối hợp), the one that follows and urges the whole plan (theo dõi, đôn
đốc) and when to report: a date ("trước ngày 15/12/2025"), a cadence ("định kỳ", "hằng quý")
or a milestone ("sơ kết", "tổng kết": the secretariat sets its date). A paragraph elsewhere
that gives a unit a task with a time is drafted too. What is drafted is a proposal for the
secretariat to confirm. Pure: no I/O.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from documents.markup import BULLET_RE, HEADING1_RE, LETTERED_RE, MARKER_RE, NUMBERED_RE
from models.addressing import Entry, match_unit, normalise
from models.content import FORM_RE


class DeadlineKind(StrEnum):
    DATE = "date"
    CADENCE = "cadence"
    MILESTONE = "milestone"
    NONE = "none"


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    PERIODIC = "periodic"  # "định kỳ" without a period: the secretariat picks one


class Milestone(StrEnum):
    INTERIM = "so_ket"
    FINAL = "tong_ket"


@dataclass(frozen=True)
class Deadline:
    """When the lead unit reports or finishes. A cadence wins over a date ("hằng năm, trước ngày
    15/12" recurs), a date over a milestone (a sơ kết with a date is due on that date)."""

    kind: DeadlineKind = DeadlineKind.NONE
    text: str = ""  # the words that say it, as written
    on: date | None = None
    cadence: Cadence | None = None
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class DraftAssignment:
    leads: tuple[str, ...]  # the units that carry it out; the first leads
    supporting: tuple[str, ...]
    follower: str | None
    what: str
    deadline: Deadline
    line: int  # 1-based line of the text where the paragraph starts
    in_section: bool = True  # False: a paragraph elsewhere that gives a unit a task with a time

    @property
    def lead(self) -> str:
        return self.leads[0]

    def as_json(self) -> dict[str, Any]:
        deadline = self.deadline
        return {
            "lead": self.lead,
            "leads": list(self.leads),
            "supporting": list(self.supporting),
            "follower": self.follower,
            "deadline": deadline.kind.value,
            "deadline_text": deadline.text,
            "due": deadline.on.isoformat() if deadline.on else None,
            "cadence": deadline.cadence.value if deadline.cadence else None,
            "milestones": [m.value for m in deadline.milestones],
            "what": self.what,
            "line": self.line,
            "in_section": self.in_section,
        }


@dataclass
class _Para:
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.lines).split())


# -- section and paragraphs ---------------------------------------------------------------

_SECTION_TITLES = (
    r"tổ chức thực hiện|trách nhiệm thực hiện|phân công (?:thực hiện|nhiệm vụ|trách nhiệm)"
    r"|trách nhiệm của các (?:cơ quan|đơn vị|sở)[^.]{0,60}"
)
_SECTION_RE = re.compile(
    r"^(?:(?:mục|phần|chương)\s+)?(?:[ivxlc]+|[a-zđ]|\d+(?:\.\d+)*)?\s*[-.–:)]*\s*"
    rf"(?:điều\s+\d+\s*[.:]\s*)?(?:{_SECTION_TITLES})(?:\s+(?:và|,)\s+[^.]{{0,60}})?"
    r"(?:\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d{1,3})?\s*[:.]?$",  # a footnote reference may follow the title
    re.IGNORECASE,
)
_ARTICLE_HEAD_RE = re.compile(r"^điều\s+\d+", re.IGNORECASE)
_ROMAN_HEAD_RE = re.compile(r"^(?:(?:mục|phần)\s+)?[IVXLC]+\s*[-.–]", re.IGNORECASE)
_LETTER_HEAD_RE = re.compile(r"^[A-Z]\s*[.\-–]\s+\S")
_STOP_RE = re.compile(r"^(?:nơi nhận|trên đây là|phụ lục|kính gửi)\b", re.IGNORECASE)
_TOP_ITEM_RE = re.compile(r"^(\d+)\s*[.)]\s*(?=\S)")
_SUB_ITEM_RE = re.compile(r"^(?:[-–+•]|[a-zđ]\)|\d+\.\d+\.?)\s*")


def _clean(line: str) -> str:
    """A line without Markdown headings, emphasis, quote marks and its surrounding whitespace."""
    line = unicodedata.normalize("NFC", line).strip()
    line = re.sub(r"^#+\s*", "", line)
    line = re.sub(r"^>\s*", "", line)
    line = re.sub(r"^\|\s*", "", line)  # a table cell ("| Nơi nhận: … | KT. BỘ TRƯỞNG … |")
    return line.replace("**", "").replace("__", "").strip().strip("*").strip()


def _opens(line: str) -> bool:
    return bool(
        HEADING1_RE.match(line)
        or NUMBERED_RE.match(line)
        or LETTERED_RE.match(line)
        or BULLET_RE.match(line)
        or _ARTICLE_HEAD_RE.match(line)
        or MARKER_RE.match(line)
        or _SECTION_RE.match(line)
        or _LETTER_HEAD_RE.match(line)
    )


def _paragraphs(lines: Sequence[str]) -> list[_Para]:
    """Paragraphs of the text: a line that opens no block carries on the one above it (text copied
    from a PDF or a web page is hard-wrapped), unless a blank line comes between and it starts in
    capitals (a page break splits a sentence, which goes on in lower case)."""
    paras: list[_Para] = []
    blank = True
    for n, raw in enumerate(lines, start=1):
        line = _clean(raw)
        if not line:
            blank = True
            continue
        previous = paras[-1].text if paras else ""
        # A line ending in two spaces is a Markdown line break; a numbered unit heading ("2. Bộ
        # Quốc phòng") stands alone: a capitalised line after either starts a paragraph.
        broken = bool(paras) and (lines[n - 2].endswith("  ") or _unit_title(previous) is not None)
        carries_on = (
            paras
            and not _opens(line)
            and not _is_heading_like(previous)
            and (not (blank or broken) or line[:1].islower())
        )
        if carries_on:
            paras[-1].lines.append(line)
        else:
            paras.append(_Para(n, [line]))
        blank = False
    return paras


def _is_heading_like(text: str) -> bool:
    return bool(_SECTION_RE.match(text) or _STOP_RE.match(text) or FORM_RE.match(text))


def _section_bounds(paras: Sequence[_Para]) -> tuple[int, int] | None:
    """(first, end) indexes of the paragraphs of the "Tổ chức thực hiện" section, or None. The
    section ends at the next heading of its level, the closing ("Trên đây là …"), Nơi nhận or the
    signature. The last such section counts: a plan's "Tổ chức thực hiện" closes it."""
    starts = [i for i, p in enumerate(paras) if _SECTION_RE.match(p.text)]
    if not starts:
        return None
    start = starts[-1]
    head = paras[start].text
    article = bool(re.search(r"điều\s+\d+", head, re.IGNORECASE))
    end = len(paras)
    for i in range(start + 1, len(paras)):
        text = paras[i].text
        if _STOP_RE.match(text) or FORM_RE.match(text):
            end = i
            break
        if (article and _ARTICLE_HEAD_RE.match(text)) or (
            not article and (_ROMAN_HEAD_RE.match(text) or _LETTER_HEAD_RE.match(text))
        ):
            end = i
            break
    return start + 1, end


# -- units ---------------------------------------------------------------------------------

# The words a unit's name starts with; matched without regard to case.
_UNIT_HEADS = (
    "ủy ban",
    "uỷ ban",
    "ubnd",
    "ubmttq",
    "mttq",
    "hđnd",
    "hội đồng",
    "bộ",
    "sở",
    "ban",
    "phòng",
    "văn phòng",
    "vụ",
    "cục",
    "chi cục",
    "tổng cục",
    "trung tâm",
    "viện",
    "trường đại học",
    "trường cao đẳng",
    "trường trung",
    "trường tiểu học",
    "trường mầm non",
    "trường thcs",
    "trường thpt",
    "đài",
    "thông tấn",
    "kho bạc",
    "ngân hàng",
    "bảo hiểm",
    "công an",
    "bộ chỉ huy",
    "ban chỉ huy",
    "quân đội",
    "quân khu",
    "quân chủng",
    "bộ đội",
    "thanh tra",
    "tòa án",
    "toà án",
    "viện kiểm sát",
    "cấp ủy",
    "cấp uỷ",
    "các cấp ủy",
    "đảng ủy",
    "đảng uỷ",
    "đảng đoàn",
    "ban cán sự",
    "chi bộ",
    "chi ủy",
    "đảng bộ",
    "tỉnh ủy",
    "tỉnh uỷ",
    "thành ủy",
    "thành uỷ",
    "huyện ủy",
    "huyện uỷ",
    "quận ủy",
    "thị ủy",
    "xã ủy",
    "thường trực",
    "ban thường vụ",
    "mặt trận",
    "liên đoàn",
    "công đoàn",
    "đoàn",
    "hội",
    "tỉnh đoàn",
    "huyện đoàn",
    "thành đoàn",
    "các",
    "tổ chức cơ sở",
    "tổ chức đảng",
    "chính quyền",
    "lực lượng",
    "đài phát thanh",
    "doanh nghiệp",
    "hợp tác xã",
    "tổ công tác",
    "tổ giúp việc",
    "ban chỉ đạo",
    "ban quản lý",
    "ban tổ chức",
    "cơ quan",
    "đơn vị",
    "người đứng đầu",
    "thủ trưởng",
    "giám đốc",
    "chủ tịch",
    "chánh văn phòng",
    "trưởng",
    "chủ nhiệm",
    "bí thư",
    "hiệu trưởng",
    "tổng giám đốc",
    "ủy ban nhân dân",
    "cán bộ",
    "đồng chí",
    "tập đoàn",
    "tổng công ty",
    "công ty",
    "chỉ huy trưởng",
    "bệnh viện",
    "trạm",
    "ubkt",
    "kbnn",
    "bhxh",
    "nhnn",
    "tổ chức chính trị",
    "tổ chức xã hội",
    "btg",
    "bdv",
    "btc",
    "vpcp",
    "các bộ",
)
_UNIT_HEAD_RE = re.compile(
    r"^(?:" + "|".join(re.escape(h) for h in sorted(_UNIT_HEADS, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)
_UNIT_HEAD_TIGHT_RE = re.compile(
    r"^(?:"
    + "|".join(re.escape(h.replace(" ", "")) for h in sorted(_UNIT_HEADS, key=len, reverse=True))
    + r")",
    re.IGNORECASE,
)
# Office-holders stand for their unit: "Giám đốc Sở Y tế" is assigned as Sở Y tế.
_HOLDER_RE = re.compile(
    r"^(?:tổng giám đốc|giám đốc|thủ trưởng|người đứng đầu|chủ tịch|chánh văn phòng|chánh|trưởng|chủ nhiệm"
    r"|hiệu trưởng|bí thư|chỉ huy trưởng|vụ trưởng|cục trưởng|viện trưởng|chánh thanh tra|tổng cục trưởng)"
    r"\s+(?=\S)",
    re.IGNORECASE,
)
# Lower-case words that start a clause after the unit: where the unit's name stops. Capitalised
# they are part of a name ("Ban Xây dựng Đảng").
_VERBS = (
    "chủ trì",
    "phối hợp",
    "xây dựng",
    "tổ chức",
    "triển khai",
    "thực hiện",
    "có trách nhiệm",
    "chịu trách nhiệm",
    "căn cứ",
    "theo dõi",
    "kiểm tra",
    "hướng dẫn",
    "tăng cường",
    "chỉ đạo",
    "đẩy mạnh",
    "tiếp tục",
    "quán triệt",
    "tham mưu",
    "bố trí",
    "rà soát",
    "phân bổ",
    "đảm bảo",
    "bảo đảm",
    "lãnh đạo",
    "cụ thể hóa",
    "cụ thể hoá",
    "theo chức năng",
    "trong phạm vi",
    "định kỳ",
    "báo cáo",
    "tuyên truyền",
    "nghiên cứu",
    "đề xuất",
    "thường xuyên",
    "chủ động",
    "phổ biến",
    "tập trung",
    "giám sát",
    "tổng hợp",
    "đôn đốc",
    "ban hành",
    "xác định",
    "cân đối",
    "hỗ trợ",
    "vận động",
    "phát huy",
    "nâng cao",
    "khẩn trương",
    "trình",
    "được giao",
    "là cơ quan",
    "làm đầu mối",
    "tích cực",
    "quan tâm",
    "cung cấp",
    "xem xét",
    "xét duyệt",
    "ủy quyền",
    "uỷ quyền",
    "yêu cầu",
    "phản ánh",
    "thanh tra",
    "hàng năm",
    "hằng năm",
    "hằng quý",
    "hằng tháng",
    "hàng quý",
    "hàng tháng",
    "phát động",
    "tiếp nhận",
    "sử dụng",
    "thẩm định",
    "chuẩn bị",
    "lập",
    "đề nghị",
    "duy trì",
    "biểu dương",
    "công bố",
    "cập nhật",
    "tham gia",
    "đăng tải",
    "rút kinh nghiệm",
    "xử lý",
    "thống kê",
    "đánh giá",
    "sơ kết",
    "tổng kết",
    "nắm",
    "vận hành",
    "áp dụng",
    "bổ sung",
    "ứng dụng",
    "kịp thời",
    "phân công",
    "lồng ghép",
    "nghiêm túc",
    "căn cứ vào",
    "để",
    "nhằm",
    "gửi",
    "thông báo",
    "chấp hành",
    "thi hành",
    "tiến hành",
    "đưa",
)
# Name words that a verb of _VERBS would otherwise cut: kept whole.
_NAME_PHRASES = re.compile(
    r"tham mưu,?\s+giúp việc|(?<=các )tổ chức|(?<=những )tổ chức|tổ chức chính trị|tổ chức xã hội"
    r"|tổ chức cơ sở|tổ chức đảng|tổ chức hội|tổ chức thành viên|đơn vị thực hiện|cơ quan thực hiện"
    r"|đơn vị được giao|cơ quan được giao|cơ quan tham mưu|đơn vị tham mưu|ban tham mưu|chương trình"
    r"|ngoại giao|tổ chức,\s*(?:đoàn thể|cá nhân)"
)
_VERB_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(v) for v in sorted(_VERBS, key=len, reverse=True)) + r")(?!\w)"
)
_LEAD_IN_RE = re.compile(
    r"^(?:(?:giao(?:\s+cho)?|đề nghị|yêu cầu|ủy quyền|uỷ quyền|phân công)\s+)+",
    re.IGNORECASE,
)
_HANDS_ON_RE = re.compile(r"^(?:ủy quyền|uỷ quyền|yêu cầu|đề nghị|giao)(?:\s+cho)?\s+")
# "đã giao Bộ …" recounts an earlier assignment: no ask of this document.
_ASKS_RE = re.compile(r"(?<!\w)(?<!đã )(?:yêu cầu|đề nghị|giao(?:\s+cho)?)\s+(?=\S)")
# Words that name bodies in a list on their own ("các tổ chức chính trị - xã hội và tổ chức, đoàn thể").
_COLLECTIVES = {"tổ chức", "cá nhân", "đoàn thể", "doanh nghiệp"}
_MAX_LISTED = 40  # units a list names at most: a longer run of commas is no list of units
_CONDITIONAL_RE = re.compile(r"^(?:trong quá trình|quá trình)[^.]{0,60}?(?:nếu|khi)\s", re.IGNORECASE)
_SPLIT_HEADS = ("các", "hội", "ủy ban", "uỷ ban", "phòng", "đoàn", "những", "tổ chức")


def _masked(text: str) -> str:
    """`text` with the verbs inside names hidden (same length), so a verb search finds clauses."""
    return _NAME_PHRASES.sub(lambda m: "_" * len(m.group()), text)


def _first_verb(text: str) -> int | None:
    found = _VERB_RE.search(_masked(text))
    return found.start() if found else None


def is_unit(text: str) -> bool:
    """Whether `text` starts like a unit's name ("Sở Y tế", "các cơ quan", "Ủy ban …"); a text layer
    that splits letters ("Ủ y  ban nhân dân") is read without its spaces."""
    text = text.strip()
    if re.match(r"ban hành(?!\w)", text, re.IGNORECASE):
        return False
    if _UNIT_HEAD_RE.match(text):
        return True
    # Letters split apart ("Ủ y  ban", "T hành phố"): compare without any space.
    split_letters = re.search(r"(?:^|\s)\w\s", text[:24])
    return bool(split_letters and _UNIT_HEAD_TIGHT_RE.match(re.sub(r"\s+", "", text[:40])))


_GROUPING_RE = re.compile(r"^(?:trách nhiệm của|nhiệm vụ của|đối với|giao)\s+", re.IGNORECASE)


def _unit_title(text: str) -> str | None:
    """The units a heading names ("2. Bộ Quốc phòng", "a) Sở Y tế:", "2. Trách nhiệm của Ủy ban
    nhân dân các tỉnh"), or None when it is no such heading."""
    title = _GROUPING_RE.sub("", _strip_marker(text).rstrip(":.").strip())
    if not title or not is_unit(title) or _first_verb(title) is not None or len(title.split()) > 30:
        return None
    return title


def _unit_name(text: str) -> str:
    name = text.strip().strip(",;:.-–").strip()
    name = re.sub(r"\s*\((?:sau đây gọi|gọi tắt|viết tắt)[^)]*\)\s*$", "", name)
    name = re.sub(r"\s+(?:có|là|với)$", "", name)
    holder = _HOLDER_RE.match(name)
    if holder and is_unit(name[holder.end() :]):
        name = name[holder.end() :]
    return " ".join(name.split())


def _split_units(text: str) -> list[str]:
    """The units of a list ("Sở Y tế, Sở Tài chính và các cơ quan liên quan"). A comma or "và"
    splits only before a part that starts like a unit in capitals or with "các", "hội", …: "Bộ
    Văn hóa, Thể thao và Du lịch" is one unit, so is "Cấp ủy các chi bộ, đảng bộ cơ sở"."""
    parts = re.split(r"\s*[,;]\s*|\s+và\s+|\s+cùng\s+", text)
    units: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        lowered = part.casefold()
        starts_unit = lowered in _COLLECTIVES or bool(
            is_unit(part)
            and (part[:1].isupper() or any(re.match(rf"{h}(?!\w)", lowered) for h in _SPLIT_HEADS))
        )
        if units and not starts_unit:
            glue = ", " if re.search(rf",\s*{re.escape(part)}", text) else " và "
            units[-1] = f"{units[-1]}{glue}{part}"
        else:
            units.append(part)
    return [_unit_name(u) for u in units if _unit_name(u)]


def _subject(text: str, depth: int = 0) -> tuple[list[str], str] | None:
    """The units a clause opens with and the rest of the clause, or None when it opens with none.
    `depth` bounds the look past a colon or a handing-on verb to one step each way."""
    if depth > 2:
        return None
    body = _LEAD_IN_RE.sub("", text.strip())
    colon = body.find(":")
    verb = _first_verb(body)
    if colon > 0 and (verb is None or colon < verb) and len(body[:colon].split()) <= 25:
        if not is_unit(body[:colon]):  # "Đối với các khoản chi sai: Cơ quan LĐTBXH phối hợp …"
            return _subject(body[colon + 1 :], depth + 1)
        cut, rest = colon, body[colon + 1 :]
    elif verb is not None and verb > 0:
        cut, rest = verb, body[verb:]
    else:
        return None
    head = body[:cut].strip().rstrip(",;")
    if not head or not is_unit(head) or len(head.split()) > 40:
        return None
    units = _split_units(head)
    if not units:
        return None
    # "Bộ X ủy quyền cho Sở Y thực hiện …", "Bộ X yêu cầu các Sở …": the unit asked carries it out.
    handed = _HANDS_ON_RE.match(rest)
    if handed:
        inner = _subject(rest[handed.end() :], depth + 1)
        if inner is not None:
            return inner
    return units, rest.strip()


def _supporting(text: str) -> list[str]:
    """The units after "phối hợp (chặt chẽ) (với)", up to the clause that follows them."""
    found = re.search(r"phối hợp(?:\s+chặt chẽ)?(?:\s+với)?\s+", text)
    if not found:
        return []
    rest = text[found.end() :]
    stop = re.search(r"[.;]|\s+(?:để|nhằm|trong việc|thực hiện|tổ chức thực hiện)\s", rest)
    rest = rest[: stop.start()] if stop else rest
    kept: list[str] = []
    for n, part in enumerate(re.split(r"\s*,\s*", rest)[:_MAX_LISTED]):
        verb = _VERB_RE.search(_masked(part))
        if n and verb is not None and verb.start() == 0:
            break
        piece = part[: verb.start()].strip() if verb is not None else part.strip()
        if piece:
            kept.append(piece)
        if verb is not None:
            break
    if not kept or not is_unit(kept[0]):
        return []
    return _split_units(", ".join(kept))


_FOLLOWS_PLAN_RE = re.compile(
    r"(?:theo dõi|đôn đốc)[^.;]{0,80}?(?:kế hoạch|nghị quyết|chỉ thị|quy chế|quy định|quyết định|kết luận)",
    re.IGNORECASE,
)


# -- time ----------------------------------------------------------------------------------

_DATE_WORDS = (
    r"(?:trước|chậm nhất(?:\s+(?:là|vào))?(?:\s+trước)?|hạn chót|xong trước|hoàn thành trước|trong|vào)"
)
_DMY_RE = re.compile(
    # "trong 5-10 ngày" is a span of days, not the 5th of October.
    _DATE_WORDS
    + r"\s*(?:ngày\s+)?(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?!\s*(?:ngày|tháng|năm|%|\d))",
    re.IGNORECASE,
)
_WORDY_RE = re.compile(
    _DATE_WORDS + r"\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?", re.IGNORECASE
)
_QUARTER_RE = re.compile(
    r"(?:trong|trước|hết)\s+quý\s+(I{1,3}|IV|[1-4])\s*(?:/|năm\s+)(\d{4})", re.IGNORECASE
)
_MONTH_RE = re.compile(r"(?:trong|trước|hết)\s+tháng\s+(\d{1,2})\s*(?:/|năm\s+)(\d{4})", re.IGNORECASE)
_CADENCES = (
    (re.compile(r"h[ằà]ng\s+tháng|mỗi tháng|định kỳ\s+(?:01|1)\s+tháng", re.IGNORECASE), Cadence.MONTHLY),
    (
        re.compile(
            r"h[ằà]ng\s+quý|mỗi quý|định kỳ\s+quý|theo quý|(?:03|3|ba)\s+tháng\s+m\s*ột\s+lần", re.IGNORECASE
        ),
        Cadence.QUARTERLY,
    ),
    (
        re.compile(r"(?<!\d)(?:06|6|sáu)\s+tháng(?!\s*(?:đầu|cuối|kể|/))|nửa năm", re.IGNORECASE),
        Cadence.HALF_YEARLY,
    ),
    (re.compile(r"h[ằà]ng\s+năm|mỗi năm|định kỳ\s+năm|cuối năm", re.IGNORECASE), Cadence.YEARLY),
    (re.compile(r"định kỳ", re.IGNORECASE), Cadence.PERIODIC),
)
_REPORT_RE = re.compile(r"báo cáo|gửi kết quả|tổng hợp kết quả|sơ kết|tổng kết", re.IGNORECASE)
# A sơ kết or tổng kết is the plan's milestone when the unit prepares or holds it ("tham mưu sơ
# kết, tổng kết"); taking part in another document's review ("tham gia sơ kết Chỉ thị 31") is not.
_MILESTONE_VERBS = (
    r"(?:tham mưu|chuẩn bị|tổ chức|tiến hành|chủ trì|xây dựng báo cáo)(?:\s+(?:việc|các|hội nghị))?\s+"
)
_MILESTONES = (
    (re.compile(_MILESTONE_VERBS + r"(?:[^.;]{0,20}?\s)?sơ kết", re.IGNORECASE), Milestone.INTERIM),
    (
        re.compile(_MILESTONE_VERBS + r"(?:[^.;]{0,20}?\s)?(?:sơ kết,?\s+)?tổng kết", re.IGNORECASE),
        Milestone.FINAL,
    ),
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _date(day: int, month: int, year: int | None) -> date | None:
    if year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"(?<=[;.])\s+|\s*;\s*", text) if c.strip()]


def read_deadline(text: str) -> Deadline:
    """When `text` asks its unit to report or finish (see `Deadline`)."""
    cadence: tuple[Cadence, str] | None = None
    for clause in _clauses(text):
        if not _REPORT_RE.search(clause):
            continue
        for pattern, kind in _CADENCES:
            found = pattern.search(clause)
            # "định kỳ" with a period after it is that period; alone it is any period.
            vaguer = cadence is not None and cadence[0] is Cadence.PERIODIC and kind is not Cadence.PERIODIC
            if found and (cadence is None or vaguer):
                cadence = (kind, found.group())
    dated = _first_date(text)
    milestones = tuple(m for pattern, m in _MILESTONES if pattern.search(text))
    if cadence is not None:
        return Deadline(DeadlineKind.CADENCE, cadence[1], dated[0] if dated else None, cadence[0], milestones)
    if dated is not None:
        return Deadline(DeadlineKind.DATE, dated[1], dated[0], None, milestones)
    if milestones:
        words = re.search(r"sơ kết(?:,?\s+tổng kết)?|tổng kết", text, re.IGNORECASE)
        return Deadline(DeadlineKind.MILESTONE, words.group() if words else "", None, None, milestones)
    return Deadline()


def _first_date(text: str) -> tuple[date | None, str] | None:
    found: list[tuple[int, date | None, str]] = []
    for pattern in (_DMY_RE, _WORDY_RE):
        for m in pattern.finditer(text):
            year = int(m.group(3)) if m.group(3) else None
            found.append((m.start(), _date(int(m.group(1)), int(m.group(2)), year), m.group()))
    for m in _QUARTER_RE.finditer(text):
        quarter = _ROMAN.get(m.group(1).upper()) or int(m.group(1))
        year, month = int(m.group(2)), 3 * quarter
        found.append((m.start(), date(year, month, calendar.monthrange(year, month)[1]), m.group()))
    for m in _MONTH_RE.finditer(text):
        year, month = int(m.group(2)), int(m.group(1))
        if 1 <= month <= 12:
            found.append((m.start(), date(year, month, calendar.monthrange(year, month)[1]), m.group()))
    if not found:
        return None
    _, on, words = min(found, key=lambda f: f[0])
    return on, words


# -- drafting ------------------------------------------------------------------------------


def _items(paras: Sequence[_Para]) -> list[list[_Para]]:
    """The section's items: each numbered item with the bullets under it; without numbers, each
    bullet or lettered item; a lone paragraph is its own item."""
    numbered = any(_TOP_ITEM_RE.match(p.text) and not re.match(r"^\d+\.\d", p.text) for p in paras)
    items: list[list[_Para]] = []
    for para in paras:
        top = (
            bool(_TOP_ITEM_RE.match(para.text)) and not re.match(r"^\d+\.\d", para.text)
            if numbered
            else bool(_SUB_ITEM_RE.match(para.text))
        )
        if top or not items:
            items.append([para])
        else:
            items[-1].append(para)
    return items


def _strip_marker(text: str) -> str:
    return re.sub(r"^(?:\d+(?:\.\d+)*\s*[.)]|[a-zđ]\)|[-–+•])\s*", "", text).strip()


_TIME_LEAD_RE = re.compile(
    r"^(?:h[ằà]ng\s+(?:năm|quý|tháng)|định kỳ(?:\s+[^,]{0,20})?|cuối năm)\s*,\s*", re.IGNORECASE
)


def _untimed(text: str) -> str:
    """`text` without the time it opens with ("Hằng năm, các bộ …" -> "các bộ …")."""
    return _TIME_LEAD_RE.sub("", text)


_OFFICE_RE = re.compile(r"^(?:phó\s+)?(?:thủ tướng|bộ trưởng|chủ tịch|bí thư|chủ nhiệm)(?!\w)", re.IGNORECASE)


def _may_ask(asker: str) -> bool:
    """Whether the words before "yêu cầu", "đề nghị" name who asks: a unit or an office-holder
    ("Phó Thủ tướng Nguyễn Thiện Nhân yêu cầu Bộ …")."""
    asker = asker.strip()
    return is_unit(asker) or bool(_OFFICE_RE.match(asker))


def _from_clause(text: str, line: int, in_section: bool) -> list[DraftAssignment]:
    """An assignment for the unit the text opens with, and one for each later clause that gives
    another unit its own task ("…; giao Ban Tuyên giáo theo dõi …")."""
    parts = re.split(
        r"(?<=[;.])\s+(?=(?:giao|đề nghị|yêu cầu)\s)|;\s*(?=(?:giao|đề nghị|yêu cầu)\s)"
        r"|(?<=[a-zà-ỹđ]{2}\.)\s+(?=[A-ZÀ-ỸĐ])",
        text,
    )
    out: list[DraftAssignment] = []
    for part in parts:
        if _CONDITIONAL_RE.match(part):  # "Trong quá trình thực hiện, nếu có vướng mắc, …": no task
            continue
        found = _subject(_untimed(part))
        if found is None and not out:
            # "Để …, Bộ Giáo dục và Đào tạo yêu cầu các Sở … báo cáo …": the unit asked.
            asked = _ASKS_RE.search(part)
            asker = part[: asked.start()].rsplit(",", 1)[-1] if asked else ""
            found = _subject(part[asked.end() :]) if asked and _may_ask(asker) else None
        if found is None:
            if out:  # a clause of the assignment above
                last = out[-1]
                joined = f"{last.what} {part}".strip()
                out[-1] = replace(last, what=joined, deadline=read_deadline(joined))
            continue
        units, rest = found
        follower = units[0] if _FOLLOWS_PLAN_RE.search(rest) else None
        out.append(
            DraftAssignment(
                leads=tuple(units),
                supporting=tuple(_supporting(rest)),
                follower=follower,
                what=part.strip(),
                deadline=read_deadline(part),
                line=line,
                in_section=in_section,
            )
        )
    return out


_SUB_HEAD_RE = re.compile(r"^(?:\d+\.\d+\.?|[a-zđ]\))\s*")


def _sub_items(paras: Sequence[_Para]) -> list[list[_Para]]:
    """Sub-items under a heading: each "1.1." or "a)" paragraph with the bullets under it."""
    items: list[list[_Para]] = []
    for para in paras:
        if _SUB_HEAD_RE.match(para.text) or not items:
            items.append([para])
        else:
            items[-1].append(para)
    return items


def _from_item(item: Sequence[_Para], in_section: bool = True) -> list[DraftAssignment]:
    head = _strip_marker(item[0].text)
    title = _unit_title(item[0].text) if len(item[0].lines) == 1 else None
    subs = _sub_items(item[1:])
    # A heading over sub-items that name their own units ("1. Đối với Ủy ban nhân dân các cấp" over
    # "1.1. Ủy ban nhân dân Thành phố:"): the sub-items are the items.
    named_subs = any(_SUB_HEAD_RE.match(s[0].text) and _unit_title(s[0].text) for s in subs)
    if len(item) > 1 and (title is not None or _subject(head) is None) and named_subs:
        return [a for sub in subs for a in _from_item(sub, in_section)]
    # A heading over a paragraph that names its own unit ("3. Đối với các tổ chức khác" over
    # "Đề nghị Ủy ban Mặt trận …"): that paragraph says who.
    says_who = len(item) > 1 and not _SUB_ITEM_RE.match(item[1].text) and _subject(_untimed(item[1].text))
    if title is not None and says_who and _GROUPING_RE.match(head):
        return [a for p in item[1:] for a in _from_clause(_strip_marker(p.text), p.line, in_section)]
    # "2. Bộ Quốc phòng" over its tasks: the heading names the unit, the paragraphs are its tasks.
    if title is not None:
        units = _split_units(title)
        if units:
            # An unnumbered paragraph after the unit's tasks that names its own units ("Hằng năm,
            # các bộ, ngành … báo cáo …") is an assignment of its own.
            own = [p for p in item[1:] if not _SUB_ITEM_RE.match(p.text) and _subject(_untimed(p.text))]
            tasks = [p for p in item[1:] if p not in own]
            body = " ".join(_strip_marker(p.text) for p in tasks)
            follower = units[0] if _FOLLOWS_PLAN_RE.search(body) else None
            out = [
                DraftAssignment(
                    tuple(units),
                    tuple(_supporting(body)),
                    follower,
                    " ".join([head, body]).strip(),
                    read_deadline(body),
                    item[0].line,
                )
            ]
            for para in own:
                out += _from_clause(para.text, para.line, in_section)
            return out
    if _subject(_untimed(head)) is not None or len(item) == 1:
        whole = " ".join([head, *(_strip_marker(p.text) for p in item[1:])])
        return _from_clause(whole, item[0].line, in_section)
    # A heading that names no unit ("1. Phân công trách nhiệm"), or a paragraph whose unit comes in
    # a later sentence: each paragraph is read.
    return [a for p in item for a in _from_clause(_strip_marker(p.text), p.line, in_section)]


def _follow_the_plan(drafted: list[DraftAssignment]) -> list[DraftAssignment]:
    """The unit that follows and urges the whole plan is the follower of every assignment that
    names none."""
    followers = [a.follower for a in drafted if a.follower]
    if not followers:
        return drafted
    return [a if a.follower else replace(a, follower=followers[0]) for a in drafted]


def _addressees(text: str) -> tuple[str, ...]:
    """The units a lead-in asks to act ("Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các
    tỉnh, thành phố trực thuộc Trung ương:"), or () when the paragraph is no such lead-in."""
    if not text.rstrip().endswith(":"):
        return ()
    asked = _ASKS_RE.search(text)
    if asked is None:
        return ()
    named = text[asked.end() :].rstrip().rstrip(":").strip()
    return tuple(_split_units(named)) if is_unit(named) else ()


def draft_assignments(text: str) -> list[DraftAssignment]:
    """The assignments the text gives: every item of its "Tổ chức thực hiện" section that names a
    unit, and every paragraph elsewhere that gives a unit a task with a time."""
    paras = _paragraphs(text.split("\n"))
    bounds = _section_bounds(paras)
    drafted: list[DraftAssignment] = []
    inside: set[int] = set()
    if bounds is not None:
        first, end = bounds
        inside = set(range(first - 1, end))
        for item in _items(paras[first:end]):
            drafted += _from_item(item)
    elsewhere: list[DraftAssignment] = []
    addressees: tuple[str, ...] = ()
    for i, para in enumerate(paras):
        if i in inside:
            continue
        if _STOP_RE.match(para.text) and para.text.casefold().startswith("nơi nhận"):
            break
        timed = [
            a
            for a in _from_clause(_strip_marker(para.text), para.line, in_section=False)
            if a.deadline.kind in (DeadlineKind.DATE, DeadlineKind.CADENCE)
        ]
        elsewhere += timed
        # "… yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh …:" over numbered items: an item that names
        # no unit of its own is the addressees' task.
        listed = bool(_TOP_ITEM_RE.match(para.text) or _SUB_ITEM_RE.match(para.text))
        if listed and addressees and not timed and _subject(_untimed(_strip_marker(para.text))) is None:
            deadline = read_deadline(para.text)
            if deadline.kind in (DeadlineKind.DATE, DeadlineKind.CADENCE):
                what = _strip_marker(para.text)
                elsewhere.append(DraftAssignment(addressees, (), None, what, deadline, para.line, False))
        elif not listed:
            # A new lead-in or heading ends the list; a paragraph inside it does not.
            found = _addressees(para.text)
            if found or para.text.rstrip().endswith(":") or _ROMAN_HEAD_RE.match(para.text):
                addressees = found
    return _follow_the_plan(sorted(drafted + elsewhere, key=lambda a: a.line))


# -- the address book ----------------------------------------------------------------------

# What a name in a plan's text leaves out of the address book's name: the place and the body
# a unit belongs to ("Ủy ban Mặt trận Tổ quốc" for "Ủy ban Mặt trận Tổ quốc Việt Nam xã").
_BOOK_TAILS = re.compile(
    r"(?:\s+(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|việt nam|của đảng ủy|của đảng uỷ|đảng ủy"
    r"|đảng uỷ|trực thuộc))+$"
)


@dataclass(frozen=True)
class UnitRef:
    """A unit an assignment names: its address-book code, or None while it is a name to confirm."""

    name: str
    code: str | None = None


@dataclass(frozen=True)
class ResolvedAssignment:
    draft: DraftAssignment
    leads: tuple[UnitRef, ...]
    supporting: tuple[UnitRef, ...]
    follower: UnitRef | None

    @property
    def to_confirm(self) -> tuple[str, ...]:
        """The names no address-book unit matched."""
        refs = (*self.leads, *self.supporting, *((self.follower,) if self.follower else ()))
        return tuple(dict.fromkeys(r.name for r in refs if r.code is None))

    def as_json(self) -> dict[str, Any]:
        def ref(r: UnitRef) -> dict[str, Any]:
            return {"name": r.name, "unit_code": r.code}

        return {
            **self.draft.as_json(),
            "lead_unit": ref(self.leads[0]),
            "lead_units": [ref(r) for r in self.leads],
            "supporting_units": [ref(r) for r in self.supporting],
            "follower_unit": ref(self.follower) if self.follower else None,
            "to_confirm": list(self.to_confirm),
        }


def _book_key(name: str) -> str:
    key = normalise(name).replace(",", " ")
    return " ".join(_BOOK_TAILS.sub("", " ".join(key.split())).split())


def unit_code(name: str, entries: Sequence[Entry]) -> str | None:
    """The address-book unit `name` stands for: its name or an alias, exactly or without the
    place and parent body the text leaves out; None when none or several match."""
    exact = match_unit(name, entries)
    if exact is not None:
        return exact
    wanted = _book_key(name)
    found = {
        e.code for e in entries for known in (e.name, *e.aliases) if wanted and _book_key(known) == wanted
    }
    return found.pop() if len(found) == 1 else None


def resolve_assignments(
    drafted: Sequence[DraftAssignment], entries: Sequence[Entry]
) -> list[ResolvedAssignment]:
    """Each assignment with its units looked up in the address book, like the Nơi nhận lines."""

    def ref(name: str) -> UnitRef:
        return UnitRef(name, unit_code(name, entries))

    return [
        ResolvedAssignment(
            a,
            tuple(ref(n) for n in a.leads),
            tuple(ref(n) for n in a.supporting),
            ref(a.follower) if a.follower else None,
        )
        for a in drafted
    ]
