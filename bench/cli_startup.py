"""How fast the `banhanh` command answers: `--help` and a listing, against `python -c pass`.

Run with `make bench` (BENCH_CLI_REPEAT, 5). Each command runs as a fresh process, as a person
types it, in a scratch data directory whose embedded SQLite database holds BENCH_CLI_PLANS plans
(20). The commands of one round run back to back and the rounds repeat, so the baseline shares
the machine's load with what it is compared to; the median of the rounds is reported.

BENCH_CLI_PYTHONPATH measures another checkout's CLI instead (e.g. an earlier commit extracted
with `git archive`) and only prints the figures.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bench.waiting import write_section

REPO = Path(__file__).resolve().parents[1]
HEADING = "## CLI start-up"
SECRETARIAT = "vanphong@hamliem.example.vn"
SEED = REPO / "examples" / "seeds" / "004_f456acc7e9262ea1.txt"

# (label, argv after the interpreter, target in seconds or None)
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", ["-c", "pass"], None),
    ("banhanh --help", ["-m", "cli", "--help"], 0.3),
    ("banhanh plan list --json", ["-m", "cli", "plan", "list", "--json"], 0.6),
    ("banhanh tasks --as … --json", ["-m", "cli", "tasks", "--as", SECRETARIAT, "--json"], None),
]


@dataclass(frozen=True)
class Timing:
    label: str
    median_s: float
    best_s: float
    cpu_s: float  # median CPU time (user + system) of the process: what load on the machine does not inflate
    target_s: float | None


def seed_database(data_dir: Path, plans: int) -> None:
    """A migrated SQLite database with the Hàm Liêm directory and `plans` imported drafts."""
    from documents.plain_text import parse
    from models.db import Database
    from models.migrate import upgrade
    from models.services import plans as plan_service
    from models.services.directory import load_directory

    url = f"sqlite:///{data_dir / 'banhanh.db'}"
    upgrade(url)
    db = Database.from_url(url)
    load_directory(db, tomllib.loads((REPO / "examples" / "hamliem.toml").read_text(encoding="utf-8")))
    draft = parse(SEED.read_text(encoding="utf-8")).draft
    for _ in range(plans):
        plan_service.create_plan(db, SECRETARIAT, "hamliem", draft)
    db.engine.dispose()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time of one run of the command."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, *argv], env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed, _cpu() - cpu


def measure(repeat: int, plans: int, pythonpath: str | None) -> list[Timing]:
    with tempfile.TemporaryDirectory(prefix="banhanh-bench-cli-") as tmp:
        data_dir = Path(tmp)
        seed_database(data_dir, plans)
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANHANH_DATABASE_URL"}}
        env["BANHANH_DATA_DIR"] = str(data_dir)
        env["PYTHONPATH"] = pythonpath or str(REPO)
        for _, argv, _ in COMMANDS:  # warm the OS file cache and the .pyc files once
            _once(argv, env, data_dir)
        samples: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in COMMANDS}
        for _ in range(repeat):
            for label, argv, _ in COMMANDS:
                samples[label].append(_once(argv, env, data_dir))
    timings = []
    for label, _, target in COMMANDS:
        wall = [w for w, _ in samples[label]]
        cpu = [c for _, c in samples[label]]
        timings.append(
            Timing(
                label,
                round(statistics.median(wall), 3),
                round(min(wall), 3),
                round(statistics.median(cpu), 3),
                target,
            )
        )
    return timings


def report_markdown(timings: list[Timing], repeat: int, plans: int, command: str) -> str:
    base = timings[0].median_s
    rows = []
    for t in timings:
        target = (
            "" if t.target_s is None else f"< {t.target_s} s: {'yes' if t.median_s < t.target_s else 'NO'}"
        )
        rows.append(
            f"| `{t.label}` | {t.median_s:.3f} s | {t.best_s:.3f} s | {t.median_s - base:+.3f} s "
            f"| {t.cpu_s:.3f} s | {target} |"
        )
    return (
        f"{HEADING}\n\n"
        f"Command: `{command}` · machine: {os.cpu_count()} cores, {platform.platform()} · Python "
        f"{platform.python_version()} · load average {os.getloadavg()[0]:.1f}\n\n"
        f"Wall time of each command as a fresh process (`python -m cli`, what the `banhanh` script "
        f"runs), median and best of {repeat} rounds; the rounds interleave the commands, so the "
        f"interpreter's own start-up (`python -c pass`) is measured under the same load. The listing "
        f"reads an embedded SQLite database of {plans} plans. `tasks` is a listing that goes through "
        "SQLAlchemy and the SQLModel tables, for comparison. CPU is the process's own (user + system, "
        "median): on a loaded machine it moves far less than the wall time.\n\n"
        "| command | median | best | over `python -c pass` | CPU | target (median) |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )


def main() -> None:
    repeat = int(os.environ.get("BENCH_CLI_REPEAT", "5"))
    plans = int(os.environ.get("BENCH_CLI_PLANS", "20"))
    pythonpath = os.environ.get("BENCH_CLI_PYTHONPATH")
    timings = measure(repeat, plans, pythonpath)
    text = report_markdown(timings, repeat, plans, "make bench")
    print(text)
    if pythonpath is None:
        write_section(Path("BENCHMARKS.md"), HEADING, text)


if __name__ == "__main__":
    main()
