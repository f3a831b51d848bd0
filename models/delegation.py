"""Delegation (ủy quyền) rules (pure): when a delegation is in force, and how a delegate signs.

A delegation is one hop: the delegate acts for the delegator only, never passes it on (HD36
§1.7.1 and NĐ 30 Art. 13: the person authorised may not sub-delegate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.content import FORM_RE, SignatureBlock
from models.numbering import System
from models.rulesets import RuleSet


class Kind(StrEnum):
    REVIEW = "review"
    SIGN = "sign"


@dataclass(frozen=True)
class Period:
    """Both days included, as dates in Asia/Ho_Chi_Minh."""

    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, other: Period) -> bool:
        return self.starts_on <= other.ends_on and other.starts_on <= self.ends_on

    def __str__(self) -> str:
        return f"{self.starts_on.isoformat()} to {self.ends_on.isoformat()}"


def signed_for(
    block: SignatureBlock, ruleset: RuleSet, delegate_name: str, delegate_title: str, delegate_email: str
) -> SignatureBlock:
    """The signature block a delegate signs under the rule set in force.

    Party (HD36/HD05): authorisation is T/L for the body the block stood for, e.g. `T/L BAN
    THƯỜNG VỤ` / `CHÁNH VĂN PHÒNG`. State (NĐ 30): `TUQ.` for the head whose authority is
    delegated, e.g. `TUQ. CHỦ TỊCH` / `CHÁNH VĂN PHÒNG`. Then the delegate's title and name.
    """
    if ruleset.system is System.PARTY:
        label = block.collective or block.title
    else:
        head = FORM_RE.match(block.title.split("\n")[0])  # "KT. CHỦ TỊCH" under "TM. ỦY BAN NHÂN DÂN"
        label = block.collective if block.form == ruleset.deputy_form else head[2] if head else block.title
    return SignatureBlock(
        form=ruleset.delegated_form,
        collective=label.upper(),
        title=delegate_title.upper(),
        signer_email=delegate_email,
        signer_name=delegate_name,
    )
