"""Numbering under 100 concurrent signings, on SQLite and on PostgreSQL.

100 approved plans of one organisation are signed at the same moment from 4 OS processes of
25 threads each (each signing in its own transaction, as separate web or CLI requests would).
Every number must be distinct and the register gap-free 1..100. PostgreSQL runs in a scratch
database created and dropped on the server of BENCH_POSTGRES_URL (else TEST_DATABASE_URL);
without either the PostgreSQL row is left out. Run with `make bench`.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.pgdb import scratch_databases
from bench.waiting import write_section
from models.db import Database
from models.lifecycle import State
from models.migrate import upgrade
from models.services import signing
from tests.factory import SIGNER, build, current_hash, load_people

SIGNINGS = 100
PROCESSES = 4
HEADING = "## Numbering under concurrent signings"


@dataclass(frozen=True)
class Numbering:
    backend: str
    signings: int
    distinct: bool
    gap_free: bool
    median_ms: float
    p95_ms: float
    total_s: float


def _sign_share(url: str, plan_ids: list[int], start_at: float) -> list[tuple[int, float]]:
    """One process: sign its plans from as many threads, all released at `start_at`."""
    db = Database.from_url(url)
    versions = {p: current_hash(db, p) for p in plan_ids}
    time.sleep(max(0.0, start_at - time.time()))
    gate = threading.Barrier(len(plan_ids))

    def one(plan_id: int) -> tuple[int, float]:
        gate.wait()
        start = time.perf_counter()
        number = signing.sign(db, plan_id, SIGNER, versions[plan_id]).number
        assert number is not None  # the bench's organisation issues automatically
        return number, time.perf_counter() - start

    with ThreadPoolExecutor(len(plan_ids)) as pool:
        return list(pool.map(one, plan_ids))


def measure(url: str, backend: str) -> Numbering:
    upgrade(url)
    db = Database.from_url(url)
    load_people(db)
    plan_ids = [build(db, State.APPROVED) for _ in range(SIGNINGS)]
    db.engine.dispose()
    shares = [plan_ids[i::PROCESSES] for i in range(PROCESSES)]
    start_at = time.time() + 5  # every process is ready and waiting
    with ProcessPoolExecutor(PROCESSES) as pool:
        futures = [pool.submit(_sign_share, url, share, start_at) for share in shares]
        results = [r for f in futures for r in f.result()]
    total = time.time() - start_at
    numbers = sorted(n for n, _ in results)
    times = sorted(t for _, t in results)
    return Numbering(
        backend,
        len(results),
        len(set(numbers)) == len(numbers),
        numbers == list(range(1, SIGNINGS + 1)),
        round(statistics.median(times) * 1000, 1),
        round(times[round(0.95 * (len(times) - 1))] * 1000, 1),
        round(total, 2),
    )


def report_markdown(results: list[Numbering], command: str) -> str:
    rows = "\n".join(
        f"| {r.backend} | {r.signings} | {'yes' if r.distinct else 'NO'} | {'yes' if r.gap_free else 'NO'} | "
        f"{r.median_ms} ms | {r.p95_ms} ms | {r.total_s} s |"
        for r in results
    )
    return (
        f"{HEADING}\n\n"
        f"Command: `{command}` · machine: {os.cpu_count()} cores, {platform.platform()} · Python "
        f"{platform.python_version()} · load average {os.getloadavg()[0]:.1f}\n\n"
        f"{SIGNINGS} approved plans of one organisation signed at the same moment from {PROCESSES} OS "
        f"processes × {SIGNINGS // PROCESSES} threads, each signing its own transaction (SQLite: BEGIN "
        "IMMEDIATE; PostgreSQL: the register row locked). Time per signing includes waiting for the lock.\n\n"
        "| database | signings | all distinct | gap-free 1..N | median per signing | p95 | total |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{rows}\n"
    )


def main() -> None:
    results = [measure(f"sqlite:///{Path(tempfile.mkdtemp(prefix='banhanh-numbering-')) / 'b.db'}", "SQLite")]
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
    if server:
        with scratch_databases(server, "banhanh_bench_numbering") as (url,):
            results.append(measure(url, "PostgreSQL"))
    text = report_markdown(results, "make bench")
    print(text)
    write_section(Path("BENCHMARKS.md"), HEADING, text)


if __name__ == "__main__":
    main()
