"""Waiting costs no process: the CI-sized run of bench/waiting.py (5 plans)."""

from __future__ import annotations

import pytest

from bench.waiting import waiting_cost
from models.lifecycle import State
from tests.engine import API_URL, Engine
from tests.factory import SECRETARIAT, build, load_people

# Processes counted while runs wait: nothing here depends on the database.
pytestmark = pytest.mark.one_database

PLANS = 5


async def test_five_waiting_plans_hold_no_process(engine: Engine, dispatcher: object) -> None:
    load_people(engine.db)
    plan_ids = [build(engine.db, State.DRAFT) for _ in range(PLANS)]
    report = await waiting_cost(engine.db, engine.runner.pid, API_URL, plan_ids, SECRETARIAT)
    assert report.suspended == PLANS
    assert report.waiting_processes == report.idle_processes, report
    assert report.waiting_rss_mb < report.idle_rss_mb * 1.5, report
