"""Links, CSRF, roles and escaping: what the app refuses, and that a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.db import Database
from models.directory import Person
from models.lifecycle import State
from models.policies import Decision
from models.records import OutboxMessage
from models.services import access, addressbook, plans, reviews
from models.services.queries import plan_status
from models.settings import Settings
from models.types import utcnow
from tests.factory import OTHER_SECRETARIAT, R1, R2, R3, SECRETARIAT, SIGNER, build, current_hash
from tests.web.conftest import csrf_of, last_link, new_client, post_form, sign_in, use_link, web_settings


def later(db: Database, hours: float) -> Database:
    """The same database seen by a clock `hours` ahead."""
    return Database(db.engine, clock=lambda: utcnow() + timedelta(hours=hours))


def test_forged_link_is_refused(client: TestClient, people: Database) -> None:
    build(people, State.IN_REVIEW)
    assert client.get("/l/forged-token-that-was-never-issued").status_code == 404
    page = client.get("/login")
    assert client.post("/l/forged", data={"csrf": csrf_of(page.text)}).status_code == 404
    assert "bh_session" not in client.cookies


def test_expired_link_is_refused(people: Database, app_settings: Settings) -> None:
    plan_id = build(people, State.IN_REVIEW)
    link = last_link(people, R1, "review_requested")
    with new_client(later(people, app_settings.link_hours + 1), app_settings) as late:
        page = late.get(link)
        assert page.status_code == 403 and "đã hết hạn" in page.text
    with new_client(later(people, app_settings.link_hours - 1), app_settings) as in_time:
        assert use_link(in_time, link) == f"/plans/{plan_id}/review"


def test_a_link_works_once(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.IN_REVIEW)
    link = last_link(people, R1, "review_requested")
    use_link(client, link)
    again = client.get(link)
    # opened again by its person, still signed in: to the task, not an error
    assert again.status_code == 303 and again.headers["location"] == f"/plans/{plan_id}/review"
    fresh = TestClient(client.app, follow_redirects=False)
    token = csrf_of(fresh.get("/login").text)
    refused = fresh.post(link, data={"csrf": token})
    assert refused.status_code == 403 and "đã được dùng" in refused.text and 'href="/login"' in refused.text
    assert "bh_session" not in fresh.cookies
    other = TestClient(client.app, follow_redirects=False)
    sign_in(other, people, R2)  # someone else, signed in: told why, never taken to R1's task
    assert other.get(link).status_code == 403
    reviews.decide(people, plan_id, R1, Decision.APPROVE, current_hash(people, plan_id))
    done = client.get(link)  # R1 again, the task done: to the plan page
    assert done.status_code == 303 and done.headers["location"] == f"/plans/{plan_id}"


def test_someone_elses_link_is_refused_while_signed_in(client: TestClient, people: Database) -> None:
    build(people, State.IN_REVIEW)
    use_link(client, last_link(people, R2, "review_requested"))
    theirs = last_link(people, R1, "review_requested")
    page = client.get(theirs)
    refused = client.post(theirs, data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403 and "được gửi cho người khác" in refused.text
    assert use_link(TestClient(client.app, follow_redirects=False), theirs)  # still unused, R1 can use it


def test_a_link_whose_step_is_done_or_changed_is_refused(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.IN_REVIEW)
    link = last_link(people, R1, "review_requested")
    plans.withdraw(people, plan_id, SECRETARIAT, "không cần nữa")
    page = client.get(link)
    assert page.status_code == 403 and "không còn chờ đồng chí" in page.text


def test_get_never_acts(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.IN_REVIEW)
    link = last_link(people, R1, "review_requested")
    for _ in range(3):  # a mail scanner opening the link
        assert client.get(link).status_code == 200
    assert "bh_session" not in client.cookies
    sign_in(client, people, SECRETARIAT)
    for path in ("submit", "withdraw", "review", "sign", "resend"):
        client.get(f"/plans/{plan_id}/{path}", params={"decision": "approve", "version": "x" * 12})
    assert plan_status(people, plan_id)["state"] == State.IN_REVIEW
    assert use_link(TestClient(client.app, follow_redirects=False), link) == f"/plans/{plan_id}/review"


@pytest.mark.parametrize("token", [None, "", "0" * 64, "from-another-browser"])
def test_post_without_a_valid_csrf_token_is_refused(
    client: TestClient, people: Database, token: str | None
) -> None:
    plan_id = build(people, State.DRAFT)
    sign_in(client, people, SECRETARIAT)
    if token == "from-another-browser":
        other = TestClient(client.app, follow_redirects=False)
        token = csrf_of(other.get("/login").text)
    data = {} if token is None else {"csrf": token}
    refused = client.post(f"/plans/{plan_id}/withdraw", data=data)
    assert refused.status_code == 403 and "Biểu mẫu không hợp lệ" in refused.text
    assert plan_status(people, plan_id)["state"] == State.DRAFT
    no_cookie = TestClient(client.app, follow_redirects=False)
    no_cookie.cookies.set("bh_session", client.cookies["bh_session"])
    assert (
        no_cookie.post(
            f"/plans/{plan_id}/withdraw", data={"csrf": csrf_of(client.get("/inbox").text)}
        ).status_code
        == 403
    )
    assert plan_status(people, plan_id)["state"] == State.DRAFT


def test_reviewer_cannot_act_on_anothers_task_or_see_an_unassigned_plan(
    client: TestClient, people: Database
) -> None:
    plan_id = build(people, State.IN_REVIEW)
    sign_in(client, people, R3)  # a reviewer of the organisation, not of this plan
    for path in (f"/plans/{plan_id}", f"/plans/{plan_id}/review", f"/plans/{plan_id}/document"):
        assert client.get(path).status_code == 404
    assert "Nghị quyết số 12" not in client.get("/inbox").text
    csrf = csrf_of(client.get("/inbox").text)
    act = client.post(
        f"/plans/{plan_id}/review",
        data={"csrf": csrf, "decision": "approve", "version": current_hash(people, plan_id)},
    )
    assert act.status_code == 404
    signer_try = client.post(f"/plans/{plan_id}/submit", data={"csrf": csrf})
    assert signer_try.status_code == 403
    assert {t["status"] for t in plan_status(people, plan_id)["tasks"]} == {"open"}


def test_signer_cannot_review_and_reviewer_cannot_sign(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.APPROVED)
    sign_in(client, people, R1)
    csrf = csrf_of(client.get("/inbox").text)
    refused = client.post(
        f"/plans/{plan_id}/sign", data={"csrf": csrf, "version": current_hash(people, plan_id)}
    )
    assert refused.status_code == 403
    assert plan_status(people, plan_id)["state"] == State.APPROVED
    signer = TestClient(client.app, follow_redirects=False)
    sign_in(signer, people, SIGNER)
    assert signer.get("/plans/new").status_code == 403


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> {{ 1111*3 }} {% raw %}"


def test_markup_and_template_syntax_show_as_text(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.DRAFT)
    plans.edit_plan(people, plan_id, SECRETARIAT, title=f"Kế hoạch {HOSTILE}")
    addressbook.save_person(people, SECRETARIAT, R1, f"Trần {HOSTILE}", "", ["reviewer"])
    plans.submit(people, plan_id, SECRETARIAT)
    reviews.decide(
        people, plan_id, R1, Decision.REQUEST_CHANGES, current_hash(people, plan_id), f"Sửa {HOSTILE}"
    )
    sign_in(client, people, SECRETARIAT)
    for path in (
        f"/plans/{plan_id}",
        "/inbox",
        "/directory",
        f"/plans/{plan_id}/edit",
        f"/plans/{plan_id}/document",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
        assert "{{ 1111*3 }}" in page.text and "3333" not in page.text, path
        assert "script-src 'none'" in page.headers["content-security-policy"] or path.endswith("document")


def test_session_ends_after_inactivity(people: Database, app_settings: Settings) -> None:
    with new_client(people, app_settings) as c:
        sign_in(c, people, SECRETARIAT)
        session = c.cookies["bh_session"]
    with new_client(later(people, app_settings.session_minutes / 60 + 0.1), app_settings) as late:
        late.cookies.set("bh_session", session)
        assert late.get("/inbox").headers["location"] == "/login"


def test_other_organisation_sees_and_acts_on_its_own_plans_only(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.DRAFT)
    sign_in(client, people, OTHER_SECRETARIAT)
    assert client.get(f"/plans/{plan_id}").status_code == 404
    assert "Nghị quyết số 12" not in client.get("/inbox").text
    csrf = csrf_of(client.get("/inbox").text)
    for action in ("submit", "withdraw", "edit", "assign"):
        refused = client.post(f"/plans/{plan_id}/{action}", data={"csrf": csrf, "title": "x", "body": "y"})
        assert refused.status_code == 404, action
    assert plan_status(people, plan_id)["state"] == State.DRAFT
    own = post_form(
        client, "/plans/new", "/plans/new", {"title": "Kế hoạch của Đảng ủy Khối", "body": "Nội dung."}
    )
    assert own.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/inbox")
    assert "Kế hoạch của Đảng ủy Khối" in page.text and "Nghị quyết số 12" not in page.text
    hamliem = TestClient(client.app, follow_redirects=False)
    sign_in(hamliem, people, SECRETARIAT)
    assert "Kế hoạch của Đảng ủy Khối" not in hamliem.get("/inbox").text
    assert hamliem.get(f"/plans/{plan_id + 1}").status_code == 404


def test_mail_view_only_on_the_embedded_default(people: Database, tmp_path: object, db_url: str) -> None:
    from pathlib import Path

    for setting in ({"smtp_host": "smtp.example.vn"}, {"web_host": "0.0.0.0"}, {"catcher": False}):
        with new_client(people, web_settings(Path(str(tmp_path)), database_url=db_url, **setting)) as c:
            assert c.get("/mail").status_code == 404, setting
    with new_client(people, web_settings(Path(str(tmp_path)), database_url=db_url)) as c:
        assert c.get("/mail").status_code == 303  # to sign-in: the caught mail holds sign-in links
        sign_in(c, people, R1)
        assert c.get("/mail").status_code == 403  # a reviewer reads their own mail, not everyone's
    with new_client(people, web_settings(Path(str(tmp_path)), database_url=db_url)) as c:
        sign_in(c, people, SECRETARIAT)
        assert c.get("/mail").status_code == 200


def test_a_link_is_bound_to_the_version_it_was_sent_for(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.CHANGES_REQUESTED)
    link = last_link(people, SECRETARIAT, "changes_requested")
    assert "Chỉnh sửa dự thảo" in client.get(link).text
    plans.edit_plan(people, plan_id, SECRETARIAT, body="I. MỤC ĐÍCH\n\n- Đã sửa.")  # a new version
    refused = client.get(link)
    assert refused.status_code == 403 and "Đường dẫn không dùng được" in refused.text


def test_the_sign_in_form_cannot_flood_an_inbox(client: TestClient, people: Database) -> None:
    token = csrf_of(client.get("/login").text)
    for _ in range(access.SIGN_IN_BURST):
        assert client.post("/login", data={"email": R1, "csrf": token}).status_code == 200
    for _ in range(3):  # told to wait, and for how long: never "sent" when nothing was
        waiting = client.post("/login", data={"email": R1, "csrf": token})
        assert waiting.status_code == 429 and "Xin đợi 15 phút" in waiting.text
    with people.read() as s:
        sent = s.exec(select(OutboxMessage).where(OutboxMessage.event == "sign_in")).all()
    assert len(sent) == access.SIGN_IN_BURST


def test_one_secretariat_member_cannot_add_a_signer_from_the_address_book(
    client: TestClient, people: Database
) -> None:
    """The attack: one member adds people with outside or inside addresses as signer and reviewer."""
    sign_in(client, people, SECRETARIAT)
    for email, status in (("ky.gia@gmail.com", 400), ("ky.gia@hamliem.example.vn", 403)):
        refused = post_form(
            client,
            "/directory",
            "/directory/people",
            {"email": email, "name": "Phạm Văn Ký", "title": "Phó Bí thư", "role": ["signer", "reviewer"]},
        )
        assert refused.status_code == status, email  # type: ignore[attr-defined]
        with people.read() as s:
            assert s.exec(select(Person).where(Person.email == email)).first() is None
