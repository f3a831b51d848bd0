"""A live web app (uvicorn in a thread) and headless Chromium, for the browser tests."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from models.db import Database
from models.settings import Settings
from web.server import web_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r"http://[^\s\"'<>]+/l/[A-Za-z0-9_-]+")


def need_chromium() -> None:
    """Skip without Chromium on a developer's machine; in CI its absence is a failure."""
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip(f"{CHROMIUM} is not installed")


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """docs/web-<name>.png when BANHANH_WEB_SCREENSHOTS=docs (to refresh the README's), else tmp."""
    if os.environ.get("BANHANH_WEB_SCREENSHOTS") == "docs":
        return REPO / "docs" / f"web-{name}.png"
    return tmp_path / f"web-{name}.png"


@contextmanager
def live_app(settings: Settings, db: Database) -> Iterator[str]:
    """Serve the app on settings.web_port in a thread; yields its base URL."""
    server = web_server(settings, db)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield settings.base_url
    finally:
        server.should_exit = True
        thread.join(10)
