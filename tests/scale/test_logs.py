"""JSON logs: every line a process writes on stderr is one JSON object (ours and Prefect's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from flows.logs import PREFECT_LOGGING_YML

SCRIPT = """
import logging
from prefect.logging import get_logger
from flows.logs import configure
configure({fmt!r})
logging.getLogger("banhanh.dispatcher").info("gửi %s thư", 3)
get_logger("prefect.workers").warning("worker polling")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("banhanh.flow").exception("render failed")
"""


def run(fmt: str, env: dict[str, str] | None = None) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(fmt=fmt)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [ln for ln in out.stderr.splitlines() if ln.strip()]


def test_json_format_writes_one_object_per_line() -> None:
    lines = run("json")
    records = [json.loads(ln) for ln in lines]  # fails on any line that is not one JSON object
    by_logger = {r["logger"]: r for r in records}
    assert by_logger["banhanh.dispatcher"]["message"] == "gửi 3 thư"
    assert by_logger["banhanh.dispatcher"]["level"] == "INFO"
    assert by_logger["prefect.workers"]["level"] == "WARNING"
    assert "ZeroDivisionError" in by_logger["banhanh.flow"]["exception"]
    assert all(r["time"].endswith("+00:00") for r in records)


def test_text_format_is_not_json() -> None:
    lines = run("text")
    assert any("banhanh.dispatcher gửi 3 thư" in ln for ln in lines)
    assert not any(ln.startswith("{") for ln in lines)


def test_prefect_logging_file_gives_workers_json_lines() -> None:
    """What `prefect worker start` and its flow runs use: no configure() call, only the file."""
    # Importing prefect.main sets logging up, as the CLI and the flow-run engine do at start.
    script = (
        "import prefect.main; from prefect.logging import get_logger; "
        "get_logger('prefect.workers').warning('polling pool')"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PREFECT_LOGGING_SETTINGS_PATH": str(PREFECT_LOGGING_YML)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    records = [json.loads(ln) for ln in out.stderr.splitlines() if ln.strip()]
    assert [(r["logger"], r["message"]) for r in records] == [("prefect.workers", "polling pool")]
