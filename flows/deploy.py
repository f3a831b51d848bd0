"""`python -m flows.deploy [POOL]`: register the deployments on a process work pool.

Production runs the flows on Prefect workers (`prefect worker start --pool POOL`, any
number, on any machine holding this checkout at the same path with the same environment)
instead of `make serve`'s own runner. The deployments point at this checkout's directory:
each flow run starts in it. Creates the pool (type process) when it does not exist yet;
safe to run again after an upgrade.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from uuid import UUID

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import adeploy
from prefect.exceptions import ObjectAlreadyExists

from flows.names import DEPLOYMENTS
from models.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def heartbeat_frequency() -> str:
    return os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30")


async def register(pool: str, root: Path = ROOT) -> list[UUID]:
    """The issue-plan, reconcile and reminders deployments on `pool`, working directory `root`."""
    async with get_client() as client:
        with contextlib.suppress(ObjectAlreadyExists):
            await client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    deployments = [
        await (await Flow.afrom_source(str(root), entrypoint)).ato_deployment(
            name=name,
            interval=interval,
            description=description,
            work_pool_name=pool,
            # Every flow run beats at the period the driver assumes, whatever the worker's own
            # environment says: a run silent for longer is taken for dead (flows/driver.py).
            job_variables={"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": heartbeat_frequency()}},
        )
        for name, entrypoint, interval, description in DEPLOYMENTS
    ]
    return await adeploy(
        *deployments, work_pool_name=pool, build=False, push=False, print_next_steps_message=False
    )


def main() -> None:
    pool = sys.argv[1] if len(sys.argv) > 1 else Settings().work_pool
    if not pool:
        sys.exit("usage: python -m flows.deploy POOL (or set BANHANH_WORK_POOL)")
    ids = asyncio.run(register(pool))
    print(f"{len(ids)} deployments on work pool {pool!r}, working directory {ROOT}")
    print(f"start workers with: prefect worker start --pool {pool}")


if __name__ == "__main__":
    main()
