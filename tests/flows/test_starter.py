"""Flow-run processes are forked from the runner's preloaded forkserver (flows/starter.py), and
BANHANH_FLOW_START=spawn starts them afresh: watched in the real runner's process tree."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import pytest

from bench.procstat import flow_run_processes, tree
from flows.starter import PRELOAD
from models.lifecycle import State
from models.services import plans
from tests.engine import Engine
from tests.factory import SECRETARIAT, build, load_people
from tests.flows.helpers import suspended_on, until

# How the runner starts flow-run processes: nothing here depends on the database.
pytestmark = pytest.mark.one_database

# WeasyPrint's native library: in the forkserver once it has imported WeasyPrint.
PRELOADED_LIBRARY = "libpango"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
    except OSError:
        return ""


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def _runs(runner_pid: int) -> list[int]:
    """Python processes only (while it imports WeasyPrint the forkserver runs ldconfig and gcc),
    and not the runner's own forks before they exec (Prefect runs git to register deployments)."""
    runner = _cmdline(runner_pid)
    return [p.pid for p in flow_run_processes(runner_pid) if "python" in p.cmdline and p.cmdline != runner]


def _forkservers(runner_pid: int) -> list[int]:
    children = [p for p in tree(runner_pid) if _parent(p.pid) == runner_pid]
    return [p.pid for p in children if "multiprocessing.forkserver" in p.cmdline]


class Watcher(threading.Thread):
    """Records the parent and command line of each flow-run process of the runner while it is
    alive (a run that suspends lives about a second)."""

    def __init__(self, runner_pid: int) -> None:
        super().__init__(daemon=True)
        self.runner_pid = runner_pid
        self.seen: dict[int, tuple[int | None, str]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            for pid in _runs(self.runner_pid):
                if pid not in self.seen and (cmdline := _cmdline(pid)):
                    self.seen[pid] = (_parent(pid), cmdline)


async def _first_start(engine: Engine) -> list[tuple[int | None, str]]:
    """Submit a plan; watch its run start, read the plan, suspend at review and exit."""
    watcher = Watcher(engine.runner.pid)
    watcher.start()
    plan_id = build(engine.db, State.DRAFT)
    plans.submit(engine.db, plan_id, SECRETARIAT)
    try:
        await suspended_on(engine.db, plan_id, "review-r1")
        # A runner restarted before the process has exited would kill it mid-exit.
        await until("the run's process to exit", lambda: not _runs(engine.runner.pid), timeout=30)
    finally:
        watcher.done.set()
        watcher.join()
    assert watcher.seen, "no flow-run process was seen"
    return list(watcher.seen.values())


def test_every_preloaded_module_imports() -> None:
    # The forkserver skips a module that fails to import, silently: the runs would import it each time.
    for name in PRELOAD:
        importlib.import_module(name)


async def test_runs_fork_from_the_preloaded_server_and_spawn_turns_it_off(
    engine: Engine, dispatcher: object
) -> None:
    load_people(engine.db)
    seen = await _first_start(engine)
    runner = engine.runner.pid
    assert all(parent != runner for parent, _ in seen), f"a run was started afresh by the runner: {seen}"
    forkservers = _forkservers(runner)
    assert len(forkservers) == 1, "the runner has no forkserver"
    forkserver = forkservers[0]
    assert any(parent == forkserver for parent, _ in seen), seen
    assert PRELOADED_LIBRARY in Path(f"/proc/{forkserver}/maps").read_text(), "WeasyPrint was not preloaded"

    engine.extra_env["BANHANH_FLOW_START"] = "spawn"
    engine.restart_runner()
    seen = await _first_start(engine)
    assert _forkservers(engine.runner.pid) == []
    assert any(parent == engine.runner.pid and "prefect.engine" in cmd for parent, cmd in seen), seen
