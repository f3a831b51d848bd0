"""The plan list: search, filters, sort and pages done by the database, and visibility that
agrees with the plan-by-plan check everywhere else."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from models.content import Draft
from models.db import Database
from models.directory import Person
from models.lifecycle import State
from models.plans import Plan
from models.services import listing, plans
from models.services.access import can_see
from tests.factory import R1, R3, SECRETARIAT, build, sample_draft
from tests.web.conftest import sign_in

ROW = re.compile(r'<li class="item">\s*<a href="/plans/(\d+)">')


def ids(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def many(db: Database, n: int) -> list[int]:
    out = []
    for i in range(n):
        draft = sample_draft(title=f"Kế hoạch số thứ tự {i:03d}")
        out.append(plans.create_plan(db, SECRETARIAT, "hamliem", draft).plan_id)
    return out


def test_pages_of_fifty_newest_first(client: TestClient, people: Database) -> None:
    created = many(people, 120)
    sign_in(client, people, SECRETARIAT)
    first = client.get("/inbox").text
    assert ids(first) == sorted(created, reverse=True)[:50] and "120 văn bản" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/inbox", params={"page": 3}).text
    assert ids(last) == sorted(created, reverse=True)[100:]
    oldest = client.get("/inbox", params={"sort": "oldest"}).text
    assert ids(oldest)[:3] == created[:3]
    beyond = client.get("/inbox", params={"page": 99}).text  # past the end: the last page
    assert ids(beyond) == ids(last)


def disaster_plan(db: Database) -> int:
    draft = Draft(title="Kế hoạch phòng chống thiên tai", body="I. MỤC ĐÍCH\n\n- Ứng phó bão lũ mùa mưa.")
    return plans.create_plan(db, SECRETARIAT, "hamliem", draft).plan_id


def test_search_by_number_title_and_text(client: TestClient, people: Database) -> None:
    many(people, 12)
    special = disaster_plan(people)
    sign_in(client, people, SECRETARIAT)
    assert ids(client.get("/inbox", params={"q": f"KH-{special}"}).text) == [special]
    assert ids(client.get("/inbox", params={"q": str(special)}).text) == [special]
    assert ids(client.get("/inbox", params={"q": "thiên tai"}).text) == [special]
    assert ids(client.get("/inbox", params={"q": "bão lũ"}).text) == [special]
    assert ids(client.get("/inbox", params={"q": "số thứ tự 007"}).text) == [8]
    assert ids(client.get("/inbox", params={"q": "100%_"}).text) == []  # no word begins with 100


def test_word_search_ignores_case_finds_word_beginnings_and_reads_the_current_version(
    client: TestClient, people: Database
) -> None:
    many(people, 3)
    plan_id = disaster_plan(people)
    plans.edit_plan(people, plan_id, SECRETARIAT, body="I. MỤC ĐÍCH\n\n- Ứng phó hạn hán mùa khô.")
    sign_in(client, people, SECRETARIAT)
    search = {q: ids(client.get("/inbox", params={"q": q}).text) for q in ("THIÊN TAI", "hạn há", "bão lũ")}
    assert search == {"THIÊN TAI": [plan_id], "hạn há": [plan_id], "bão lũ": []}, "bão lũ: only the old text"
    assert ids(client.get("/inbox", params={"q": "thiên tai mùa mưa"}).text) == []  # every word, not any
    assert (
        ids(client.get("/inbox", params={"q": "hạ hán"}).text) == []
    )  # only the last word may be unfinished
    assert ids(client.get("/inbox", params={"q": "thiện tai"}).text) == []  # diacritics are letters
    with people.read() as session:  # the word search goes through the full-text index
        if session.get_bind().dialect.name == "sqlite":
            plan = session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT rowid FROM planversion_fts WHERE planversion_fts MATCH '\"hạn\"*'"
            )
            assert any("VIRTUAL TABLE INDEX" in str(row) for row in plan)


def test_filters_by_state_waiting_and_year(client: TestClient, people: Database) -> None:
    draft = build(people, State.DRAFT)
    in_review = build(people, State.IN_REVIEW)
    approved = build(people, State.APPROVED)
    sign_in(client, people, SECRETARIAT)
    assert ids(client.get("/inbox", params={"state": "in_review"}).text) == [in_review]
    assert ids(client.get("/inbox", params={"waiting_on": R1}).text) == [in_review]
    waiting_office = ids(client.get("/inbox", params={"waiting_on": SECRETARIAT}).text)
    assert waiting_office == [draft]
    with people.read() as s:
        year = s.get(Plan, approved).created_at.year  # type: ignore[union-attr]
    assert set(ids(client.get("/inbox", params={"year": year}).text)) == {draft, in_review, approved}
    assert ids(client.get("/inbox", params={"year": year - 1}).text) == []


def test_bad_filters_name_their_field(client: TestClient, people: Database) -> None:
    sign_in(client, people, SECRETARIAT)
    named = (({"state": "bogus"}, "Trạng thái"), ({"page": "abc"}, "Trang"), ({"sort": "x"}, "Sắp xếp"))
    for params, field in named:
        page = client.get("/inbox", params=params)
        assert page.status_code == 400 and field in page.text, params


def test_visibility_agrees_with_the_plan_by_plan_check(people: Database) -> None:
    build(people, State.IN_REVIEW)
    build(people, State.DRAFT)
    many(people, 3)
    with people.read() as s:
        everyone = s.exec(select(Person)).all()
        all_plans = s.exec(select(Plan)).all()
        expected = {
            p.email: sorted((plan.id for plan in all_plans if can_see(s, p, plan)), reverse=True)
            for p in everyone
        }
    for person in everyone:
        seen = [row.id for row in listing.plans(people, person, listing.PlanFilter(), per_page=1000).rows]
        assert seen == expected[person.email], person.email
    assert expected[R1] and not expected[R3]
