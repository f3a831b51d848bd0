"""Starting and stopping the embedded default's processes: Prefect server and the runner."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PREFECT_START_TIMEOUT_S = 180
# The runner and its flow-run processes (imports, rendering, bulk sending) yield the CPU to the
# dispatcher and the Prefect server, so a person's next email is not queued behind them.
RUNNER_NICE = 5


def prefect_env(api_url: str, prefect_home: Path) -> dict[str, str]:
    """Environment for every process that talks to the one Prefect server."""
    return {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY", "2"),
        # Heartbeats tell a live flow run from one that lost its process (flows/driver.py); 30 s
        # is Prefect's shortest period (its default, 180 s, would leave a dead run unnoticed longer).
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30"),
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "INFO"),
    }


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) != 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_prefect_server(
    port: int, prefect_home: Path, log_path: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`prefect server start` (on SQLite under the data directory unless `extra_env` sets
    PREFECT_API_DATABASE_CONNECTION_URL); returns once it is healthy."""
    api_url = f"http://127.0.0.1:{port}/api"
    prefect_home.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    prefect = Path(sys.executable).with_name("prefect")
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env={**prefect_env(api_url, prefect_home), **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + PREFECT_START_TIMEOUT_S
    while not healthy(api_url):
        if proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with {proc.returncode}; see {log_path}")
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"the Prefect server did not become healthy; see {log_path}")
        time.sleep(0.5)
    return proc


def start_runner(
    api_url: str, prefect_home: Path, log_path: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        runner = subprocess.Popen(
            [sys.executable, "-m", "flows.runner"],
            env={**prefect_env(api_url, prefect_home), **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    os.setpriority(os.PRIO_PROCESS, runner.pid, RUNNER_NICE)  # its flow-run processes inherit it
    return runner


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL after `timeout`: the runner and server shut down gracefully first."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # the whole group: the server's workers, the runner's runs
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
