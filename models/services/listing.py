"""The plan list a person searches: filters, sort and pages done by the database, with who may
see what expressed in the query itself (not plan by plan), so a page costs a few queries at
any number of plans."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Integer, Select, false, func, literal_column, or_, text, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.db import Database
from models.delegation import Kind
from models.directory import Person
from models.errors import Invalid
from models.lifecycle import Role, State, waiting_on
from models.numbering import VN_TZ
from models.plans import Plan, PlanReviewer, PlanVersion, ReviewTask
from models.policies import TaskStatus
from models.services.checks import local_date
from models.services.queries import _delegators

Sort = Literal["newest", "oldest", "updated", "title"]
SORTS: tuple[Sort, ...] = ("newest", "oldest", "updated", "title")
PER_PAGE = 50
_NUMBER = re.compile(r"^\s*(?:KH-?)?(\d{1,9})\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")  # what both full-text indexes call a word: letters and digits
_MOST_WORDS = 12
# Written as the index of migration 0008 is, so PostgreSQL uses it.
_PG_WORDS: ColumnElement[Any] = literal_column(
    "to_tsvector('simple'::regconfig, planversion.title || ' ' || planversion.body)"
)


@dataclass(frozen=True)
class PlanFilter:
    q: str = ""  # a number (12, KH-12), or words in the title, symbol or text
    state: str = ""
    waiting_on: str = ""  # an address: plans whose next step waits for that person
    year: int | None = None  # the year it was signed, or created when not signed
    sort: Sort = "newest"
    page: int = 1

    @classmethod
    def from_query(cls, params: dict[str, str]) -> PlanFilter:
        """From a page's query string; a bad value names its field (and changes nothing)."""
        state = params.get("state", "").strip()
        if state and state not in {s.value for s in State}:
            raise Invalid("state", code="listing.bad_state", value=state)
        sort = params.get("sort", "newest").strip() or "newest"
        if sort not in SORTS:
            raise Invalid("sort", code="listing.bad_sort", value=sort, sorts=SORTS)
        return cls(
            q=params.get("q", "").strip()[:200],
            state=state,
            waiting_on=params.get("waiting_on", "").strip().lower()[:320],
            year=_whole(params.get("year", ""), "year", 1945, 2200),
            sort=sort,
            page=_whole(params.get("page", ""), "page", 1, 1_000_000) or 1,
        )


@dataclass(frozen=True)
class PlanRow:
    id: int
    state: str
    title: str
    symbol: str
    updated: datetime


@dataclass(frozen=True)
class PlanPage:
    rows: list[PlanRow]
    total: int
    page: int
    pages: int
    filter: PlanFilter = field(default_factory=PlanFilter)

    def link(self, **change: Any) -> str:
        """The query string of this list with some parameters changed (for pages and sorts)."""
        values = {
            "q": self.filter.q,
            "state": self.filter.state,
            "waiting_on": self.filter.waiting_on,
            "year": self.filter.year or "",
            "sort": self.filter.sort,
            "page": self.page,
            **change,
        }
        return "?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _whole(text: str, name: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise Invalid(name, code="field.not_number", text=text[:20], low=low, high=high)
    return int(text)


def _visible(session: Session, person: Person) -> ColumnElement[bool]:
    """can_see() as a condition: the secretariat sees its organisation's plans; others the plans
    they review or sign, did review, or hold a delegation in force for."""
    if Role.SECRETARIAT in person.roles or Role.CLERK in person.roles:
        return true()
    today = local_date(datetime.now(VN_TZ))
    reviewing = [person.id, *(k for k in _delegators(session, person.id or 0, Kind.REVIEW, today) if k)]
    signing = [person.id, *(k for k in _delegators(session, person.id or 0, Kind.SIGN, today) if k)]
    reviews = select(PlanReviewer.plan_id).where(col(PlanReviewer.person_id).in_(reviewing))
    tasks = select(ReviewTask.plan_id).where(
        or_(
            col(ReviewTask.reviewer_id) == person.id,
            col(ReviewTask.delegate_id) == person.id,
            col(ReviewTask.decided_by_id) == person.id,
        )
    )
    return or_(col(Plan.signer_id).in_(signing), col(Plan.id).in_(reviews), col(Plan.id).in_(tasks))


def _waiting_on(session: Session, org_id: int, email: str) -> ColumnElement[bool]:
    who = session.exec(select(Person).where(Person.org_id == org_id, col(Person.email) == email)).first()
    if who is None:
        return false()
    open_review = select(ReviewTask.plan_id).where(
        ReviewTask.reviewer_id == who.id,
        ReviewTask.status == TaskStatus.OPEN,
    )
    return or_(  # a step of the person's, in the states the lifecycle says wait on that role
        col(Plan.state).in_(waiting_on(Role.REVIEWER)) & col(Plan.id).in_(open_review),
        col(Plan.state).in_(waiting_on(Role.SIGNER)) & (col(Plan.signer_id) == who.id),
        col(Plan.state).in_(waiting_on(Role.SECRETARIAT)) & (col(Plan.drafter_id) == who.id),
        # a văn thư: every signed plan of the organisation waiting to be issued
        col(Plan.state).in_(waiting_on(Role.CLERK) if Role.CLERK in who.roles else []),
    )


def _matches(session: Session, q: str) -> ColumnElement[bool]:
    number = _NUMBER.match(q)
    if number:
        n = int(number.group(1))
        return or_(col(Plan.id) == n, col(Plan.number) == n)
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    symbol = col(Plan.symbol).ilike(pattern, escape="\\")
    words = _WORD.findall(unicodedata.normalize("NFC", q))[:_MOST_WORDS]
    if not words:
        return symbol
    return or_(symbol, _has_words(session, words))


def _has_words(session: Session, words: list[str]) -> ColumnElement[bool]:
    """The current version's title or text has every word, the last one possibly unfinished (a
    word beginning with it), through the full-text index of migration 0008: a word search does
    not read every plan's text, and whole words look up one entry each, not every extension."""
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*'])
        hits: Select[int] = (
            sa_select(literal_column("rowid", Integer))
            .select_from(text("planversion_fts"))
            .where(text("planversion_fts MATCH :words").bindparams(words=match))
        )
        return col(PlanVersion.id).in_(hits)
    query = func.to_tsquery(
        literal_column("'simple'::regconfig"), " & ".join([*words[:-1], f"{words[-1]}:*"])
    )
    return _PG_WORDS.op("@@")(query)


def _in_year(year: int) -> ColumnElement[bool]:
    start = datetime(year, 1, 1, tzinfo=VN_TZ)
    end = start.replace(year=year + 1)
    signed = (col(Plan.signed_at) >= start) & (col(Plan.signed_at) < end)
    created = col(Plan.signed_at).is_(None) & (col(Plan.created_at) >= start) & (col(Plan.created_at) < end)
    return or_(signed, created)


ORDER = {
    "newest": (col(Plan.id).desc(),),
    "oldest": (col(Plan.id).asc(),),
    "updated": (col(Plan.updated_at).desc(), col(Plan.id).desc()),
    "title": (col(PlanVersion.title).asc(), col(Plan.id).asc()),
}


def plans(db: Database, person: Person, wanted: PlanFilter, per_page: int = PER_PAGE) -> PlanPage:
    with db.read() as session:
        where: list[ColumnElement[bool]] = [col(Plan.org_id) == person.org_id, _visible(session, person)]
        if wanted.q:
            where.append(_matches(session, wanted.q))
        if wanted.state:
            where.append(col(Plan.state) == wanted.state)
        if wanted.waiting_on:
            where.append(_waiting_on(session, person.org_id, wanted.waiting_on))
        if wanted.year:
            where.append(_in_year(wanted.year))
        joined = select(Plan.id).join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
        total = session.exec(select(func.count()).select_from(joined.where(*where).subquery())).one()
        pages = max(1, -(-total // per_page))
        page = min(wanted.page, pages)
        rows = session.execute(
            sa_select(
                col(Plan.id), col(Plan.state), col(PlanVersion.title), col(Plan.symbol), col(Plan.updated_at)
            )
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .where(*where)
            .order_by(*ORDER[wanted.sort])
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        return PlanPage(
            [PlanRow(r[0] or 0, r[1], r[2], r[3] or "", r[4]) for r in rows],
            total,
            page,
            pages,
            wanted,
        )
