"""Names shared by the deployments, the runner and the driver."""

ISSUE_PLAN_FLOW = "issue-plan"
ISSUE_PLAN_DEPLOYMENT = "issue-plan"
ISSUE_PLAN_FULL_NAME = f"{ISSUE_PLAN_FLOW}/{ISSUE_PLAN_DEPLOYMENT}"
RECONCILE_FLOW = "reconcile"
RECONCILE_DEPLOYMENT = "reconcile"
RECONCILE_INTERVAL_S = 120  # a backstop: the dispatcher drives runs within seconds
REMINDERS_FLOW = "reminders"
REMINDERS_DEPLOYMENT = "reminders"
REMINDERS_INTERVAL_S = 30 * 60  # reminders count in working days: half-hourly is plenty


DEPLOYMENTS: tuple[tuple[str, str, int | None, str], ...] = (
    # (deployment name, entrypoint from the checkout's root, schedule interval in s, description)
    (ISSUE_PLAN_DEPLOYMENT, "flows/issue_plan.py:issue_plan", None, "Issue one plan, end to end"),
    (
        RECONCILE_DEPLOYMENT,
        "flows/reconcile.py:reconcile",
        RECONCILE_INTERVAL_S,
        "Re-drive plans whose state is ahead of their flow run",
    ),
    (
        REMINDERS_DEPLOYMENT,
        "flows/reminders.py:reminders",
        REMINDERS_INTERVAL_S,
        "Remind reviewers and signers of overdue steps; escalate after the cap",
    ),
)
