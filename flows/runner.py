"""The flows' runner: serves the issue-plan and reconcile deployments with a concurrency limit.

Every flow run executes in its own short-lived process; a suspended run holds none.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow, serve

from flows import steps
from flows.issue_plan import issue_plan
from flows.names import DEPLOYMENTS
from flows.reconcile import reconcile
from flows.reminders import reminders

FLOWS: dict[str, Flow[..., Any]] = {"issue_plan": issue_plan, "reconcile": reconcile, "reminders": reminders}


def main() -> None:
    from flows.logs import configure

    configure(steps.settings().log_format)
    # to_deployment is dispatched sync here (no running loop), so these are deployments.
    serve(
        *(
            FLOWS[entrypoint.rsplit(":", 1)[1]].to_deployment(  # type: ignore[arg-type]
                name=name, interval=interval, description=description
            )
            for name, entrypoint, interval, description in DEPLOYMENTS
        ),
        limit=steps.settings().runner_limit,
        print_starting_message=False,
    )


if __name__ == "__main__":
    main()
