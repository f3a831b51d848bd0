"""Decision-to-next-notification latency: a reviewer's approval to the signer's email.

The clock starts when the last reviewer's approval commits and stops when the SMTP server
(the local catcher) has accepted the 'ready to sign' email, sent by the always-on outbox
dispatcher. Baseline in the same run: the same catcher receiving a message handed straight
to aiosmtplib (no database, no outbox). Run with `make bench` (BENCH_LATENCY_PLANS, 50).
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from models.db import Database
from models.lifecycle import State
from models.migrate import upgrade
from models.policies import Decision
from models.services import reviews
from models.settings import Settings
from notifications.catcher import MailCatcher, read_index
from notifications.dispatcher import Dispatcher
from tests.factory import R1, R2, build, current_hash, load_people


@dataclass(frozen=True)
class Latency:
    samples: int
    p50_s: float
    p95_s: float
    baseline_p50_s: float
    baseline_p95_s: float


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _received(mail_dir: Path, plan_id: int, event: str) -> datetime | None:
    for entry in read_index(mail_dir):
        if entry.get("plan_id") == plan_id and entry.get("event") == event:
            return datetime.fromisoformat(entry["received_at"])
    return None


async def _wait_received(mail_dir: Path, plan_id: int, event: str) -> datetime:
    deadline = time.monotonic() + 30
    while (at := _received(mail_dir, plan_id, event)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"plan {plan_id}: no {event} email")
        await asyncio.sleep(0.02)
    return at


async def measure(n: int) -> Latency:
    work = Path(tempfile.mkdtemp(prefix="banhanh-latency-"))
    url = f"sqlite:///{work / 'banhanh.db'}"
    upgrade(url)
    db = Database.from_url(url)
    load_people(db)
    catcher = MailCatcher(work / "mail", port=0).start()
    settings = Settings(_env_file=None, data_dir=work, database_url=url, smtp_port=catcher.port)
    dispatcher = Dispatcher(db, settings)
    task = asyncio.create_task(dispatcher.run())
    latencies, baseline = [], []
    try:
        for _ in range(n):
            plan_id = build(db, State.IN_REVIEW)
            version = current_hash(db, plan_id)
            await asyncio.to_thread(reviews.decide, db, plan_id, R1, Decision.APPROVE, version)
            committed = db.clock()
            await asyncio.to_thread(reviews.decide, db, plan_id, R2, Decision.APPROVE, version)
            received = await _wait_received(catcher.mail_dir, plan_id, "ready_to_sign")
            latencies.append((received - committed).total_seconds())
        for i in range(n):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "a@banhanh", "b@banhanh", f"baseline {i}"
            msg["X-BanHanh-Plan"], msg["X-BanHanh-Event"] = str(100000 + i), "baseline"
            msg.set_content("x" * 4000)
            start = db.clock()
            await aiosmtplib.send(msg, hostname="127.0.0.1", port=catcher.port)
            baseline.append(
                ((await _wait_received(catcher.mail_dir, 100000 + i, "baseline")) - start).total_seconds()
            )
    finally:
        dispatcher.stop()
        await task
        catcher.stop()
    return Latency(
        n,
        round(statistics.median(latencies), 3),
        round(percentile(latencies, 0.95), 3),
        round(statistics.median(baseline), 3),
        round(percentile(baseline, 0.95), 3),
    )


def report_markdown(result: Latency, command: str) -> str:
    return (
        "## Decision to next notification\n\n"
        f"Command: `{command}` · machine: {os.cpu_count()} cores, {platform.platform()} · Python "
        f"{platform.python_version()} · aiosmtplib {aiosmtplib.__version__} · app database SQLite · "
        f"dispatcher poll 0.25 s · load average {os.getloadavg()[0]:.1f}\n\n"
        "From the commit of the last reviewer's approval to the signer's 'ready to sign' email accepted "
        "by the local SMTP catcher. Baseline: the same catcher accepting a message handed straight to "
        "aiosmtplib.\n\n"
        "| | p50 | p95 |\n|---|---|---|\n"
        f"| engine (outbox → dispatcher → SMTP) | {result.p50_s} s | {result.p95_s} s |\n"
        f"| bare aiosmtplib send | {result.baseline_p50_s} s | {result.baseline_p95_s} s |\n\n"
        f"{result.samples} plans, one at a time on an otherwise idle engine. The engine's extra time is the "
        "dispatcher's poll interval plus rendering. The same latency measured while 200 plans go through "
        "the engine is in the throughput section.\n"
    )


def main() -> None:
    from bench.waiting import write_section

    n = int(os.environ.get("BENCH_LATENCY_PLANS", "50"))
    result = asyncio.run(measure(n))
    text = report_markdown(result, "make bench")
    print(text)
    write_section(Path("BENCHMARKS.md"), "## Decision to next notification", text)


if __name__ == "__main__":
    main()
