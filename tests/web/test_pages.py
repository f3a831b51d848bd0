"""Every role's pages through the app: sign-in, secretariat, reviewer and signer steps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.db import Database
from models.lifecycle import State
from models.plans import RenderedDocument
from models.policies import Decision
from models.records import ActionLink, Delivery, OutboxMessage
from models.services import delegations, queries, reviews
from models.services.checks import local_date
from models.services.queries import history, plan_status
from models.settings import Settings
from notifications.catcher import MailCatcher, read_index
from notifications.dispatcher import OutboxSender
from notifications.messages import build_message
from tests.documents.seeds import SEED_004
from tests.documents.wordbuild import seed_docx
from tests.factory import OTHER_SECRETARIAT, R1, R2, SECRETARIAT, SIGNER, SIGNER2, build, current_hash
from tests.web.conftest import csrf_of, last_link, post_form, sign_in, use_link


def test_sign_in_by_emailed_link_then_pages_need_a_session(client: TestClient, people: Database) -> None:
    assert client.get("/inbox").headers["location"] == "/login"
    sign_in(client, people, SECRETARIAT)
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and "Hộp việc" in inbox.text
    out = post_form(client, "/inbox", "/logout", {})
    assert out.status_code == 303  # type: ignore[attr-defined]
    assert client.get("/inbox").headers["location"] == "/login"


def test_unknown_address_gets_the_same_answer_and_no_email(client: TestClient, people: Database) -> None:
    page = client.get("/login")
    answer = client.post("/login", data={"email": "nobody@example.vn", "csrf": csrf_of(page.text)})
    assert answer.status_code == 200 and "Nếu địa chỉ này có trong hệ thống" in answer.text


def test_secretariat_creates_assigns_submits_and_reviewers_decide(
    client: TestClient, people: Database
) -> None:
    sign_in(client, people, SECRETARIAT)
    created = post_form(
        client,
        "/plans/new",
        "/plans/new",
        {
            "title": "Kế hoạch tổ chức Hội nghị",
            "body": "I. MỤC ĐÍCH\n\n- Tổ chức tốt.",
            "recipients": "Thường trực Đảng ủy\nĐảng ủy UBND xã\nLưu Văn phòng Đảng ủy",
        },
    )
    assert created.headers["location"] == "/plans/1/created"  # type: ignore[attr-defined]
    assert "Đã tạo dự thảo KH-1" in client.get("/plans/1/created").text
    assert client.get("/plans/1/created").status_code == 200  # a reload creates nothing
    assert len(queries.list_plans(people)) == 1
    plan_id = 1
    assigned = post_form(
        client,
        f"/plans/{plan_id}/assign",
        f"/plans/{plan_id}/assign",
        {"reviewer": [R1, R2], "signer": SIGNER, "unit": ["tt-dang-uy", "du-ubnd"]},
    )
    assert assigned.status_code == 303, assigned.text  # type: ignore[attr-defined]
    submitted = post_form(client, f"/plans/{plan_id}", f"/plans/{plan_id}/submit", {})
    assert submitted.status_code == 303  # type: ignore[attr-defined]
    assert plan_status(people, plan_id)["state"] == State.IN_REVIEW

    reviewer = TestClient(client.app, follow_redirects=False)
    assert use_link(reviewer, last_link(people, R1, "review_requested")) == f"/plans/{plan_id}/review"
    review = reviewer.get(f"/plans/{plan_id}/review")
    assert "Đồng ý" in review.text and current_hash(people, plan_id) in review.text
    no_comment = reviewer.post(
        f"/plans/{plan_id}/review",
        data={
            "csrf": csrf_of(review.text),
            "decision": "request_changes",
            "version": current_hash(people, plan_id),
        },
    )
    assert no_comment.status_code == 400 and "Cần ghi ý kiến khi đề nghị chỉnh sửa" in no_comment.text
    decided = reviewer.post(
        f"/plans/{plan_id}/review",
        data={
            "csrf": csrf_of(review.text),
            "decision": "request_changes",
            "version": current_hash(people, plan_id),
            "comment": "Bổ sung mục II",
        },
    )
    assert decided.status_code == 303
    assert plan_status(people, plan_id)["state"] == State.CHANGES_REQUESTED
    page = client.get(f"/plans/{plan_id}")
    assert "Bổ sung mục II" in page.text and "đề nghị chỉnh sửa" in page.text


def test_signer_signs_from_the_ready_to_sign_link(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.APPROVED)
    assert use_link(client, last_link(people, SIGNER, "ready_to_sign")) == f"/plans/{plan_id}/sign"
    page = client.get(f"/plans/{plan_id}/sign")
    assert "Ký ban hành" in page.text
    signed = client.post(
        f"/plans/{plan_id}/sign", data={"csrf": csrf_of(page.text), "version": current_hash(people, plan_id)}
    )
    assert signed.status_code == 303
    assert plan_status(people, plan_id)["symbol"] == "Số 01-KH/ĐU"


def test_second_round_shows_the_changes_since_the_reviewers_last_version(
    client: TestClient, people: Database
) -> None:
    plan_id = build(people, State.CHANGES_REQUESTED)
    sign_in(client, people, SECRETARIAT)
    edited = post_form(
        client,
        f"/plans/{plan_id}/edit",
        f"/plans/{plan_id}/edit",
        {
            "title": "Kế hoạch thực hiện Nghị quyết số 12-NQ/TU",
            "body": "I. MỤC ĐÍCH, YÊU CẦU\n\n- Quán triệt và triển khai thực hiện kịp thời.",
        },
    )
    assert edited.status_code == 303  # type: ignore[attr-defined]
    assert post_form(client, f"/plans/{plan_id}", f"/plans/{plan_id}/submit", {}).status_code == 303  # type: ignore[attr-defined]
    reviewer = TestClient(client.app, follow_redirects=False)
    use_link(reviewer, last_link(people, R1, "review_requested"))
    page = reviewer.get(f"/plans/{plan_id}/review")
    # word by word, with the comment that asked for the change
    assert "<del> nghiêm túc.</del><ins> kịp thời.</ins>" in page.text
    assert "Quán triệt và triển khai thực hiện" in page.text and "Sửa mục II" in page.text
    approved = reviewer.post(
        f"/plans/{plan_id}/review",
        data={"csrf": csrf_of(page.text), "decision": "approve", "version": current_hash(people, plan_id)},
    )
    assert approved.status_code == 303, approved.text
    assert plan_status(people, plan_id)["tasks"][0]["status"] == "approved"


def test_secretariat_edits_the_recipients_on_the_edit_page(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.DRAFT)
    sign_in(client, people, SECRETARIAT)
    form = client.get(f"/plans/{plan_id}/edit").text
    assert (
        "- Thường trực Tỉnh ủy (báo cáo)\n- Thường trực Đảng ủy\n" in form
    )  # the list as it will be printed
    status = plan_status(people, plan_id)
    fields = {"title": str(status["title"]), "body": "I. MỤC ĐÍCH, YÊU CẦU\n\n- Quán triệt."}
    refused = post_form(
        client,
        f"/plans/{plan_id}/edit",
        f"/plans/{plan_id}/edit",
        {**fields, "recipients": "- Lưu Văn phòng Đảng ủy.\n- Thường trực Đảng ủy;"},
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Dòng lưu" in refused.text and "Nơi nhận" in refused.text  # type: ignore[attr-defined]
    assert plan_status(people, plan_id)["version_hash"] == status["version_hash"]
    edited = post_form(
        client,
        f"/plans/{plan_id}/edit",
        f"/plans/{plan_id}/edit",
        {
            **fields,
            "recipients": "- Ban Xây dựng Đảng (để thực hiện);\r\n- Như trên;\r\n- Lưu Văn phòng Đảng ủy.",
        },
    )
    assert edited.status_code == 303  # type: ignore[attr-defined]
    lines = [(r["text"], r["annotation"], r["unit_code"]) for r in plan_status(people, plan_id)["recipients"]]
    assert lines == [
        ("Ban Xây dựng Đảng", "để thực hiện", "bxdd"),
        ("Như trên", "", None),
        ("Lưu Văn phòng Đảng ủy", "", None),
    ]


def test_sign_in_email_carries_the_link_on_the_configured_url(
    client: TestClient, people: Database, app_settings: Settings
) -> None:
    page = client.get("/login")
    client.post("/login", data={"email": SECRETARIAT.upper(), "csrf": csrf_of(page.text)})
    with people.read() as s:
        item = s.exec(select(OutboxMessage).where(OutboxMessage.event == "sign_in")).one()
    body = build_message(item, app_settings).get_body(preferencelist=("plain",))
    assert body is not None
    link = last_link(people, SECRETARIAT, "sign_in")
    assert f"{app_settings.base_url}{link}" in body.get_content()
    assert item.to_email == SECRETARIAT and item.plan_id is None


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_secretariat_imports_a_plan_from_a_file(client: TestClient, people: Database, kind: str) -> None:
    text = SEED_004.read_text(encoding="utf-8")
    data = (
        text.encode("utf-8")
        if kind == "txt"
        else seed_docx(text, header=("Đảng bộ", "Đảng ủy", "Số -KH/ĐU", "ngày"))
    )
    sign_in(client, people, SECRETARIAT)
    page = client.get("/plans/new")
    created = client.post(
        "/plans/new",
        data={"csrf": csrf_of(page.text)},
        files={"file": (f"ke-hoach.{kind}", data, "application/octet-stream")},
    )
    assert created.status_code == 303, created.text
    shown = client.get(created.headers["location"]).text
    assert "Đã tạo dự thảo KH-1" in shown
    # The importer's notes in Vietnamese, with their place; not the English text the CLI prints.
    assert "Đã bỏ chữ “Thư” dính sau dấu chấm cuối" in shown and "dropped" not in shown
    assert ("Dòng 121: " if kind == "txt" else "Đoạn ") in shown
    status = plan_status(people, 1)
    assert status["state"] == State.DRAFT and status["signer"] == SIGNER
    assert all(r.get("unit_code") or r.get("archive") for r in status["recipients"])


def test_importing_the_same_text_again_is_noted_on_the_next_page(
    client: TestClient, people: Database
) -> None:
    sign_in(client, people, SECRETARIAT)
    form = {
        "title": "Kế hoạch trùng",
        "body": "I. MỤC ĐÍCH\n\n- Một nội dung.",
        "recipients": "Lưu Văn phòng",
    }
    first = post_form(client, "/plans/new", "/plans/new", form)
    assert "Trùng nội dung" not in client.get(first.headers["location"]).text  # type: ignore[attr-defined]
    second = post_form(client, "/plans/new", "/plans/new", form)
    page = client.get(second.headers["location"]).text  # type: ignore[attr-defined]
    assert "Cần lưu ý" in page and "Trùng nội dung: Nội dung trùng với văn bản KH-1" in page
    assert "duplicate" not in page and "the same text" not in page


def test_notes_kept_before_they_had_codes_are_shown_as_written() -> None:
    from web.plans import shown_notes

    old = {"version": 1, "notes": ["duplicate: the same text as KH-1 (draft)"]}
    assert shown_notes(old) == ["duplicate: the same text as KH-1 (draft)"]
    new = {
        **old,
        "note_codes": [
            {"code": "plan.duplicate_text", "where": "duplicate", "params": {"plan": "1", "state": "draft"}}
        ],
    }
    assert shown_notes(new) == [
        "Trùng nội dung: Nội dung trùng với văn bản KH-1 (dự thảo); xin kiểm tra xem có nhập lại nhầm không."
    ]


def test_a_file_that_is_not_a_plan_is_refused_with_its_reason(client: TestClient, people: Database) -> None:
    sign_in(client, people, SECRETARIAT)
    page = client.get("/plans/new")
    refused = client.post(
        "/plans/new",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("x.docx", b"not a word file", "application/octet-stream")},
    )
    assert refused.status_code == 400 and "Tệp" in refused.text
    assert queries.list_plans(people) == []


def test_secretariat_edits_the_address_book(client: TestClient, people: Database) -> None:
    sign_in(client, people, SECRETARIAT)
    saved = post_form(
        client,
        "/directory",
        "/directory/units",
        {"code": "mttq", "name": "Ủy ban MTTQ xã", "email": "mttq@hamliem.example.vn", "aliases": "MTTQ xã"},
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    bad = post_form(
        client, "/directory", "/directory/units", {"code": "x", "name": "X", "email": "not-an-address"}
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    person = post_form(
        client,
        "/directory",
        "/directory/people",
        {"email": "moi@hamliem.example.vn", "name": "Người Mới", "title": "Ủy viên", "role": ["secretariat"]},
    )
    assert person.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/directory").text
    assert "Ủy ban MTTQ xã" in page and "Người Mới" in page and "not-an-address" not in page
    reviewer = TestClient(client.app, follow_redirects=False)
    sign_in(reviewer, people, R1)
    assert reviewer.get("/directory").status_code == 403


def test_deliveries_resend_to_one_recipient_and_the_register(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.ISSUED)
    sign_in(client, people, SECRETARIAT)
    page = client.get(f"/plans/{plan_id}/deliveries")
    assert page.text.count("đã gửi") >= 2
    before = len(queries.outbox(people, plan_id))
    resent = client.post(
        f"/plans/{plan_id}/resend",
        data={"csrf": csrf_of(page.text), "email": "dangu-ubnd@hamliem.example.vn"},
    )
    assert resent.status_code == 303
    after = queries.outbox(people, plan_id)
    assert len(after) == before + 1 and after[-1]["to"] == "dangu-ubnd@hamliem.example.vn"
    page = client.get(f"/plans/{plan_id}/deliveries")
    assert "chưa xác nhận nhận" in page.text
    with people.write() as s:  # copies sent by the real sender carry a receipt link; these were drained
        for d in s.exec(select(Delivery).where(Delivery.plan_id == plan_id, Delivery.status == "sent")):
            d.ack_token_hash = f"hash-{d.id}"
            s.add(d)
    outbox_before = len(queries.outbox(people, plan_id))
    reminded = client.post(f"/plans/{plan_id}/remind-ack", data={"csrf": csrf_of(page.text)})
    assert reminded.status_code == 303
    sent = sum(1 for d in queries.deliveries(people, plan_id) if d["status"] == "sent")
    reminders = [o for o in queries.outbox(people, plan_id)[outbox_before:] if o["event"] == "ack_reminder"]
    assert len(reminders) == sent  # one to each copy not acknowledged (none is yet)
    register = client.get("/register")
    assert "01-KH/ĐU" in register.text and "Kế hoạch thực hiện Nghị quyết số 12-NQ/TU" in register.text


async def test_catcher_messages_are_readable_with_their_link(
    client: TestClient, people: Database, app_settings: Settings, tmp_path: Path
) -> None:
    build(people, State.IN_REVIEW)
    with MailCatcher(app_settings.mail_dir, port=0) as catcher:
        settings = app_settings.model_copy(update={"smtp_port": catcher.port})
        async with OutboxSender(people, settings) as sender:
            while await sender.send_due():
                pass
    anonymous = TestClient(client.app, follow_redirects=False)
    assert anonymous.get("/mail").headers["location"] == "/login"  # it holds everyone's sign-in links
    sign_in(client, people, SECRETARIAT)
    listing = client.get("/mail", params={"to": R1})
    assert listing.status_code == 200 and "Đề nghị cho ý kiến" in listing.text and R2 not in listing.text
    name = read_index(app_settings.mail_dir)[0]["eml"]
    message = client.get(f"/mail/{read_index(app_settings.mail_dir)[-1]['eml']}")
    assert message.status_code == 200
    link = last_link(people, R2, "review_requested")
    opened = client.get(f"/mail/{name}").text + message.text
    assert f'<a href="{app_settings.base_url}{link}">' in opened
    assert client.get("/mail/..%2Fbanhanh.db").status_code == 404


def test_every_notification_to_a_person_carries_its_own_link(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.ISSUED)
    with people.read() as s:
        emails = s.exec(select(OutboxMessage).where(OutboxMessage.event != "distributed")).all()
        links = s.exec(select(ActionLink)).all()
    events = {e.event for e in emails if e.kind == "email"}
    assert {"review_requested", "approved", "ready_to_sign", "signed", "issued"} <= events
    paths = [e.context["action_path"] for e in emails if e.kind == "email"]
    assert len(set(paths)) == len(paths) == len(links)
    assert all(link.token_hash not in " ".join(paths) for link in links)  # only the hash is stored
    issued = last_link(people, SECRETARIAT, "issued")
    assert use_link(client, issued) == f"/plans/{plan_id}"


def test_returned_draft_waits_in_the_secretariats_inbox_and_withdraw_keeps_the_reason(
    client: TestClient, people: Database
) -> None:
    plan_id = build(people, State.CHANGES_REQUESTED)
    sign_in(client, people, SECRETARIAT)
    inbox = client.get("/inbox").text
    assert f'href="/plans/{plan_id}/edit"' in inbox and "Chỉnh sửa dự thảo" in inbox
    assert f'href="/plans/{plan_id}/withdraw"' in client.get(f"/plans/{plan_id}").text  # no one-click
    confirm = client.get(f"/plans/{plan_id}/withdraw")
    assert "Lý do rút lại (bắt buộc)" in confirm.text
    for reason in ("", "   "):
        refused = post_form(
            client, f"/plans/{plan_id}/withdraw", f"/plans/{plan_id}/withdraw", {"reason": reason}
        )
        assert refused.status_code == 400 and "Lý do" in refused.text  # type: ignore[attr-defined]
        assert plan_status(people, plan_id)["state"] == State.CHANGES_REQUESTED
    withdrawn = post_form(
        client, f"/plans/{plan_id}/withdraw", f"/plans/{plan_id}/withdraw", {"reason": "Trùng nội dung"}
    )
    assert withdrawn.status_code == 303  # type: ignore[attr-defined]
    assert plan_status(people, plan_id)["state"] == State.WITHDRAWN
    assert queries.history(people, plan_id)[-1]["detail"]["reason"] == "Trùng nội dung"
    assert f'href="/plans/{plan_id}/edit"' not in client.get("/inbox").text


def test_a_delegate_reviews_and_signs_from_their_links_on_behalf(
    client: TestClient, people: Database
) -> None:
    today = local_date(datetime.now(UTC))
    delegations.add(people, SECRETARIAT, R1, SIGNER2, "review", today, today)
    delegations.add(people, SECRETARIAT, SIGNER, SIGNER2, "sign", today, today)
    plan_id = build(people, State.IN_REVIEW)
    assert use_link(client, last_link(people, SIGNER2, "review_requested")) == f"/plans/{plan_id}/review"
    inbox = client.get("/inbox").text
    assert f"/plans/{plan_id}/review" in inbox and "Thay " in inbox
    page = client.get(f"/plans/{plan_id}/review")
    approved = client.post(
        f"/plans/{plan_id}/review",
        data={"csrf": csrf_of(page.text), "decision": "approve", "version": current_hash(people, plan_id)},
    )
    assert approved.status_code == 303, approved.text
    assert history(people, plan_id)[-1]["actor"] == f"{SIGNER2} on behalf of {R1}"
    reviews.decide(people, plan_id, R2, Decision.APPROVE, current_hash(people, plan_id))
    assert plan_status(people, plan_id)["state"] == "approved"

    assert use_link(client, last_link(people, SIGNER2, "ready_to_sign")) == f"/plans/{plan_id}/sign"
    page = client.get(f"/plans/{plan_id}/sign")
    signed = client.post(
        f"/plans/{plan_id}/sign", data={"csrf": csrf_of(page.text), "version": current_hash(people, plan_id)}
    )
    assert signed.status_code == 303, signed.text
    assert plan_status(people, plan_id)["state"] == "signed"
    assert any(h["actor"] == f"{SIGNER2} on behalf of {SIGNER}" for h in history(people, plan_id))


def test_the_official_files_download_wherever_the_plan_is_seen(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.IN_REVIEW)
    sign_in(client, people, R1)
    review = client.get(f"/plans/{plan_id}/review").text
    assert f'href="/plans/{plan_id}/download/pdf"' in review
    pdf = client.get(f"/plans/{plan_id}/download/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        pdf.headers["content-disposition"].startswith("attachment; filename=")
        and ".pdf" in pdf.headers["content-disposition"]
    )
    docx = client.get(f"/plans/{plan_id}/download/docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert client.get(f"/plans/{plan_id}/download/exe").status_code == 400
    outsider = TestClient(client.app, follow_redirects=False)
    sign_in(outsider, people, OTHER_SECRETARIAT)
    assert outsider.get(f"/plans/{plan_id}/download/pdf").status_code == 404


def test_an_issued_plan_downloads_as_the_file_recipients_got(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.ISSUED)
    sign_in(client, people, SECRETARIAT)
    sent = [d for d in queries.deliveries(people, plan_id) if d["email"]]
    got = client.get(f"/plans/{plan_id}/download/pdf")
    with people.read() as s:
        stored = s.exec(select(RenderedDocument).where(RenderedDocument.plan_id == plan_id)).all()
    pdfs = [d for d in stored if d.format == "pdf"]
    assert sent and pdfs and got.content == pdfs[0].content
