"""`make serve`: everything the embedded default needs on one machine, no set-up.

Starts (or reuses) a Prefect server on SQLite, the local SMTP catcher, the flows' runner
with a concurrency limit, the always-on outbox dispatcher and the web app. Writes PREFECT_API_URL to
the local settings file so every other process finds the same server. Shutdown order:
runner and dispatcher first, then the catcher and the Prefect server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
from pathlib import Path

from models.db import Database
from models.migrate import upgrade
from models.settings import LOCAL_SETTINGS_FILE, Settings

log = logging.getLogger("banhanh.serve")

RUNNER_CHECK_S = 5
RECOVER_EVERY_S = 10  # reconcile passes right after start, until a crash's dead runs are replaced


def state_file(settings: Settings) -> Path:
    return settings.data_dir / "serve.json"


def write_local_settings(api_url: str) -> None:
    LOCAL_SETTINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
    lines = (
        [ln for ln in LOCAL_SETTINGS_FILE.read_text().splitlines() if not ln.startswith("PREFECT_API_URL=")]
        if LOCAL_SETTINGS_FILE.exists()
        else []
    )
    LOCAL_SETTINGS_FILE.write_text("\n".join([*lines, f"PREFECT_API_URL={api_url}"]) + "\n")


async def serve(settings: Settings) -> None:
    from flows.embedded import healthy, port_free, prefect_env, start_prefect_server, start_runner, stop

    data = settings.data_dir.resolve()
    prefect_home, logs = data / "prefect", data / "logs"
    upgrade(settings.db_url)
    server: subprocess.Popen[bytes] | None = None
    api_url = settings.prefect_api_url
    if healthy(api_url):
        print(f"Using the Prefect server at {api_url}")
    else:
        api_url = f"http://127.0.0.1:{settings.prefect_port}/api"
        print(f"Starting a Prefect server on SQLite at {api_url} (about 20 s the first time)…")
        server = start_prefect_server(settings.prefect_port, prefect_home, logs / "prefect-server.log")
    write_local_settings(api_url)
    os.environ.update(prefect_env(api_url, prefect_home))  # before Prefect is imported below

    from flows.driver import drive, liveness
    from flows.logs import configure
    from flows.reconcile import reconcile_plans
    from notifications.catcher import MailCatcher
    from notifications.dispatcher import Dispatcher
    from web.server import web_server

    configure(settings.log_format)  # after Prefect's import, which sets up its own handlers

    catcher = None
    if (
        settings.catcher
        and settings.smtp_host in {"127.0.0.1", "localhost"}
        and port_free(settings.smtp_port)
    ):
        catcher = MailCatcher(settings.mail_dir, port=settings.smtp_port)
        catcher.start()
        print(f"SMTP catcher on 127.0.0.1:{settings.smtp_port}, keeping mail in {settings.mail_dir}")
    runner_env = {"BANHANH_DATA_DIR": str(data), "DATABASE_URL": settings.db_url}
    # With a work pool the flows run on its workers (see README, Production): no runner here.
    runners = (
        [] if settings.work_pool else [start_runner(api_url, prefect_home, logs / "runner.log", runner_env)]
    )
    dispatcher = Dispatcher(Database.from_url(settings.db_url), settings, driver=drive)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, dispatcher.stop)
    state_file(settings).write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "prefect_api_url": api_url,
                "smtp_port": settings.smtp_port,
                "runner_pid": runners[0].pid if runners else None,
                "ui": api_url.removesuffix("/api"),
            }
        )
    )
    web = web_server(settings)
    web_task = None
    if port_free(settings.web_port):
        web_task = asyncio.create_task(web.serve())
        print(f"Web app: {settings.base_url}")
    else:
        print(f"Port {settings.web_port} is taken: the web app is not started (set BANHANH_WEB_PORT)")
    print(f"Ban Hành is running. Prefect UI: {api_url.removesuffix('/api')}  (Ctrl-C stops)")

    async def watch_runner() -> None:
        """A runner that died (for example while the Prefect server was away) is started again."""
        while True:
            await asyncio.sleep(RUNNER_CHECK_S)
            if runners and runners[-1].poll() is not None:
                log.warning("the runner exited with %s; starting it again", runners[-1].returncode)
                runners.append(start_runner(api_url, prefect_home, logs / "runner.log", runner_env))

    async def recover() -> None:
        """Reconcile at once, then every RECOVER_EVERY_S until a run that a crash of the engine left
        Running or Pending has had time to count as dead: plans interrupted by the crash continue
        now, not at the reconcile deployment's next turn (every 120 s)."""
        from prefect.client.orchestration import get_client

        from flows.names import ISSUE_PLAN_FULL_NAME

        async with get_client() as client:  # the runner registers it (or flows.deploy did)
            for _ in range(120):
                with contextlib.suppress(Exception):
                    await client.read_deployment_by_name(ISSUE_PLAN_FULL_NAME)
                    break
                await asyncio.sleep(1)
        limits = liveness()
        deadline = loop.time() + max(limits.stale_s, limits.pending_s) + 3 * RECOVER_EVERY_S
        db = Database.from_url(settings.db_url)
        while True:
            try:
                counts = await reconcile_plans(db)
                log.info("reconcile at start: %s", counts)
            except Exception:
                log.warning("reconcile at start failed; trying again", exc_info=True)
            if loop.time() > deadline:
                return
            await asyncio.sleep(RECOVER_EVERY_S)

    watchdog = asyncio.create_task(watch_runner())
    recovering = asyncio.create_task(recover())
    try:
        await dispatcher.run()
    finally:
        watchdog.cancel()
        recovering.cancel()
        if web_task is not None:
            web.should_exit = True
            await web_task
        state_file(settings).unlink(missing_ok=True)
        if runners:
            stop(runners[-1])
        if catcher is not None:
            catcher.stop()
        if server is not None:
            stop(server)
        print("Ban Hành stopped.")


def main() -> None:
    asyncio.run(serve(Settings()))


if __name__ == "__main__":
    main()
