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
