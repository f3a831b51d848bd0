"""The real Prefect server starts with the pinned versions (prefect<3.10 needs fastapi<0.151)."""

import httpx

from tests.engine import API_URL, PrefectServer


def test_the_real_prefect_server_starts(prefect_server: PrefectServer) -> None:
    assert prefect_server.proc is not None and prefect_server.proc.poll() is None
    assert httpx.get(f"{API_URL}/health", timeout=5).json() is True
    assert httpx.get(f"{API_URL}/admin/version", timeout=5).json().startswith("3.")
