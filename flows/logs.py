"""Log lines of the long-running processes (serve, dispatcher, runner, workers): text or JSON.

`configure("json")` makes every handler on the root logger (and the loggers Prefect gives
their own handlers) write one JSON object per line, for a log shipper. Prefect workers and
the flow runs they start read `flows/prefect-logging.yml` through
PREFECT_LOGGING_SETTINGS_PATH, which uses the same formatter.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

PREFECT_LOGGING_YML = Path(__file__).with_name("prefect-logging.yml")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Context Prefect attaches to flow- and task-run records, worth keeping as fields.
CONTEXT_FIELDS = ("flow_run_id", "flow_run_name", "flow_name", "task_run_id", "task_run_name", "worker_id")


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC ISO 8601), level, logger, message, context, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        line |= {f: str(getattr(record, f)) for f in CONTEXT_FIELDS if getattr(record, f, None)}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Set the format of every stream handler; add one on stderr when the root has none."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    root.setLevel(level)
    formatter = JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    loggers = [
        root,
        *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setFormatter(formatter)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API request is noise
