"""Counting a process tree's processes and memory from /proc (Linux)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PAGE_KB = 4


@dataclass(frozen=True)
class Proc:
    pid: int
    rss_kb: int
    cmdline: str


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out  # the process exited while the tree was read
    for task in tasks:
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def tree(pid: int) -> list[Proc]:
    """The process and all its descendants that are alive now."""
    found: list[Proc] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            rss_pages = int(Path(f"/proc/{current}/statm").read_text().split()[1])
            cmd = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        found.append(Proc(current, rss_pages * PAGE_KB, cmd.strip()))
        stack += _children(current)
    return found


# Processes multiprocessing keeps beside a runner that starts flow runs from a forkserver
# (flows/starter.py): the server and its resource tracker. They run no flow.
HELPERS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")


def flow_run_processes(runner_pid: int) -> list[Proc]:
    """The runner's flow-run processes alive now: its descendants but its multiprocessing helpers
    (a forkserver's children are flow runs: they keep its command line)."""
    procs, children = tree(runner_pid), _children(runner_pid)
    helpers = {p.pid for p in procs if p.pid in children and any(h in p.cmdline for h in HELPERS)}
    return [p for p in procs[1:] if p.pid not in helpers]


def rss_mb(procs: list[Proc]) -> float:
    return sum(p.rss_kb for p in procs) / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time of the process and its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of the whole tree: the root with its reaped children, plus every live descendant
    with its own (a forkserver reaps the flow runs it forked)."""
    total = cpu_seconds(pid)
    for proc in tree(pid)[1:]:
        try:
            total += cpu_seconds(proc.pid)
        except OSError:
            continue  # exited between the listing and the read
    return total
