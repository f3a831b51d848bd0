"""The format check before signing (pure): every problem of a plan, with the rule it breaks.

The văn thư checks format before a document goes for signature (HD36 §I.4; NĐ 30 Art. 12).
`check_plan` lists every problem it finds; a blocking one stops the signature, a warning is
reported only. Each problem names the rule of the issuer's rule set it breaks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from models.content import FORM_RE, PlanContent
from models.rulesets import Clause, RuleSet

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_MARKER_RE = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
_TO_ASCII = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
_EMPHASIS_RE = re.compile(r"\*+")
# A line that is only a draft label ("Dự thảo", "DỰ THẢO LẦN 2", "(Dự thảo lần 3)"), a
# parenthesised label inside a line, or the label in capitals anywhere.
_DRAFT_LINE_RE = re.compile(r"^\W*(?:bản\s+)?dự\s+thảo(?:\s+lần\s*(?:thứ\s*)?\w+)?\W*$", re.IGNORECASE)
_DRAFT_PAREN_RE = re.compile(r"\(\s*(?:bản\s+)?dự\s+thảo\b[^)]*\)", re.IGNORECASE)
_DRAFT_CAPS_RE = re.compile(r"\bDỰ\s+THẢO\b")
_ACADEMIC_RANK_RE = re.compile(r"^(?:GS|PGS|TS|ThS|TSKH|CN|KS|BS|Th\.S)\.?(?:\s*,?\s*(?:TS|ThS)\.?)*\s+")


@dataclass(frozen=True)
class Problem:
    rule: str  # the rule broken, as its rule set cites it: "HD36 §1.9 Nơi nhận"
    field: str  # what to fix: "recipients", "signature.title", "organisation.place", …
    message: str
    blocking: bool


@dataclass(frozen=True)
class Issuer:
    """The organisation fields the document prints."""

    name: str
    place: str
    code: str
    superior: str = ""


def check_plan(content: PlanContent, issuer: Issuer, ruleset: RuleSet) -> list[Problem]:
    """Every format problem of the plan under `ruleset`, blocking ones and warnings, in document order."""
    check = _Check(ruleset)
    check.issuer(issuer)
    check.title(content)
    check.body(content)
    check.footnotes(content)
    check.draft_labels(content)
    check.recipients(content)
    check.signature(content, issuer)
    return check.problems


def blocking(problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocking]


def describe(problems: Sequence[Problem]) -> str:
    """'[HD36 §1.9 Nơi nhận] recipients: …; […] …' for an error line."""
    return "; ".join(f"[{p.rule}] {p.field}: {p.message}" for p in problems)


def _plain(text: str) -> str:
    return _EMPHASIS_RE.sub("", text).strip()


def _printed_summary(content: PlanContent) -> list[str]:
    lines = [_plain(line) for line in content.summary_lines if line.strip()]
    return lines or ([_plain(content.title)] if content.title.strip() else [])


class _Check:
    def __init__(self, ruleset: RuleSet) -> None:
        self.rules = ruleset
        self.problems: list[Problem] = []

    def add(self, clause: Clause, field: str, message: str, blocking: bool = True) -> None:
        self.problems.append(Problem(self.rules.cite(clause), field, message, blocking))

    def issuer(self, issuer: Issuer) -> None:
        if not issuer.name.strip():
            self.add(Clause.ISSUER, "organisation.name", "the issuing body's name is missing from the header")
        if not issuer.code.strip():
            self.add(Clause.NUMBER, "organisation.code", "the issuing body's code is missing from the symbol")
        if not issuer.place.strip():
            self.add(Clause.PLACE_DATE, "organisation.place", "the place name of the date line is missing")

    def title(self, content: PlanContent) -> None:
        lines = _printed_summary(content)
        if not lines:
            self.add(Clause.TITLE, "title", "the title (trích yếu) is empty")
            return
        width = self.rules.title_line_chars
        taken = sum(math.ceil(len(line) / width) for line in lines)
        if taken > self.rules.max_title_lines:
            self.add(
                Clause.TITLE,
                "title",
                f"the title takes about {taken} lines of {width} characters under the type name; "
                f"at most {self.rules.max_title_lines}: shorten it",
            )
        if lines[-1].endswith(".") and not lines[-1].endswith("..."):
            self.add(Clause.TITLE, "title", "the title (trích yếu) ends with a full stop", blocking=False)

    def body(self, content: PlanContent) -> None:
        text = _plain(content.body)
        if not text:
            self.add(Clause.BODY, "body", "the body is empty")
            return
        if not text.rstrip("”\"')»").endswith(self.rules.body_endings):
            endings = " or ".join(f"'{e}'" for e in self.rules.body_endings)
            self.add(Clause.BODY, "body", f"the body does not end with {endings}", blocking=False)

    def footnotes(self, content: PlanContent) -> None:
        count = len(content.footnotes)
        used: set[int] = set()
        for text in (*content.summary_lines, content.body):
            for match in _MARKER_RE.finditer(text):
                number = int(match.group().translate(_TO_ASCII))
                if not 1 <= number <= count and number not in used:
                    self.add(
                        Clause.REVIEW,
                        "body",
                        f"footnote marker {match.group()} has no footnote text ({count} footnotes)",
                        blocking=False,
                    )
                used.add(number)
        for number, text in enumerate(content.footnotes, start=1):
            if not text.strip():
                self.add(Clause.REVIEW, f"footnotes[{number}]", "the footnote is empty", blocking=False)
            if number not in used:
                self.add(
                    Clause.REVIEW,
                    f"footnotes[{number}]",
                    f"footnote {number} has no marker in the text",
                    blocking=False,
                )

    def draft_labels(self, content: PlanContent) -> None:
        places = [("title", content.title)]
        places += [(f"summary_lines[{n}]", line) for n, line in enumerate(content.summary_lines, start=1)]
        places += [("body", line) for line in content.body.split("\n")]
        for field, text in places:
            plain = _plain(text)
            if _DRAFT_LINE_RE.match(plain) or _DRAFT_PAREN_RE.search(plain) or _DRAFT_CAPS_RE.search(plain):
                self.add(
                    Clause.REVIEW,
                    field,
                    f"a draft label is left in the text: '{plain[:60]}'",
                    blocking=False,
                )

    def recipients(self, content: PlanContent) -> None:
        lines = content.recipients
        if not any(not r.archive for r in lines):
            self.add(Clause.RECIPIENTS, "recipients", "the Nơi nhận list has no recipient")
        for n, line in enumerate(lines, start=1):
            if not line.text.strip():
                self.add(Clause.RECIPIENTS, f"recipients[{n}]", "the line is empty")
        archives = [n for n, r in enumerate(lines, start=1) if r.archive]
        if not archives:
            self.add(
                Clause.ARCHIVE,
                "recipients",
                f"the archive line ('{self.rules.archive_example}') is missing from the Nơi nhận list",
            )
            return
        if archives[-1] != len(lines) or len(archives) > 1:
            self.add(Clause.ARCHIVE, f"recipients[{archives[0]}]", "the archive line must be the last line")
        for n in archives:
            text = lines[n - 1].text
            if not self.rules.archive_ok(text):
                self.add(
                    Clause.ARCHIVE,
                    f"recipients[{n}]",
                    f"'{text}' is not in the form '{self.rules.archive_example}'",
                    blocking=False,
                )

    def signature(self, content: PlanContent, issuer: Issuer) -> None:
        sig = content.signature
        if sig is None:
            self.add(Clause.SIGNATURE, "signature", "no signer is assigned")
            return
        if not sig.signer_name.strip():
            self.add(Clause.SIGNATURE, "signature.signer_name", "the signer's name is missing")
        elif _ACADEMIC_RANK_RE.match(sig.signer_name.strip()):
            self.add(
                Clause.SIGNATURE,
                "signature.signer_name",
                f"'{sig.signer_name}': the name carries no academic rank",
                blocking=False,
            )
        if not sig.title.strip():
            self.add(Clause.SIGNATURE, "signature.title", "the signer's title (chức vụ) is missing")
        self.signing_form(sig.form.strip(), sig.collective.strip(), issuer)
        self.block_lines(sig.lines, issuer)

    def signing_form(self, form: str, label: str, issuer: Issuer) -> None:
        rules = self.rules
        if form and form not in rules.signing_forms:
            self.add(Clause.SIGNATURE, "signature.form", self.foreign_form(1, f"{form} {label}", form))
            return
        if form and not label:
            self.add(Clause.SIGNATURE, "signature.collective", f"'{form}' does not say whom it signs for")
        collective = rules.is_collective(label, issuer.code.strip())
        if form == rules.deputy_form and collective and not rules.deputy_for_collective:
            self.add(
                Clause.SIGNATURE,
                "signature.form",
                f"'{form} {label}': {rules.deputy_form} is not used for a collective body; "
                f"a deputy signs {rules.collective_form} for it",
            )
        if not form and collective:
            self.add(
                Clause.SIGNATURE,
                "signature.form",
                f"a collective body's plan is signed '{rules.collective_form} <body>', not directly",
            )

    def block_lines(self, lines: Sequence[str], issuer: Issuer) -> None:
        """The forms on the lines of a block of several lines (the first is checked as the form),
        and a deputy's line under the collective body's own where the rule set wants it."""
        rules = self.rules
        for n, line in enumerate(lines, start=1):
            found = FORM_RE.match(line)
            form = found.group(1) if found else ""
            where = f"signature.lines[{n}]"
            if n > 1 and form and form not in rules.signing_forms:
                self.add(Clause.SIGNATURE, where, self.foreign_form(n, line, form))
            body = rules.collective_body(issuer.name)
            # The body's own line, in whatever form (a wrong form is reported on that line).
            above = any(
                FORM_RE.match(earlier) and rules.collective_body(earlier) for earlier in lines[: n - 1]
            )
            if form == rules.deputy_form and rules.deputy_under_collective and body and not above:
                self.add(
                    Clause.SIGNATURE,
                    where,
                    f"line {n} '{line}': a deputy signs a plan of the {body.lower()} under the line "
                    f"'{rules.collective_form} {body}' above it",
                )

    def foreign_form(self, n: int, line: str, form: str) -> str:
        allowed = ", ".join(self.rules.signing_forms)
        return (
            f"line {n} '{line.strip()}': '{form}' is not a signing form of {self.rules.name} "
            f"(allowed: {allowed}, or a direct signature)"
        )
