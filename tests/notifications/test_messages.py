"""Building emails: every event renders in Vietnamese, headers are safe, parts are complete."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from notifications.messages import (
    EVENTS,
    TEMPLATES_DIR,
    MessageError,
    build_message,
    compose,
    one_line,
    render,
)
from notifications.smtp import PermanentFailure
from tests.notifications.conftest import INJECTED_TITLE, TITLE, make_item, plan_context, settings_for

OPTIONAL = {
    "comment": "Đề nghị bổ sung mục III.\nLàm rõ <b>kinh phí</b>.",
    "actor_name": "Trần Văn Bình",
    "deliveries": {"sent": 5, "failed": 1, "not_emailed": 2, "filed": 1},
    "filename": "Kế hoạch 38-KH-ĐU.pdf",
}


def reparse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(bytes(msg), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_templates_cover_every_event() -> None:
    emails = Path(TEMPLATES_DIR, "emails")
    wanted = [f"{e}.{part}.j2" for e in EVENTS for part in ("subject", "txt", "html")]
    assert [name for name in wanted if not (emails / name).is_file()] == []


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("optional", [False, True], ids=["required-keys-only", "all-keys"])
def test_every_event_renders(event: str, optional: bool, tmp_path: Path) -> None:
    context = plan_context(**(OPTIONAL if optional else {}))
    context["to_email"] = "bxdd@hamliem.example.vn"
    subject, text, html = render(event, context)
    assert "\n" not in subject and TITLE in subject
    for body in (text, html):
        assert TITLE in body
        assert "ĐẢNG ỦY XÃ HÀM LIÊM" in body
        assert "3f9a1c07b2e4" in body  # the short version hash the reader checks
        assert "Việc cần làm".upper() in body.upper()
    assert html.lstrip().startswith("<!DOCTYPE html>")
    if optional and event in {"changes_requested", "rejected", "withdrawn"}:
        assert "Làm rõ <b>kinh phí</b>." in text
        assert "Làm rõ &lt;b&gt;kinh phí&lt;/b&gt;." in html
        assert "Trần Văn Bình" in text


def test_review_and_sign_emails_carry_the_exact_commands(tmp_path: Path) -> None:
    settings = settings_for(2525, tmp_path)
    review = reparse(build_message(make_item("review_requested"), settings))
    text, html = parts(review)
    approve = "banhanh review approve 42 --version 3f9a1c07b2e4 --as bxdd@hamliem.example.vn"
    assert approve in text and approve in html
    sign_item = make_item("ready_to_sign", to_email="pbt@hamliem.example.vn")
    text, html = parts(reparse(build_message(sign_item, settings)))
    sign = "banhanh plan sign 42 --version 3f9a1c07b2e4 --as pbt@hamliem.example.vn"
    assert sign in text and sign in html


def test_headers(tmp_path: Path) -> None:
    item = make_item("signed", symbol="Số 38-KH/ĐU")
    msg = reparse(build_message(item, settings_for(2525, tmp_path)))
    assert msg["Message-ID"] == "<signed.p42.r1@banhanh>"
    assert msg["Subject"] == f"[Ban Hành] Đã ký, Số 38-KH/ĐU: {TITLE}"
    assert msg["To"].addresses[0].display_name == "Nguyễn Thị Ánh"
    assert msg["To"].addresses[0].addr_spec == "bxdd@hamliem.example.vn"
    assert msg["From"].addresses[0].display_name == "Văn phòng Đảng ủy"
    assert msg["X-BanHanh-Plan"] == "42"
    assert msg["X-BanHanh-Event"] == "signed"
    assert msg["Date"].datetime.utcoffset().total_seconds() == 7 * 3600
    assert msg.get_content_type() == "multipart/alternative"
    raw = bytes(build_message(item, settings_for(2525, tmp_path)))
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii()  # UTF-8 only through RFC 2047 encoded words
    assert b"=?utf-8?" in head


def test_header_injection_is_impossible(tmp_path: Path) -> None:
    item = make_item("review_requested", title=INJECTED_TITLE, to_name="Ánh\r\nBcc: evil@x")
    item.to_name = "Ánh\r\nBcc: evil@x"
    msg = build_message(item, settings_for(2525, tmp_path))
    raw = bytes(msg)
    parsed = reparse(msg)
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert b"\nBcc:" not in raw and b"\r\nBcc:" not in raw
    assert parsed["Subject"].startswith("[Ban Hành] Đề nghị cho ý kiến: Kế hoạch Bcc: evil@x")
    assert [a.addr_spec for a in parsed["To"].addresses] == ["bxdd@hamliem.example.vn"]


def test_html_and_jinja_in_data_are_inert(tmp_path: Path) -> None:
    title = "Kế hoạch <script>alert(1)</script> {{ 7*7 }} {% raw %}"
    msg = reparse(build_message(make_item("approved", title=title), settings_for(2525, tmp_path)))
    text, html = parts(msg)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "{{ 7*7 }}" in msg["Subject"]


def test_one_line_strips_every_line_break() -> None:
    assert one_line("a\r\nb\nc\rd\x85e\u2028f\x00g\tz  ") == "a b c d e f g z"


def test_distributed_with_attachment_and_rendered_plan(tmp_path: Path) -> None:
    document = (
        "<!DOCTYPE html><html><head><style>@font-face{font-family:X;src:url(data:font/ttf;base64,AAAA)}"
        "p.title{font-weight:bold}</style></head><body><p class='title'>KẾ HOẠCH</p>"
        "<p>Thực hiện Nghị quyết số 12-NQ/TU</p></body></html>"
    )
    item = make_item("distributed", symbol="Số 38-KH/ĐU", state="distributing", to_name="Ban Tuyên giáo")
    msg = reparse(
        build_message(
            item,
            settings_for(2525, tmp_path),
            attachment=("Kế hoạch 38-KH-ĐU.pdf", b"%PDF-1.7\n%%EOF\n"),
            body_html=document,
        )
    )
    assert msg.get_content_type() == "multipart/mixed"
    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["Kế hoạch 38-KH-ĐU.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == b"%PDF-1.7\n%%EOF\n"
    text, html = parts(msg)
    assert "Kế hoạch 38-KH-ĐU.pdf" in text
    assert html.index("Kính gửi") < html.index("<p class='title'>KẾ HOẠCH</p>")  # plan after the letter
    assert "p.title{font-weight:bold}" in html and "@font-face" not in html
    assert html.count("<body") == 1
    # The plan's CSS and HTML are encoded once per plan and joined to each copy's own text.
    assert "<p class='title'>KẾ HOẠCH</p><p>Thực hiện Nghị quyết số 12-NQ/TU</p>" in html
    assert "Ban Tuyên giáo" in html and html.rstrip().endswith("</html>")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"to_email": None}, "no recipient"),
        ({"to_email": "not an address"}, "malformed recipient"),
        ({"message_id": ""}, "Message-ID"),
        ({"event": "no_such_event"}, "no email template"),
    ],
)
def test_unusable_items_are_permanent_failures(change: dict[str, Any], match: str, tmp_path: Path) -> None:
    item = make_item("approved")
    for key, value in change.items():
        setattr(item, key, value)
    with pytest.raises(MessageError, match=match) as info:
        build_message(item, settings_for(2525, tmp_path))
    assert isinstance(info.value, PermanentFailure) and isinstance(info.value, ValueError)


def test_missing_required_context_is_a_clear_error(tmp_path: Path) -> None:
    item = make_item("approved")
    del item.context["version_hash"]
    with pytest.raises(MessageError, match="version_hash"):
        build_message(item, settings_for(2525, tmp_path))


def test_composed_bytes_are_what_data_carries(tmp_path: Path) -> None:
    """``compose`` promises CRLF line endings and no line starting with a dot (``smtp_ready``)."""
    document = "<html><body>\n.một dòng bắt đầu bằng dấu chấm\r\n..\rhết\n</body></html>"
    for event in EVENTS:
        item = make_item(event, to_name="Ban\n.Tuyên giáo\r", title=".Kế hoạch\n.", comment="\n.\n")
        out = compose(
            item,
            settings_for(2525, tmp_path),
            attachment=("Kế hoạch.pdf", b"%PDF-1.7\n.\r\n%%EOF\n"),
            body_html=document if event == "distributed" else None,
        )
        assert out.smtp_ready
        lines = out.data.split(b"\r\n")
        assert lines[-1] == b"" and not any(b"\n" in line or b"\r" in line for line in lines), event
        assert not any(line.startswith(b".") for line in lines), event


@pytest.mark.parametrize("event", ["review_requested", "ready_to_sign", "changes_requested"])
def test_the_action_button_comes_first_and_commands_last(event: str) -> None:
    context = plan_context(action_url="https://bh.example.vn/l/abc123")
    context["to_email"] = "bxdd@hamliem.example.vn"
    _, text, html = render(event, context)
    for body in (text, html):
        link = body.index("https://bh.example.vn/l/abc123")
        facts = body.upper().index("TÊN VĂN BẢN")
        assert link < facts, event  # the one thing to do is seen before the facts
        if "banhanh " in body:
            assert facts < body.index("banhanh "), event  # shell commands only at the bottom
