"""The summary Báo cáo of a plan's tracked work (pure): at a sơ kết or tổng kết the follower puts
the units' accepted reports together, a section per unit, attachments listed by name.

Only accepted reports go in: a report the follower returned is not the unit's word yet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from models.content import MILESTONES, Draft, PlanContent

MILESTONE_NAMES = {"so_ket": "sơ kết", "tong_ket": "tổng kết"}
assert set(MILESTONE_NAMES) == set(MILESTONES)


@dataclass(frozen=True)
class UnitReport:
    """One accepted report of one lead unit for one period."""

    unit: str
    label: str
    due: date
    text: str
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reported:
    """The plan the summary reports on, as its lines cite it."""

    title: str
    symbol: str  # "01-KH/ĐU"; empty for a plan issued without one
    issued_on: date | None


def _number(symbol: str) -> str:
    """'01-KH/ĐU' of 'Số 01-KH/ĐU' (Party) or 'Số: 01/KH-UBND' (state), as a sentence cites it."""
    return re.sub(r"^Số:?\s*", "", symbol.strip())


def _cited(plan: Reported) -> str:
    symbol = _number(plan.symbol)
    if symbol and plan.issued_on is not None:
        d = plan.issued_on
        return f"Kế hoạch số {symbol} ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
    return f"Kế hoạch số {symbol}" if symbol else "Kế hoạch"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def summary_title(plan: Reported, milestone: str) -> str:
    return f"Kết quả {MILESTONE_NAMES[milestone]} thực hiện {_cited(plan).split(' ngày ')[0]}"


def summary_body(
    plan: Reported, milestone: str, reports: Sequence[UnitReport], missing: Sequence[str]
) -> str:
    """The body: an opening line, a section per unit with its reports, the units whose reports
    are not accepted yet (named, never quoted), and the closing line."""
    name = MILESTONE_NAMES[milestone]
    parts = [
        f"Thực hiện {_cited(plan)} về {_lower_first(plan.title.strip())}, trên cơ sở báo cáo của "
        f"các đơn vị được giao nhiệm vụ, xin báo cáo kết quả {name} như sau:",
        "I. KẾT QUẢ THỰC HIỆN CỦA CÁC ĐƠN VỊ",
    ]
    units: dict[str, list[UnitReport]] = {}
    for r in reports:
        units.setdefault(r.unit, []).append(r)
    for n, (unit, own) in enumerate(units.items(), start=1):
        parts.append(f"{n}. {unit}")
        for r in own:
            if len(own) > 1:  # several periods: each says which it answers
                parts.append(f"Kỳ báo cáo hạn ngày {r.due.day:02d}/{r.due.month:02d}/{r.due.year}:")
            parts.append(r.text.strip() or "(Báo cáo bằng tệp kèm theo.)")
            if r.files:
                parts.append("Tài liệu kèm theo: " + "; ".join(r.files) + ".")
    parts.append("II. CÁC ĐƠN VỊ CHƯA CÓ BÁO CÁO ĐƯỢC CHẤP NHẬN")
    if missing:
        parts.extend(f"- {unit}." for unit in missing)
    else:
        parts.append("Tất cả các đơn vị được giao nhiệm vụ đã có báo cáo được chấp nhận.")
    parts.append(f"Trên đây là báo cáo kết quả {name} thực hiện {_cited(plan).split(' ngày ')[0]}./.")
    return "\n\n".join(parts)


def summary_draft(
    plan: Reported,
    milestone: str,
    reports: Sequence[UnitReport],
    missing: Sequence[str],
    issued: PlanContent,
) -> Draft:
    """The Báo cáo draft: sent to whom the plan reported to (its "báo cáo" lines; else its first
    recipient), filed like it, signed in the same name as the plan."""
    lines = [r for r in issued.recipients if not r.archive]
    upward = [r for r in lines if "báo cáo" in r.annotation.lower()] or lines[:1]
    archive = [r for r in issued.recipients if r.archive]
    sig = issued.signature
    return Draft(
        title=summary_title(plan, milestone),
        body=summary_body(plan, milestone, reports, missing),
        recipient_lines=tuple((r.text, r.annotation) for r in (*upward, *archive)),
        sign_form="" if sig is None else sig.form,
        sign_collective="" if sig is None else sig.collective,
        sign_title="" if sig is None else sig.title,
        signer_name="" if sig is None else sig.signer_name,
        doc_type="BC",
    )
