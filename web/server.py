"""Running the web app inside another process (`make serve`, the browser tests)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import uvicorn

from models.db import Database
from models.settings import Settings
from web.app import create_app


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process embedding it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def web_server(settings: Settings, db: Database | None = None, port: int | None = None) -> EmbeddedServer:
    config = uvicorn.Config(
        create_app(settings, db),
        host=settings.web_host,
        port=settings.web_port if port is None else port,
        log_level="warning",
        lifespan="off",
    )
    return EmbeddedServer(config)
