"""The flows' runner: serves the issue-plan, reconcile and reminders deployments with a
concurrency limit.

Every flow run executes in its own short-lived process; a suspended run holds none. By default
the runner keeps the flow objects in memory and forks each run's process from a preloaded
server (flows/starter.py); BANHANH_FLOW_START=spawn serves the deployments the plain way, a
fresh `python -m prefect.engine` process for each start.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from prefect import Flow, serve
from prefect.exceptions import TerminationSignal
from prefect.runner import Runner

from flows import starter, steps
from flows.issue_plan import issue_plan
from flows.names import DEPLOYMENTS
from flows.reconcile import reconcile
from flows.reminders import reminders

FLOWS: dict[str, Flow[..., Any]] = {"issue_plan": issue_plan, "reconcile": reconcile, "reminders": reminders}

log = logging.getLogger("banhanh.runner")


def serve_forked(limit: int) -> None:
    """What `serve()` does, with each flow added as an object (`add_flow`), so the runner starts
    its runs from memory (Prefect's direct path) and, once installed, through the forkserver."""
    starter.install()
    runner = Runner(pause_on_shutdown=True, limit=limit)
    for name, entrypoint, interval, description in DEPLOYMENTS:
        flow = FLOWS[entrypoint.rsplit(":", 1)[1]]
        runner.add_flow(flow, name=name, interval=interval, description=description)
    try:
        asyncio.run(runner.start())
    except (KeyboardInterrupt, TerminationSignal) as exc:
        log.info("Received %s, shutting down...", type(exc).__name__)


def main() -> None:
    from flows.logs import configure

    cfg = steps.settings()
    configure(cfg.log_format)
    if cfg.flow_start == "forkserver":
        serve_forked(cfg.runner_limit)
        return
    # to_deployment is dispatched sync here (no running loop), so these are deployments.
    serve(
        *(
            FLOWS[entrypoint.rsplit(":", 1)[1]].to_deployment(  # type: ignore[arg-type]
                name=name, interval=interval, description=description
            )
            for name, entrypoint, interval, description in DEPLOYMENTS
        ),
        limit=cfg.runner_limit,
        print_starting_message=False,
    )


if __name__ == "__main__":
    main()
