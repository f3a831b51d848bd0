"""The `banhanh` command. Its normal path never imports Prefect: people never wait on it.

Each command imports what it needs when it runs, so `--help` and a listing answer at once
(bench/cli_startup.py).
"""

from __future__ import annotations

import typer

from cli import admin, after_issue, audit, delegations, documents, exchange, plans, reviews, tracking

app = typer.Typer(
    name="banhanh",
    help="Ban Hành: draft, review, sign and distribute official plans (Kế hoạch).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # Click's plain help: Typer's Rich help costs 0.2 s of imports per call
)
app.add_typer(plans.app, name="plan")
plans.app.command("export-edxml")(exchange.export_edxml)
after_issue.register(plans.app)
app.add_typer(reviews.app, name="review")
app.add_typer(documents.app, name="document")
app.command("tasks")(reviews.tasks)
app.add_typer(admin.directory, name="directory")
app.add_typer(admin.mail, name="mail")
app.add_typer(audit.app, name="audit")
app.add_typer(audit.seal_app, name="seal")
app.add_typer(admin.register_app, name="register")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.outbox_app, name="outbox")
app.add_typer(delegations.app, name="delegate")
app.add_typer(tracking.app, name="tracking")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
