"""Review templates and delegation from the command line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from models.numbering import VN_TZ
from tests.cli.test_cli import SEED_004, banhanh  # noqa: F401  (the fixture)
from tests.factory import R1, R2, REPO, SECRETARIAT


def test_a_template_plan_reviewed_by_a_delegate(banhanh: Any) -> None:  # noqa: F811
    banhanh("directory", "load", str(REPO / "examples" / "hamliem.toml"))
    plan = str(
        json.loads(
            banhanh("plan", "import", str(SEED_004), "--org", "hamliem", "--as", SECRETARIAT, "--json").stdout
        )["plan"]
    )
    banhanh("plan", "assign", plan, "--template", "tham-muu-roi-kiem-tra", "--as", SECRETARIAT)
    today = datetime.now(VN_TZ).date()
    added = banhanh(
        "delegate",
        "add",
        "--from",
        R1,
        "--to",
        R2,
        "--kind",
        "review",
        "--start",
        today.isoformat(),
        "--end",
        (today + timedelta(days=2)).isoformat(),
        "--as",
        SECRETARIAT,
    )
    assert "Delegation 1" in added.stdout
    bad = banhanh(
        "delegate",
        "add",
        "--from",
        R1,
        "--to",
        R2,
        "--kind",
        "review",
        "--start",
        "3/12",
        "--end",
        "x",
        "--as",
        SECRETARIAT,
        ok=False,
    )
    assert bad.returncode == 2 and "start" in bad.stderr
    [row] = json.loads(banhanh("delegate", "list", "--json").stdout)
    assert (row["from"], row["to"], row["in_force"]) == (R1, R2, True)

    banhanh("plan", "submit", plan, "--as", SECRETARIAT)
    [task] = json.loads(banhanh("tasks", "--as", R2, "--json").stdout)
    assert (task["step"], task["on_behalf_of"]) == ("review", R1)  # stage 1 is R1's, done by R2
    banhanh("review", "approve", plan, "--version", task["version_hash"], "--as", R2)

    status = json.loads(banhanh("plan", "show", plan, "--json").stdout)
    assert (status["template"], status["stage"], status["state"]) == ("tham-muu-roi-kiem-tra", 2, "in_review")
    assert status["tasks"][0]["decided_by"] == f"{R2} on behalf of {R1}"
    history = json.loads(banhanh("plan", "history", plan, "--json").stdout)
    assert [(h["actor"], h["action"]) for h in history][-2:] == [
        (f"{R2} on behalf of {R1}", "approve"),
        ("system", "open_stage"),
    ]
