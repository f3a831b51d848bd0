"""Flow-run processes of the runner, forked from a preloaded server instead of started afresh.

Every start of a flow run (first start and each resume) is a new process. Started afresh, it
imports Prefect, SQLAlchemy, our flows and, to issue, WeasyPrint again: about 3 CPU-seconds
a start. `install()`, called by the runner only, makes Prefect start them from a
"forkserver": one server process, started by the runner with the runner's environment,
imports these modules once and forks a child for every start. The server runs no flow,
starts no thread and opens no connection, so each child is as clean as a fresh one, with
its imports done. The payload, environment, signals, cancellation, exit codes and the
runner's limit stay Prefect's own code.

This applies to flows the runner holds as objects (`Runner.add_flow`): Prefect starts those
with `prefect.flow_engine.run_flow_in_subprocess`, which hardcodes multiprocessing's "spawn"
context and is called through module names (`prefect.runner._starter_direct`, whose
docstring says to patch it, and `prefect.runner.runner`); ours takes their place and calls
Prefect's with the context swapped.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import multiprocessing.process
import threading
from types import ModuleType
from typing import Any

import prefect.flow_engine
import prefect.runner._starter_direct
import prefect.runner.runner

# What a flow-run process imports: Prefect's engines, our flows (the runner module, which each
# child runs again as its main module, imports them all), then what the steps import only
# when they render, seal or send (WeasyPrint runs ldconfig and gcc to find its libraries: once
# here, not in every run that renders). None starts a thread or opens a connection at import.
# The forkserver skips a module that fails to import, silently: a test imports them all.
PRELOAD = (
    "prefect",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.utilities.visualization",
    "anyio._backends._asyncio",
    "rich._emoji_codes",
    "prefect.runner",
    "flows.issue_plan",
    "flows.reconcile",
    "flows.reminders",
    "flows.starter",
    "sqlite3",
    "psycopg",
    "models.services.distribution",
    "models.services.documents",
    "models.services.queries",
    "notifications.dispatcher",
    "documents.render",
    "documents.seal",
    "documents.views",
    "weasyprint",
    "weasyprint.text.fonts",
    "pyhanko.sign",
    "pyhanko.sign.validation",
    "pyhanko.pdf_utils.incremental_writer",
)

_engine = vars(prefect.flow_engine)  # its `multiprocessing` is swapped during a start
_prefect_run_flow_in_subprocess = prefect.flow_engine.run_flow_in_subprocess
_CALL_SITES: tuple[ModuleType, ...] = (prefect.runner._starter_direct, prefect.runner.runner)
_swap = threading.Lock()


class _ForkserverMultiprocessing:
    """`multiprocessing` as `prefect.flow_engine` sees it during one start: any context asked
    for is the forkserver's."""

    def __init__(self, context: multiprocessing.context.ForkServerContext) -> None:
        self._context = context

    def get_context(self, method: str | None = None) -> multiprocessing.context.ForkServerContext:
        return self._context

    def __getattr__(self, name: str) -> Any:
        return getattr(multiprocessing, name)


def forkserver_context() -> multiprocessing.context.ForkServerContext:
    return multiprocessing.get_context("forkserver")


def run_flow_in_subprocess(*args: Any, **kwargs: Any) -> multiprocessing.process.BaseProcess:
    """Prefect's `run_flow_in_subprocess`, started from the forkserver."""
    with _swap:
        _engine["multiprocessing"] = _ForkserverMultiprocessing(forkserver_context())
        try:
            process: multiprocessing.process.BaseProcess = _prefect_run_flow_in_subprocess(*args, **kwargs)
        finally:
            _engine["multiprocessing"] = multiprocessing
    return process


def install() -> None:
    """Start the forkserver (it imports PRELOAD while the runner registers its deployments) and
    route this process's flow-run starts through it."""
    forkserver_context().set_forkserver_preload(list(PRELOAD))
    multiprocessing.forkserver.ensure_running()
    for module in _CALL_SITES:
        vars(module)["run_flow_in_subprocess"] = run_flow_in_subprocess
