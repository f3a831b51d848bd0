"""Distribution throughput: the engine's send path against a bare aiosmtplib pool, same messages.

One signed plan (the sample plan, its PDF rendered by the real renderer) is distributed to
1,000 and to 10,000 recipients through the engine: the flow's distribution step
(``flows.steps.distribute``: outbox claim → build → send over the SMTP pool → record, with
the progress checks), on a migrated SQLite file. Baseline in the same run: a bare pool of
plain ``aiosmtplib.SMTP`` connections, as many as the engine's pool, sending the same bytes
(built beforehand by the same code, including the acknowledgement link) with no database.
Both send to one local sink, a separate process (``bench.sink``) that accepts, counts and
discards. Runs alternate bare/engine; rates are messages per second, medians over the runs.

Run with ``make bench`` (BENCH_DELIVERY_SIZES "1000,10000", BENCH_DELIVERY_RUNS 5).
"""

from __future__ import annotations

import asyncio
import copy
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlmodel import col, select

from flows.steps import distribute, render_and_store
from models.db import Database
from models.lifecycle import State
from models.migrate import upgrade
from models.plans import RenderedDocument
from models.records import OutboxMessage
from models.services import distribution, signing
from models.services.directory import load_directory
from models.services.outbox import Claimed
from models.settings import Settings
from notifications.dispatcher import OutboxSender
from notifications.smtp import Outgoing
from tests.factory import SIGNER, build, current_hash, drain_outbox, example_config

PREBUILT = 500  # distinct messages the bare pool cycles through (10,000 would take ~0.5 GB)
MIN_RATIO = 0.8


@dataclass(frozen=True)
class Size:
    recipients: int
    message_bytes: int
    engine: list[float]
    bare: list[float]

    @property
    def ratios(self) -> list[float]:
        return [e / b for e, b in zip(self.engine, self.bare, strict=True)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.engine) / statistics.median(self.bare)


class Sink:
    """The counting SMTP sink in its own process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.sink"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def count(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def settings_for(work: Path, url: str, port: int) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=work,
        database_url=url,
        smtp_port=port,
        secret_key="bench",
        mail_from="Văn phòng Đảng ủy <vanphong@hamliem.example.vn>",
    )


def prepare(work: Path, n: int, documents: dict[str, tuple[str, bytes]]) -> tuple[Path, int]:
    """A SQLite file with the plan distributing to ``n`` recipients (``n`` emails queued)."""
    path = work / f"template-{n}.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database.from_url(url)
    config: dict[str, Any] = copy.deepcopy(example_config())
    group = next(u for u in config["units"] if u["code"] == "cs-dang-truc-thuoc")
    for i in range(1, n - 4 + 1):  # the sample plan already mails 4 units
        config["units"].append(
            {"code": f"cb-{i:05d}", "name": f"Chi bộ {i:05d}", "email": f"cb{i:05d}@x.example.vn"}
        )
        group["members"].append(f"cb-{i:05d}")
    load_directory(db, config)
    plan_id = build(db, State.APPROVED)
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    if not documents:
        render_and_store(plan_id, db)
        with db.read() as session:
            for doc in session.exec(select(RenderedDocument)).all():
                documents[doc.format] = (doc.filename, doc.content)
    else:
        for fmt, (filename, content) in documents.items():
            distribution.store_document(db, plan_id, fmt, filename, content)
    drain_outbox(db, plan_id)  # the review and signing emails: only the copies are timed
    distribution.start_distribution(db, plan_id)
    db.engine.dispose()
    return path, plan_id


def prebuilt(url: str, plan_id: int, settings: Settings) -> tuple[list[Outgoing], list[str]]:
    """The engine's own messages, built by its own code before the clock starts; every address."""
    db = Database.from_url(url)
    with db.read() as session:
        items = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.plan_id == plan_id, OutboxMessage.event == "distributed")
            .order_by(col(OutboxMessage.id))
        ).all()
    sender = OutboxSender(db, settings)
    messages: list[Outgoing] = []
    for row in items[:PREBUILT]:
        item = Claimed(**{f.name: getattr(row, f.name) for f in fields(Claimed)})
        attachment, body_html = asyncio.run(sender._attachment(item))
        messages.append(sender._compose(item, attachment, body_html)[0])
    db.engine.dispose()
    return messages, [item.to_email or "" for item in items]


async def bare(messages: list[Outgoing], rcpts: list[str], port: int, pool: int) -> float:
    """Messages per second through ``pool`` plain aiosmtplib connections (no database)."""
    indices = iter(range(len(rcpts)))

    async def worker() -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
            for i in indices:
                msg = messages[i % len(messages)]
                await smtp.sendmail(msg.sender, [rcpts[i]], msg.data)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(pool)))
    return len(rcpts) / (time.perf_counter() - start)


async def engine(url: str, plan_id: int, settings: Settings, n: int) -> float:
    """Messages per second through the flow's distribution step."""
    db = Database.from_url(url)
    start = time.perf_counter()
    counts = await distribute(plan_id, db, settings)
    elapsed = time.perf_counter() - start
    db.engine.dispose()
    assert counts.get("sent") == n, counts
    return n / elapsed


def measure(sizes: list[int], runs: int) -> list[Size]:
    work = Path(tempfile.mkdtemp(prefix="banhanh-delivery-"))
    sink = Sink()
    documents: dict[str, tuple[str, bytes]] = {}
    results: list[Size] = []
    try:
        for n in sizes:
            template, plan_id = prepare(work, n, documents)
            settings = settings_for(work, f"sqlite:///{template}", sink.port)
            messages, rcpts = prebuilt(f"sqlite:///{template}", plan_id, settings)
            engine_rates, bare_rates = [], []
            # The first size starts with one discarded run of each: templates compiled, code warm.
            for run in range(-1 if n == sizes[0] else 0, runs):
                copy_path = work / f"run-{n}-{run}.db"
                shutil.copy(template, copy_path)
                url = f"sqlite:///{copy_path}"
                before = sink.count()
                bare_rate = asyncio.run(bare(messages, rcpts, sink.port, settings.smtp_pool_size))
                engine_rate = asyncio.run(engine(url, plan_id, settings_for(work, url, sink.port), n))
                assert sink.count() - before == 2 * n, "the sink kept every message of both"
                copy_path.unlink()
                print(
                    f"{n} recipients, {'warm-up' if run < 0 else f'run {run + 1}'}: engine {engine_rate:.0f} "
                    f"msg/s, bare {bare_rate:.0f} msg/s, ratio {engine_rate / bare_rate:.2f}",
                    flush=True,
                )
                if run >= 0:
                    engine_rates.append(engine_rate)
                    bare_rates.append(bare_rate)
            results.append(Size(n, len(messages[0].data), engine_rates, bare_rates))
    finally:
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)
    return results


def report_markdown(results: list[Size], pool: int, command: str) -> str:
    rows = "".join(
        f"| {r.recipients:,} | {statistics.median(r.engine):.0f} | {statistics.median(r.bare):.0f} | "
        f"**{r.ratio:.2f}** | {', '.join(f'{x:.2f}' for x in r.ratios)} | {r.message_bytes / 1024:.1f} KB |\n"
        for r in results
    )
    runs = len(results[0].engine) if results else 0
    return (
        "## Distribution throughput\n\n"
        f"Command: `{command}` · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"app database SQLite · SMTP pool {pool} connections · {runs} runs per size, median\n\n"
        "One signed plan with its rendered PDF attached, distributed through the flow's distribution "
        "step (outbox claim → build → send → record, progress included) to a local sink process "
        "that accepts, counts and discards. Baseline in the same run: a bare pool of "
        f"{pool} aiosmtplib connections (`SMTP.sendmail`) sending the same bytes (built beforehand by "
        "the same code) with no database. Runs alternate bare/engine; the first size starts with one "
        "discarded run of each. Rates in messages per second; the engine must keep at least "
        f"{MIN_RATIO} of the bare rate.\n\n"
        "What the engine does that the bare pool does not: it claims the items from the outbox (one "
        "UPDATE per batch of 50), builds each copy (its own To, Message-ID and receipt link), and "
        "commits each acceptance before the pool's next final dot, so a crash leaves at most one "
        "kept-but-unrecorded message (`tests/notifications/test_crash.py`). What it does with less "
        "work: each copy is built as DATA carries it (CRLF, no line starting with a dot), so it skips "
        "the two regular expressions `sendmail` runs over every message, and the part of the HTML "
        "that every copy shares is encoded once per plan.\n\n"
        "| recipients | engine msg/s | bare msg/s | engine/bare (medians) | per run | message |\n"
        "|---|---|---|---|---|---|\n"
        f"{rows}"
    )


def main() -> None:
    from bench.waiting import write_section

    sizes = [int(s) for s in os.environ.get("BENCH_DELIVERY_SIZES", "1000,10000").split(",")]
    runs = int(os.environ.get("BENCH_DELIVERY_RUNS", "5"))
    results = measure(sizes, runs)
    pool = Settings(_env_file=None).smtp_pool_size
    text = report_markdown(results, pool, "make bench")
    print(text)
    write_section(Path("BENCHMARKS.md"), "## Distribution throughput", text)
    sys.exit(0 if all(r.ratio >= MIN_RATIO for r in results) else 1)


if __name__ == "__main__":
    main()
