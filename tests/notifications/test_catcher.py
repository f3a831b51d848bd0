"""The local SMTP catcher: real aiosmtpd server on a free port, messages kept on disk."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import threading
from email.message import EmailMessage
from pathlib import Path

import pytest

from notifications.catcher import MailCatcher, eml_path, load_message, read_index

REPO = Path(__file__).resolve().parents[2]


def plain(n: int, subject: str = "Thư thử") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "vanphong@hamliem.example.vn"
    msg["To"] = f"r{n}@hamliem.example.vn"
    msg["Subject"] = f"{subject} {n}"
    msg["Message-ID"] = f"<m{n}@banhanh>"
    msg["X-BanHanh-Plan"] = "7"
    msg["X-BanHanh-Event"] = "distributed"
    msg.set_content(f"Nội dung {n}")
    return msg


def send(port: int, msg: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(msg)


def test_port_zero_picks_a_free_port_and_stop_releases_it(tmp_path: Path) -> None:
    catcher = MailCatcher(tmp_path / "mail", port=0)
    with catcher:
        assert catcher.port > 0 and catcher.running
        send(catcher.port, plain(1))
    assert not catcher.running
    with pytest.raises(OSError), smtplib.SMTP("127.0.0.1", catcher.port, timeout=2):
        pass
    [entry] = read_index(tmp_path / "mail")  # readable after the server is gone
    assert entry["subject"] == "Thư thử 1"
    assert entry["plan_id"] == 7 and entry["event"] == "distributed"
    assert entry["rcpt_tos"] == ["r1@hamliem.example.vn"]
    assert entry["mail_from"] == "vanphong@hamliem.example.vn"
    assert entry["message_id"] == "<m1@banhanh>"
    raw = eml_path(tmp_path / "mail", entry["eml"]).read_bytes()
    assert entry["size"] == len(raw)
    assert load_message(tmp_path / "mail", entry["eml"]).get_body().get_content().strip() == "Nội dung 1"


def test_concurrent_deliveries_keep_every_message(tmp_path: Path) -> None:
    with MailCatcher(tmp_path / "mail") as catcher:
        threads = [threading.Thread(target=send, args=(catcher.port, plain(n))) for n in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    entries = read_index(tmp_path / "mail")
    assert sorted(e["message_id"] for e in entries) == sorted(f"<m{n}@banhanh>" for n in range(24))
    assert len({e["eml"] for e in entries}) == 24
    assert sorted(p.name for p in (tmp_path / "mail").glob("*.eml")) == sorted(e["eml"] for e in entries)
    for line in (tmp_path / "mail" / "index.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)  # no interleaved lines
    assert not list((tmp_path / "mail").glob(".*.tmp"))


def test_read_index_without_a_mailbox_and_with_a_torn_line(tmp_path: Path) -> None:
    assert read_index(tmp_path / "nothing-here") == []
    (tmp_path / "index.jsonl").write_text('{"subject": "a"}\n{"subj', encoding="utf-8")
    assert read_index(tmp_path) == [{"subject": "a"}]


def test_message_files_cannot_escape_the_mailbox(tmp_path: Path) -> None:
    for name in ("../secret.eml", "/etc/passwd", "a/b.eml", "index.jsonl"):
        with pytest.raises(ValueError):
            eml_path(tmp_path, name)


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with MailCatcher(tmp_path / "a") as first, pytest.raises(OSError, match="cannot listen"):
        MailCatcher(tmp_path / "b", port=first.port).start()


def test_standalone_main_runs_until_sigterm(tmp_path: Path) -> None:
    mail_dir = tmp_path / "mail"
    proc = subprocess.Popen(
        [sys.executable, "-m", "notifications.catcher", "--port", "0", "--dir", str(mail_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on 127.0.0.1:" in line, line
        port = int(line.split("127.0.0.1:")[1].split(",")[0])
        send(port, plain(5, subject="Chạy độc lập"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    [entry] = read_index(mail_dir)
    assert entry["subject"] == "Chạy độc lập 5"
