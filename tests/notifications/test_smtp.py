"""The SMTP pool against real servers: the catcher for delivery, aiosmtpd handlers for failures."""

from __future__ import annotations

import asyncio
import email
import email.policy
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from models.settings import Settings
from notifications.catcher import MailCatcher, free_port, load_message, read_index
from notifications.messages import EVENTS, build_message, one_line, render
from notifications.smtp import (
    Outgoing,
    PermanentFailure,
    SmtpPool,
    TemporaryFailure,
    envelope,
)
from notifications.turns import FAIR_S, Baton, MachineTurn, Turn
from tests.notifications.conftest import INJECTED_TITLE, make_item, settings_for

TITLE = f"{INJECTED_TITLE} thực hiện Nghị quyết số 12-NQ/TU về chuyển đổi số"
PDF_NAME = "Kế hoạch 38-KH-ĐU.pdf"
PDF = b"%PDF-1.7\n% Vi\xe1\xbb\x87t\n%%EOF\n"
OPTIONAL: dict[str, Any] = {
    "comment": "Đề nghị bổ sung mục III.",
    "actor_name": "Trần Văn Bình",
    "deliveries": {"sent": 5, "failed": 1},
}


def event_message(event: str, settings: Settings) -> tuple[EmailMessage, dict[str, Any]]:
    item = make_item(
        event, to_email=f"{event}@hamliem.example.vn", title=TITLE, symbol="Số 38-KH/ĐU", **OPTIONAL
    )
    attachment = (PDF_NAME, PDF) if event == "distributed" else None
    body_html = "<html><body><p>TOÀN VĂN KẾ HOẠCH</p></body></html>" if event == "distributed" else None
    msg = build_message(item, settings, attachment=attachment, body_html=body_html)
    expected_subject = render(event, {**item.context, "to_email": item.to_email})[0]
    return msg, {"subject": expected_subject, "message_id": item.message_id, "to": item.to_email}


async def test_every_event_reaches_the_catcher_intact(catcher: MailCatcher, settings: Settings) -> None:
    built = {event: event_message(event, settings) for event in EVENTS}
    async with SmtpPool(settings) as pool:
        replies = await asyncio.gather(*(pool.send(msg) for msg, _ in built.values()))
    assert all(reply.startswith("250 OK kept as ") for reply in replies), replies

    entries = {e["event"]: e for e in read_index(catcher.mail_dir)}
    assert set(entries) == set(EVENTS)
    for event, (_, expected) in built.items():
        entry = entries[event]
        assert entry["subject"] == expected["subject"] == one_line(expected["subject"])
        assert "Kế hoạch Bcc: evil@x thực hiện Nghị quyết" in entry["subject"]
        assert entry["message_id"] == expected["message_id"]
        assert entry["plan_id"] == 42
        assert entry["rcpt_tos"] == [expected["to"]]  # the injected Bcc never reached the envelope
        assert any(entry["eml"] in reply for reply in replies)

        parsed = load_message(catcher.mail_dir, entry["eml"])
        assert parsed["Bcc"] is None and parsed["Cc"] is None
        assert parsed["Subject"] == expected["subject"]
        assert parsed["Message-ID"] == expected["message_id"]
        assert parsed["To"].addresses[0].display_name == "Nguyễn Thị Ánh"
        text = parsed.get_body(preferencelist=("plain",))
        html = parsed.get_body(preferencelist=("html",))
        assert text is not None and html is not None
        assert "3f9a1c07b2e4" in text.get_content() and "3f9a1c07b2e4" in html.get_content()
        assert "Kế hoạch Bcc: evil@x" in text.get_content()
        if event == "distributed":
            assert entry["attachments"] == [PDF_NAME]
            [pdf] = list(parsed.iter_attachments())
            assert pdf.get_filename() == PDF_NAME and pdf.get_content_type() == "application/pdf"
            assert pdf.get_content() == PDF
            assert "TOÀN VĂN KẾ HOẠCH" in html.get_content()
        else:
            assert entry["attachments"] == []
    review = load_message(catcher.mail_dir, entries["review_requested"]["eml"])
    review_text = review.get_body(preferencelist=("plain",))
    assert review_text is not None
    assert (
        "banhanh review approve 42 --version 3f9a1c07b2e4 --as review_requested@hamliem.example.vn"
        in review_text.get_content()
    )


# -- failures -----------------------------------------------------------------------------


class Scripted:
    """An aiosmtpd handler whose answers depend on the recipient; counts the sessions it serves."""

    def __init__(self) -> None:
        self.sessions: set[int] = set()
        self.delivered: list[list[str]] = []
        self.data_delay = 0.0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try again later"
        if address.startswith("gone@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sessions.add(id(session))
        await asyncio.sleep(self.data_delay)
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        if msg["X-Test"] == "reject-content":
            return "554 5.6.0 Content rejected"
        if msg["X-Test"] == "defer-content":
            return "452 4.3.1 Insufficient system storage"
        self.delivered.append(list(envelope.rcpt_tos))
        return "250 2.0.0 Accepted"


@pytest.fixture
def scripted() -> Iterator[tuple[Scripted, int]]:
    handler = Scripted()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def simple(to: str, header: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Văn phòng <vanphong@hamliem.example.vn>"
    msg["To"] = to
    msg["Subject"] = "Thử phân loại lỗi"
    msg["Message-ID"] = f"<{to.split('@')[0]}@banhanh>"
    if header:
        msg["X-Test"] = header
    msg.set_content("Nội dung")
    return msg


# The three ways a message reaches the pool: an EmailMessage (aiosmtplib's send_message),
# bytes as the outbox sends them (``SmtpPool``'s own envelope and DATA), and the same
# with an ``accepted`` callback (the final dot on the pool's turn).
FORMS = ["message", "bytes", "bytes+turn"]


async def send_as(pool: SmtpPool, form: str, msg: EmailMessage) -> str:
    if form == "message":
        return await pool.send(msg)
    sender, recipients = envelope(msg)
    outgoing = Outgoing(sender, recipients, bytes(msg))  # LF line endings: DATA converts them
    recorded: list[str] = []

    async def record(reply: str) -> None:
        recorded.append(reply)

    reply = await pool.send(outgoing, accepted=record if form == "bytes+turn" else None)
    assert recorded == ([reply] if form == "bytes+turn" else [])
    return reply


@pytest.mark.parametrize("form", FORMS)
async def test_replies_are_classified(scripted: tuple[Scripted, int], tmp_path: Path, form: str) -> None:
    handler, port = scripted
    async with SmtpPool(settings_for(port, tmp_path, smtp_pool_size=1)) as pool:
        with pytest.raises(TemporaryFailure) as temporary:
            await send_as(pool, form, simple("busy@hamliem.example.vn"))
        assert temporary.value.code == 451 and "Mailbox busy" in temporary.value.reason

        with pytest.raises(PermanentFailure) as permanent:
            await send_as(pool, form, simple("gone@hamliem.example.vn"))
        assert permanent.value.code == 550 and "No such user" in permanent.value.reason

        with pytest.raises(PermanentFailure) as content:
            await send_as(pool, form, simple("ok@hamliem.example.vn", header="reject-content"))
        assert content.value.code == 554

        with pytest.raises(TemporaryFailure) as storage:
            await send_as(pool, form, simple("ok@hamliem.example.vn", header="defer-content"))
        assert storage.value.code == 452

        # After every refusal the envelope was reset and the same connection carries on.
        reply = await send_as(pool, form, simple("ok@hamliem.example.vn"))
        assert reply == "250 2.0.0 Accepted"
    assert handler.delivered == [["ok@hamliem.example.vn"]]
    assert len(handler.sessions) == 1


@pytest.mark.parametrize("form", FORMS)
async def test_partial_refusal_is_reported_in_the_reply(
    scripted: tuple[Scripted, int], tmp_path: Path, form: str
) -> None:
    handler, port = scripted
    async with SmtpPool(settings_for(port, tmp_path)) as pool:
        reply = await send_as(pool, form, simple("ok@hamliem.example.vn, gone@hamliem.example.vn"))
    assert reply.startswith("250 2.0.0 Accepted") and "gone@hamliem.example.vn: 550" in reply
    assert handler.delivered == [["ok@hamliem.example.vn"]]


@pytest.mark.parametrize("form", FORMS)
async def test_data_is_carried_exactly(catcher: MailCatcher, tmp_path: Path, form: str) -> None:
    """Line endings become CRLF and a line starting with a dot arrives as written."""
    msg = simple("ok@hamliem.example.vn")
    msg.set_content("Dòng một\n.dòng bắt đầu bằng dấu chấm\n..hai chấm\n.\nhết\n")
    async with SmtpPool(settings_for(catcher.port, tmp_path)) as pool:
        await send_as(pool, form, msg)
    [entry] = read_index(catcher.mail_dir)
    received = load_message(catcher.mail_dir, entry["eml"])
    assert received.get_content().replace("\r\n", "\n") == msg.get_content()


async def test_pool_never_opens_more_than_its_size(scripted: tuple[Scripted, int], tmp_path: Path) -> None:
    handler, port = scripted
    handler.data_delay = 0.05
    async with SmtpPool(settings_for(port, tmp_path, smtp_pool_size=3)) as pool:
        replies = await asyncio.gather(*(pool.send(simple(f"r{n}@hamliem.example.vn")) for n in range(12)))
    assert len(replies) == 12 and len(handler.delivered) == 12
    assert 1 <= len(handler.sessions) <= 3


async def test_nothing_listening_is_temporary(tmp_path: Path) -> None:
    async with SmtpPool(settings_for(free_port(), tmp_path)) as pool:
        with pytest.raises(TemporaryFailure, match="cannot use the SMTP relay"):
            await pool.send(simple("ok@hamliem.example.vn"))


async def test_timeout_is_temporary(scripted: tuple[Scripted, int], tmp_path: Path) -> None:
    handler, port = scripted
    handler.data_delay = 2.0
    async with SmtpPool(settings_for(port, tmp_path, smtp_timeout=0.5)) as pool:
        with pytest.raises(TemporaryFailure, match="timed out"):
            await pool.send(simple("ok@hamliem.example.vn"))


async def test_a_dropped_connection_is_reopened_once(tmp_path: Path) -> None:
    mail_dir = tmp_path / "mail"
    with MailCatcher(mail_dir) as first:
        port = first.port
        pool = SmtpPool(settings_for(port, tmp_path, smtp_pool_size=1))
        assert (await pool.send(simple("a@hamliem.example.vn"))).startswith("250 ")
    # The relay went away and came back (an idle timeout looks the same): the pooled
    # connection is dead, and the next send reconnects by itself.
    with MailCatcher(mail_dir, port=port):
        assert (await pool.send(simple("b@hamliem.example.vn"))).startswith("250 ")
    await pool.close()
    assert [e["rcpt_tos"] for e in read_index(mail_dir)] == [
        ["a@hamliem.example.vn"],
        ["b@hamliem.example.vn"],
    ]


async def test_a_message_without_recipients_is_permanent(tmp_path: Path) -> None:
    msg = simple("ok@hamliem.example.vn")
    del msg["To"]
    msg["Bcc"] = "hidden@hamliem.example.vn"  # Bcc alone never makes an envelope recipient
    async with SmtpPool(settings_for(free_port(), tmp_path)) as pool:
        with pytest.raises(PermanentFailure, match="no recipient"):
            await pool.send(msg)


async def test_the_turn_is_handed_over_with_the_next_final_dot_already_written() -> None:
    """The pool's turn: one holder at a time, in order; the giver starts the next send, come what may."""
    baton = Baton()
    written: list[str] = []
    first = Turn(baton)
    await first.take(lambda: written.append("a"))
    second, third, fourth = Turn(baton), Turn(baton), Turn(baton)

    def broken() -> None:
        raise ConnectionResetError("the third connection died")

    waiting = [
        asyncio.create_task(second.take(lambda: written.append("b"))),
        asyncio.create_task(third.take(broken)),
        asyncio.create_task(fourth.take(lambda: written.append("d"))),
    ]
    await asyncio.sleep(0)
    waiting[0].cancel()  # the second send is cancelled while it waits: it never holds the turn
    await asyncio.sleep(0)
    first.give_back()
    # The third's start failed inside give_back: it gets the error and holds the turn until it gives back.
    with pytest.raises(ConnectionResetError):
        await waiting[1]
    assert third.held and not waiting[2].done() and written == ["a"]
    third.give_back()
    assert written == ["a", "d"], "the fourth's dot went out inside give_back, before it even ran"
    await waiting[2]
    assert fourth.held and waiting[0].cancelled() and not second.held
    fourth.give_back()
    assert not baton.busy


async def test_the_machine_turn_is_one_across_processes_and_passed_on_after_a_while(tmp_path: Path) -> None:
    """Every pool of the machine shares one turn: a crash repeats at most one message."""
    lock = tmp_path / "sending.lock"
    script = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    other = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert other.stdout is not None and other.stdin is not None
    assert await other.stdout.readline() == b"held\n"
    ours = Turn(Baton(MachineTurn(lock)))
    written: list[str] = []
    taking = asyncio.create_task(ours.take(lambda: written.append("dot")))
    await asyncio.sleep(0.3)
    assert not taking.done() and written == [], "another process holds the machine's turn"
    other.stdin.write(b"go\n")
    await other.stdin.drain()
    await asyncio.wait_for(taking, 10)
    assert written == ["dot"] and ours.held
    await other.wait()
    ours.give_back()

    # Two pools of one process: the second waits for the first, which lets go after FAIR_S
    # although its own sends keep queueing.
    first, second = Baton(MachineTurn(lock)), Baton(MachineTurn(lock))
    order: list[str] = []
    a1 = Turn(first)
    await a1.take(lambda: order.append("a1"))
    b1 = asyncio.create_task(Turn(second).take(lambda: order.append("b1")))
    a2, a3 = Turn(first), Turn(first)
    taking_a2 = asyncio.create_task(a2.take(lambda: order.append("a2")))
    await asyncio.sleep(0.05)
    a1.give_back()  # held briefly: handed to the pool's own next send
    await taking_a2
    assert order == ["a1", "a2"] and not b1.done()
    taking_a3 = asyncio.create_task(a3.take(lambda: order.append("a3")))
    await asyncio.sleep(FAIR_S + 0.05)
    a2.give_back()  # held past FAIR_S with a waiter: the machine's turn goes to the other pool
    await asyncio.wait_for(b1, 5)
    assert order == ["a1", "a2", "b1"] and not taking_a3.done()
    second.give_back()
    await asyncio.wait_for(taking_a3, 5)
    assert order == ["a1", "a2", "b1", "a3"]
    a3.give_back()
    assert not first.busy and first.machine is not None and not first.machine.held
