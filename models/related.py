"""How one document relates to another (pure): the kinds of `PlanLink` and their words.

A replacement (NĐ 30 Art. 18: wrong content is replaced by a document of the same form), a
correction letter (a Công văn đính chính for a formatting or technical error) and a summary
Báo cáo (the sơ kết or tổng kết of a plan's tracked work) are each a plan of their own that
goes through the whole workflow; the link says which issued plan it concerns.
"""

from __future__ import annotations

from enum import StrEnum


class LinkKind(StrEnum):
    REPLACES = "replaces"
    CORRECTS = "corrects"
    REPORTS_ON = "reports_on"


# (the new document's side, the target's side), as the plan pages print them.
WORDS: dict[LinkKind, tuple[str, str]] = {
    LinkKind.REPLACES: ("Thay thế", "Được thay thế bởi"),
    LinkKind.CORRECTS: ("Đính chính", "Được đính chính bởi"),
    LinkKind.REPORTS_ON: ("Báo cáo kết quả thực hiện", "Báo cáo kết quả"),
}
