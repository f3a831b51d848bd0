"""Crash test: the sending process is killed with SIGKILL at 20 random points.

A prepared SQLite database holds one plan in distribution to 500 recipients. A child
process (``python -c``) does nothing but ``OutboxSender.send_due`` in a loop against it,
sending to an aiosmtpd sink in this process that counts every message it keeps. The child
is killed 20 times at random moments and restarted each time; the last run goes to the
end. Counted on the sink: every recipient has at least one copy, every copy of an email
has its one Message-ID, and each kill accounts for at most one second copy (the message
the server had kept when the sender died, before the sender could record it).

A killed sender's claims fall due again only when their lease (``outbox.LEASE``, 120 s)
runs out; each restarted child runs its clock ahead by one more lease, so nothing waits.
"""

from __future__ import annotations

import asyncio
import copy
import email.parser
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from models.db import Database
from models.lifecycle import State
from models.services.directory import load_directory
from models.services.queries import deliveries, outbox
from tests.factory import build, example_config

REPO = Path(__file__).resolve().parents[2]
RECIPIENTS = 500
KILLS = 20
# Every 4th kill comes up to 0.4 s after the child is ready (imports done): while it opens
# the database, claims, builds and connects, or sends its first messages (at most 15). The
# others come when the sink has kept 1 to 12 messages of the run, plus up to 5 ms: in the
# middle of sending, anywhere in a message's cycle, whatever the machine's speed. At about
# 1,000 messages a second the 20 kills use about half of the 500, so the last run still has
# work when its kill comes.
EARLY_KILL_S = 0.4
EARLY_KILL_CAP = 15
SENDING_KILL_MESSAGES = 12
SENDING_KILL_JITTER_S = 0.005
SEED = int(os.environ.get("BANHANH_CRASH_SEED") or random.randrange(1 << 30))

CHILD = """
import asyncio, sys
from datetime import timedelta
from models.db import Database
from models.services import outbox
from models.settings import Settings
from models.types import utcnow
from notifications.dispatcher import OutboxSender

url, data_dir = sys.argv[1], sys.argv[5]
port, plan_id, run = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
db = Database.from_url(url)
ahead = run * (outbox.LEASE + timedelta(seconds=1))  # the killed runs' claims have expired
db.clock = lambda: utcnow() + ahead
settings = Settings(
    data_dir=data_dir, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_tls=False,
    smtp_username="", smtp_password="", smtp_timeout=10.0, smtp_pool_size=4,
    mail_from="Văn phòng Đảng ủy <vanphong@hamliem.example.vn>",
)

async def main():
    async with OutboxSender(db, settings) as sender:
        print("ready", flush=True)
        while await sender.send_due(plan_id=plan_id):
            pass

asyncio.run(main())
"""


@dataclass(frozen=True)
class Kept:
    rcpt: str
    message_id: str
    event: str
    run: int


class Sink:
    """aiosmtpd handler: accept everything, remember (recipient, Message-ID, event, run)."""

    def __init__(self) -> None:
        self.run = 0
        self.kept: list[Kept] = []
        self.open = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = email.parser.BytesHeaderParser().parsebytes(envelope.original_content)
        mid = " ".join(str(headers.get("Message-ID", "")).split())
        event = str(headers.get("X-BanHanh-Event", ""))
        with self.lock:
            self.kept += [Kept(r, mid, event, self.run) for r in envelope.rcpt_tos]
        return "250 2.0.0 OK counted"

    def count(self) -> int:
        with self.lock:
            return len(self.kept)


class SinkController(Controller):
    """On port 0 (the OS picks), and counting open connections so a dead client's are done."""

    def __init__(self, sink: Sink) -> None:
        super().__init__(sink, hostname="127.0.0.1", port=0, server_hostname="localhost", ready_timeout=10.0)
        self.sink = sink

    def factory(self) -> SMTP:
        sink = self.sink

        class CountingSMTP(SMTP):
            def connection_made(self, transport: Any) -> None:
                with sink.lock:
                    sink.open += 1
                super().connection_made(transport)

            def connection_lost(self, error: Exception | None) -> None:
                super().connection_lost(error)
                with sink.lock:
                    sink.open -= 1

        return CountingSMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = int(self.server.sockets[0].getsockname()[1])
        super()._trigger_server()  # type: ignore[no-untyped-call]


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.001)


@pytest.fixture
def prepared(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, int]]:
    """A SQLite file with one plan distributing to 500 recipients (500 emails queued)."""
    path = tmp_path / "crash.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database.from_url(url)
    config: dict[str, Any] = copy.deepcopy(example_config())
    group = next(u for u in config["units"] if u["code"] == "cs-dang-truc-thuoc")
    # The sample plan already mails 4 units; 496 more branches make it 500.
    for i in range(1, RECIPIENTS - 4 + 1):
        config["units"].append(
            {"code": f"cb-{i:03d}", "name": f"Chi bộ {i:03d}", "email": f"cb{i:03d}@x.example.vn"}
        )
        group["members"].append(f"cb-{i:03d}")
    load_directory(db, config)
    plan_id = build(db, State.DISTRIBUTING)
    db.engine.dispose()
    yield url, plan_id


def test_sigkill_at_20_random_points_loses_nothing_and_duplicates_at_most_one_per_kill(
    prepared: tuple[str, int], tmp_path: Path
) -> None:
    url, plan_id = prepared
    rng = random.Random(SEED)
    sink = Sink()
    controller = SinkController(sink)
    controller.start()
    started = time.monotonic()
    kills: list[tuple[int, float, int]] = []  # (run, delay, messages the sink kept from that run)
    log = tmp_path / "child.log"
    try:
        with open(log, "wb") as errors:
            for run in range(KILLS + 1):
                sink.run = run
                before = sink.count()
                child = subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        CHILD,
                        url,
                        str(controller.port),
                        str(plan_id),
                        str(run),
                        str(tmp_path),
                    ],
                    cwd=REPO,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                )
                assert child.stdout is not None
                ready = child.stdout.readline()
                assert ready.strip() == b"ready", f"run {run} did not start; see {log.read_text()[-2000:]}"
                if run < KILLS:
                    if run % 4 == 0:
                        delay = rng.uniform(0.0, EARLY_KILL_S)
                        until = time.monotonic() + delay
                        wait_for(
                            lambda n=before, t=until: (
                                time.monotonic() >= t or sink.count() >= n + EARLY_KILL_CAP
                            ),
                            30,
                            "the moment of an early kill",
                        )
                    else:
                        goal = before + rng.randint(1, SENDING_KILL_MESSAGES)
                        wait_for(
                            lambda n=goal, c=child: sink.count() >= n or c.poll() is not None,
                            30,
                            "the run's messages",
                        )
                        delay = rng.uniform(0.0, SENDING_KILL_JITTER_S)
                        time.sleep(delay)
                    assert child.poll() is None, f"run {run} finished before its kill (seed {SEED})"
                    os.kill(child.pid, signal.SIGKILL)
                    child.wait(10)
                    kills.append((run, delay, sink.count() - before))
                    # Whatever the dead child had sent is processed (or dropped) before the next starts.
                    wait_for(lambda: sink.open == 0, 10, "the killed child's connections to close")
                else:
                    assert child.wait(60) == 0, log.read_text()[-2000:]
                child.stdout.close()
    finally:
        controller.stop()
    elapsed = time.monotonic() - started

    db = Database.from_url(url)
    rows = [d for d in deliveries(db, plan_id) if d["email"]]
    items = [o for o in outbox(db, plan_id) if o["kind"] == "email"]
    db.engine.dispose()
    assert len(rows) == RECIPIENTS
    assert all(d["status"] == "sent" for d in rows), Counter(d["status"] for d in rows)
    assert all(o["status"] == "sent" for o in items)
    # 20 kills re-claimed many items, but a claim is not an attempt: one outcome each.
    assert all(o["attempts"] == 1 for o in items), Counter(o["attempts"] for o in items)

    kept = sink.kept
    copies: dict[str, list[Kept]] = {}
    for k in kept:
        copies.setdefault(k.message_id, []).append(k)
    # Every recipient has at least one copy, and every copy carries the recipient's Message-ID.
    for d in rows:
        theirs = [k for k in kept if k.rcpt == d["email"].lower() and k.event == "distributed"]
        assert theirs, f"{d['email']} is recorded sent but the sink never had it (seed {SEED})"
        assert {k.message_id for k in theirs} == {d["message_id"]}, f"{d['email']}: one Message-ID"
    # A second copy is owed to the kill of the run that sent the copy before it; at most one per kill.
    killed_runs = {run for run, _, _ in kills}
    extra_by_run: Counter[int] = Counter()
    for message_id, kept_copies in copies.items():
        assert len({k.rcpt for k in kept_copies}) == 1, f"{message_id} went to two recipients"
        for earlier in kept_copies[:-1]:
            extra_by_run[earlier.run] += 1
    assert set(extra_by_run) <= killed_runs, "a second copy without a kill"
    per_kill = [extra_by_run[run] for run, _, _ in kills]
    assert max(per_kill) <= 1, f"a kill left more than one email to send again: {per_kill} (seed {SEED})"
    mid_send = [n for _, _, n in kills if n > 0]
    assert len(mid_send) >= KILLS // 2, f"too few kills came while sending: {kills} (seed {SEED})"
    print(
        f"\nseed {SEED}: {len(kills)} kills ({len(mid_send)} while the sink was receiving); {RECIPIENTS} "
        f"recipients, {len(items)} emails; the sink kept {len(kept)} messages: {sum(per_kill)} second "
        f"copies, per kill {per_kill}; kept from each killed run {[n for _, _, n in kills]}; {elapsed:.1f} s"
    )
