"""The flows' runner: serves the issue-plan and reconcile deployments with a concurrency limit.

Every flow run executes in its own short-lived process; a suspended run holds none.
"""

from __future__ import annotations

from prefect import serve

from flows import steps
from flows.issue_plan import issue_plan
from flows.names import (
    ISSUE_PLAN_DEPLOYMENT,
    RECONCILE_DEPLOYMENT,
    RECONCILE_INTERVAL_S,
    REMINDERS_DEPLOYMENT,
    REMINDERS_INTERVAL_S,
)
from flows.reconcile import reconcile
from flows.reminders import reminders


def main() -> None:
    limit = steps.settings().runner_limit
    # to_deployment is dispatched sync here (no running loop), so these are deployments.
    serve(
        issue_plan.to_deployment(  # type: ignore[arg-type]
            name=ISSUE_PLAN_DEPLOYMENT, description="Issue one plan, end to end"
        ),
        reconcile.to_deployment(  # type: ignore[arg-type]
            name=RECONCILE_DEPLOYMENT,
            interval=RECONCILE_INTERVAL_S,
            description="Re-drive plans whose state is ahead of their flow run",
        ),
        reminders.to_deployment(  # type: ignore[arg-type]
            name=REMINDERS_DEPLOYMENT,
            interval=REMINDERS_INTERVAL_S,
            description="Remind reviewers and signers of overdue steps; escalate after the cap",
        ),
        limit=limit,
        print_starting_message=False,
    )


if __name__ == "__main__":
    main()
