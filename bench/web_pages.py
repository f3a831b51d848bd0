"""Web pages at 10,000 plans: the inbox, a search, filters and a plan page, each timed in the
app process (in-process ASGI, no network), against the bare cost of answering a static file in
the same run.

`python -m bench.web_pages` (BENCH_WEB_PLANS, default 10000; BENCH_WEB_REPEAT, default 21). The
plans are written straight into a fresh SQLite file (the text of seed 004 as each plan's body, so
a text search reads about as much as an office's real archive), a quarter of them in review with
two reviewers; then each page is fetched `repeat` times and its median and p95 reported.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from bench.waiting import write_section
from documents.plain_text import parse
from models.content import nfc
from models.db import Database
from models.directory import Person
from models.migrate import upgrade
from models.plans import Plan, PlanReviewer, PlanVersion, ReviewTask
from models.services import plans
from models.services.directory import load_directory
from models.settings import Settings
from models.types import utcnow
from tests.factory import R1, SECRETARIAT, example_config, sample_draft
from web.app import create_app

HEADING = "## Web pages at 10,000 plans"
SEED = Path(__file__).resolve().parents[1] / "examples" / "seeds" / "004_f456acc7e9262ea1.txt"


def fill(db: Database, n: int) -> int:
    """n plans of the example organisation; returns one plan id to open."""
    load_directory(db, example_config())
    first = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    body = nfc(parse(SEED.read_text(encoding="utf-8")).draft.body)
    now = utcnow()
    with db.write() as session:
        people = {p.email: p for p in session.exec(select(Person))}
        office = people[SECRETARIAT]
        others = [p for p in people.values() if "reviewer" in p.roles and p.email != R1]
        reviewers = others or [people[R1]]
        template = session.get(PlanVersion, session.get(Plan, first).current_version_id)  # type: ignore[union-attr]
        assert template is not None
        for i in range(n - 1):
            in_review = i % 4 == 0
            plan = Plan(
                org_id=office.org_id,
                drafter_id=office.id or 0,
                state="in_review" if in_review else ("issued" if i % 4 == 1 else "draft"),
                review_round=1 if in_review else 0,
                created_at=now - timedelta(minutes=n - i),
                updated_at=now - timedelta(minutes=n - i),
                symbol=f"Số {i:02d}-KH/ĐU" if i % 4 == 1 else None,
                number=i if i % 4 == 1 else None,
            )
            session.add(plan)
            session.flush()
            title = f"Kế hoạch số {i} về công tác tuyên truyền năm {2020 + i % 7}"
            version = PlanVersion(
                plan_id=plan.id or 0,
                seq=1,
                title=title,
                body=body,
                footnotes=[],
                recipients=template.recipients,
                signature=template.signature,
                summary_lines=[],
                content_hash=content_hash_of(title, body, i),
                created_by_id=office.id or 0,
            )
            session.add(version)
            session.flush()
            plan.current_version_id = version.id
            if in_review:
                # One plan in 25 to the measured reviewer: about a hundred open tasks at 10,000 plans.
                reviewer = people[R1] if i % 100 == 0 else reviewers[i % len(reviewers)]
                session.add(PlanReviewer(plan_id=plan.id or 0, person_id=reviewer.id or 0))
                session.add(
                    ReviewTask(
                        plan_id=plan.id or 0,
                        round=1,
                        reviewer_id=reviewer.id or 0,
                        version_id=version.id or 0,
                        version_hash=version.content_hash,
                    )
                )
            if i % 1000 == 999:
                session.flush()
    return first


def content_hash_of(title: str, body: str, i: int) -> str:
    import hashlib

    return hashlib.sha256(f"{i}\n{title}\n{len(body)}".encode()).hexdigest()


def signed_in(app: FastAPI, db: Database, email: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    with db.read() as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
    from models.records import WebSession
    from models.services import links

    token = "bench-" + email
    with db.write() as session:
        session.add(WebSession(token_hash=links.token_hash(token), person_id=person.id or 0))
    client.cookies.set("bh_session", token)
    return client


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm: templates compiled, pages of the file cached
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main() -> None:
    n = int(os.environ.get("BENCH_WEB_PLANS", "10000"))
    repeat = int(os.environ.get("BENCH_WEB_REPEAT", "21"))
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        url = f"sqlite:///{tmp}/banhanh.db"
        upgrade(url)
        db = Database.from_url(url)
        start = time.perf_counter()
        plan_id = fill(db, n)
        filled = time.perf_counter() - start
        size_mb = Path(f"{tmp}/banhanh.db").stat().st_size / 1e6
        settings = Settings(
            _env_file=None, data_dir=Path(tmp), secret_key="bench", allowed_hosts="testserver"
        )
        app = create_app(settings, db)
        office, reviewer = signed_in(app, db, SECRETARIAT), signed_in(app, db, R1)

        def get(client: TestClient, path: str, **params: object) -> Callable[[], object]:
            def call() -> object:
                r = client.get(path, params=params)
                assert r.status_code == 200, (path, r.status_code, r.text[:300])
                return r

            return call

        pages = [
            ("static file (baseline)", get(office, "/static/app.css")),
            ("secretariat inbox, page 1", get(office, "/inbox")),
            ("secretariat inbox, page 100", get(office, "/inbox", page=100)),
            ("reviewer inbox", get(reviewer, "/inbox")),
            ("search by number (KH-1234)", get(office, "/inbox", q="KH-1234")),
            ("search in titles", get(office, "/inbox", q="Kế hoạch số 4321 ")),
            ("search in the text", get(office, "/inbox", q="tuyên truyền sâu rộng không có")),
            (
                "filter: in review, waiting on a reviewer",
                get(office, "/inbox", state="in_review", waiting_on=R1),
            ),
            ("filter: year", get(office, "/inbox", year=utcnow().year)),
            ("plan page", get(office, f"/plans/{plan_id}")),
        ]
        results = [(name, *timed(call, repeat)) for name, call in pages]
    base = results[0][1]
    rows = "\n".join(
        f"| {name} | {med:.1f} ms | {p95:.1f} ms | {med / base:.0f}× |" for name, med, p95 in results
    )
    text = (
        f"{HEADING}\n\n"
        f"Command: `BENCH_WEB_PLANS={n} python -m bench.web_pages` · machine: {os.cpu_count()} cores, "
        f"{platform.platform()} · Python {platform.python_version()} · "
        f"load average {os.getloadavg()[0]:.1f}\n\n"
        f"{n} plans in one SQLite file ({size_mb:.0f} MB; each plan's text is seed 004's body; filled in "
        f"{filled:.0f} s), a quarter in review (one in 25 with the reviewer measured: about 100 open "
        "tasks at 10,000). Each page fetched in-process "
        f"{repeat} times after one warm-up; times in the app, no network. The baseline is a static "
        "file answered by the same app in the same run.\n\n"
        "| page | median | p95 | × baseline |\n|---|---|---|---|\n"
        f"{rows}\n"
    )
    print(text)
    write_section(Path("BENCHMARKS.md"), HEADING, text)


if __name__ == "__main__":
    main()
