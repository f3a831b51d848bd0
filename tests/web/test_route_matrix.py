"""Every route of the app × no session, another organisation, the wrong role, the wrong method
and a POST without its CSRF token: each is refused, and nothing changes.

The routes come from the app itself: a route this table does not classify fails the test, so
a new page is classified (who may use it) when it is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from models.db import Database
from models.lifecycle import State
from models.plans import Plan
from models.records import AuditEntry, OutboxMessage
from models.settings import Settings
from tests.factory import CLERK, OTHER_SECRETARIAT, R1, R3, SECRETARIAT, SIGNER, build, load_people
from tests.web.conftest import csrf_of, new_client, sign_in, web_settings
from web.app import create_app

# Who may use a route: anyone; anyone signed in; the plan's organisation's secretariat; the
# people who can see the plan (secretariat, its reviewers, its signer); its reviewer; its signer.
# The văn thư (clerk) of the plan's organisation issues it.
PUBLIC, SIGNED_IN, SECRETARIAT_ONLY, PLAN_READER, PLAN_REVIEWER, PLAN_SIGNER, PLAN_CLERK = (
    "public",
    "signed in",
    "secretariat",
    "plan reader",
    "plan reviewer",
    "plan signer",
    "plan clerk",
)
WHO: dict[str, str] = {
    "/": PUBLIC,
    "/login": PUBLIC,
    "/l/{token}": PUBLIC,  # a one-time link: the token is the credential
    "/ack/{token}": PUBLIC,  # a recipient's receipt link: the token is the credential
    "/tracking/{token}": PUBLIC,  # a lead unit's assignment link: the token is the credential
    "/tracking/{token}/report": PUBLIC,  # its report by that link
    "/tracking/{token}/extend": PUBLIC,  # its request for more time
    "/units/{code}/tracking": SIGNED_IN,  # what a unit of this person's organisation owes
    "/recall/{token}": PUBLIC,  # a recipient's recall link: the token is the credential
    "/healthz": PUBLIC,
    "/logout": SIGNED_IN,
    "/inbox": SIGNED_IN,
    "/plans/new": SECRETARIAT_ONLY,
    "/directory": SECRETARIAT_ONLY,
    "/directory/units": SECRETARIAT_ONLY,
    "/directory/people": SECRETARIAT_ONLY,
    "/directory/roles/{change_id}/confirm": SECRETARIAT_ONLY,  # and only a second administrator
    "/register": SECRETARIAT_ONLY,
    "/mail": SECRETARIAT_ONLY,
    "/mail/{name}": SECRETARIAT_ONLY,
    "/plans/{plan_id}": PLAN_READER,
    "/plans/{plan_id}/document": PLAN_READER,
    "/plans/{plan_id}/download/{fmt}": PLAN_READER,
    "/plans/{plan_id}/created": SECRETARIAT_ONLY,
    "/plans/{plan_id}/edit": SECRETARIAT_ONLY,
    "/plans/{plan_id}/assign": SECRETARIAT_ONLY,
    "/plans/{plan_id}/submit": SECRETARIAT_ONLY,
    "/plans/{plan_id}/withdraw": SECRETARIAT_ONLY,
    "/plans/{plan_id}/deliveries": SECRETARIAT_ONLY,
    "/plans/{plan_id}/resend": SECRETARIAT_ONLY,
    "/plans/{plan_id}/retry-failed": SECRETARIAT_ONLY,
    "/plans/{plan_id}/remind-ack": SECRETARIAT_ONLY,
    "/plans/{plan_id}/review": PLAN_REVIEWER,
    "/plans/{plan_id}/sign": PLAN_SIGNER,
    "/plans/{plan_id}/issue": PLAN_CLERK,
    # The follower's: the plan's readers get the grid; the services refuse anyone not following.
    "/plans/{plan_id}/tracking.csv": PLAN_READER,
    "/plans/{plan_id}/summary": PLAN_READER,
    "/tracking/periods/{period_id}/decide": PLAN_READER,
    "/tracking/files/{file_id}": PLAN_READER,
    "/tracking/periods/{period_id}/report": PLAN_READER,  # the secretariat, for a unit without email
    "/tracking/periods/{period_id}/extension": PLAN_READER,  # the services let only its signer decide
    # The recall steps: the plan's signer asks; another signer of the organisation confirms.
    "/plans/{plan_id}/recall": PLAN_SIGNER,
    "/plans/{plan_id}/confirm-recall": PLAN_SIGNER,
    "/plans/{plan_id}/cancel-recall": PLAN_SIGNER,
    "/plans/{plan_id}/recall-remind": SECRETARIAT_ONLY,
    "/plans/{plan_id}/recall-mark": SECRETARIAT_ONLY,
}
# A step's page shows the plan to whoever can see it; its form only to the person whose step it is.
WHO_GETS = {
    "/plans/{plan_id}/review": PLAN_READER,
    "/plans/{plan_id}/sign": PLAN_READER,
    "/plans/{plan_id}/issue": PLAN_READER,
}
# The plan each route is tried on: one in the state where its step is open.
PLAN_STATE = {
    "review": State.IN_REVIEW,
    "sign": State.APPROVED,
    "issue": State.AWAITING_ISSUANCE,
    **dict.fromkeys(("resend", "retry-failed", "remind-ack", "deliveries", "{fmt}", "recall"), State.ISSUED),
    **dict.fromkeys(("confirm-recall", "cancel-recall"), State.RECALL_REQUESTED),
}
FORM = {"title": "Kế hoạch đổi tên", "body": "Nội dung.", "decision": "approve", "reason": "thử"}
STATUS_REFUSED = {403, 404}
PATH_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    path: str
    methods: frozenset[str]

    def who(self, method: str) -> str:
        return WHO_GETS.get(self.path, WHO[self.path]) if method == "GET" else WHO[self.path]


def app_routes(settings: Settings, db: Database) -> list[Route]:
    """The app's routes, through its included routers (no prefixes are used here)."""
    found: list[Route] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(Route(route.path, frozenset(route.methods)))
            elif (inner := getattr(route, "original_router", None)) is not None:  # FastAPI ≥ 0.150
                walk(inner.routes)

    walk(create_app(settings, db).routes)
    methods: dict[str, frozenset[str]] = {}
    for route in found:  # a path's GET and POST are two routes
        methods[route.path] = methods.get(route.path, frozenset()) | route.methods
    return [Route(path, methods[path]) for path in sorted(methods)]


@pytest.fixture
def world(db: Database, tmp_path: Any) -> Iterator[tuple[Database, Settings, dict[State, int]]]:
    load_people(db)
    settings = web_settings(tmp_path, database_url="sqlite://", throttle_per_minute=10_000)
    plans = {
        state: build(db, state)
        for state in (
            State.DRAFT,
            State.IN_REVIEW,
            State.APPROVED,
            State.AWAITING_ISSUANCE,
            State.ISSUED,
            State.RECALL_REQUESTED,
        )
    }
    yield db, settings, plans


def concrete(route: Route, plans: dict[State, int]) -> str:
    plan_id = plans[PLAN_STATE.get(route.path.rsplit("/", 1)[-1], State.DRAFT)]
    values = {"plan_id": str(plan_id), "fmt": "pdf", "token": "0" * 43, "name": "x.eml", "change_id": "1"}
    values |= {"code": "mttq", "period_id": "1", "file_id": "1"}
    return PATH_PARAM.sub(lambda m: values[m.group(1)], route.path)


def snapshot(db: Database) -> tuple[int, int, tuple[tuple[int, str, str], ...]]:
    """What a refused request must leave as it was: the audit trail, the outbox, every plan."""
    with db.read() as s:
        audit = s.exec(select(func.count()).select_from(AuditEntry)).one()
        outbox = s.exec(select(func.count()).select_from(OutboxMessage)).one()
        plans = tuple((p.id or 0, str(p.state), p.current_version_id or 0) for p in s.exec(select(Plan)))
    return audit, outbox, plans  # type: ignore[return-value]


def signed_in(db: Database, settings: Settings, email: str) -> tuple[TestClient, str]:
    client = new_client(db, settings)
    sign_in(client, db, email)
    return client, csrf_of(client.get("/inbox").text)


def test_every_route_is_classified(db: Database, tmp_path: Any) -> None:
    routes = app_routes(web_settings(tmp_path, database_url="sqlite://"), db)
    assert {r.path for r in routes} - set(WHO) == set(), "classify the new routes in WHO"
    assert set(WHO) - {r.path for r in routes} == set(), "WHO names routes the app no longer has"


def test_each_route_refuses_who_it_should(world: tuple[Database, Settings, dict[State, int]]) -> None:
    db, settings, plans = world
    routes = app_routes(settings, db)
    anonymous = new_client(db, settings)
    other_org = signed_in(db, settings, OTHER_SECRETARIAT)
    reviewer_elsewhere = signed_in(db, settings, R3)  # a reviewer of the organisation, not of these plans
    reviewer, signer, secretariat, clerk = (
        signed_in(db, settings, e) for e in (R1, SIGNER, SECRETARIAT, CLERK)
    )
    wrong_role = {
        SECRETARIAT_ONLY: [reviewer, signer],
        PLAN_READER: [reviewer_elsewhere],
        PLAN_REVIEWER: [signer, reviewer_elsewhere, secretariat],
        PLAN_SIGNER: [reviewer, secretariat],
        PLAN_CLERK: [reviewer, signer, secretariat],
    }
    allowed = {
        SECRETARIAT_ONLY: secretariat,
        PLAN_READER: secretariat,
        PLAN_REVIEWER: reviewer,
        PLAN_SIGNER: signer,
        PLAN_CLERK: clerk,
    }
    before = snapshot(db)
    failures: list[str] = []

    def refused(what: str, response: Any, statuses: set[int], login: bool = False) -> None:
        ok = response.status_code in statuses or (
            login and response.status_code == 303 and response.headers["location"].startswith("/login")
        )
        if not ok:
            failures.append(f"{what}: {response.status_code} {response.headers.get('location', '')}")
        if (now := snapshot(db)) != before:
            failures.append(f"{what}: changed the database: {before} → {now}")

    tried = 0
    for route in routes:
        path = concrete(route, plans)
        for method in sorted(route.methods - {"HEAD"}):
            form = FORM if method == "POST" else None
            who = route.who(method)
            if who not in (PUBLIC, SIGNED_IN):
                # No session: sent to sign in (a GET) or refused (a POST has no valid form token).
                no_session = anonymous.request(method, path, data=form)
                refused(f"{method} {path} with no session", no_session, {401, 403}, login=True)
                # Another organisation's secretariat (its plans only), people in the wrong role.
                others = ([other_org] if "{plan_id}" in route.path else []) + wrong_role[who]
                for client, csrf in others:
                    answer = client.request(method, path, data={**FORM, "csrf": csrf} if form else None)
                    refused(f"{method} {path} as the wrong person", answer, STATUS_REFUSED)
                tried += 1
            if method == "POST":
                client = allowed.get(who, secretariat)[0]
                # A link's token is checked first: a made-up one is not found.
                statuses = {403, 404} if "{token}" in route.path else {403}
                refused(f"POST {path} without its form token", client.post(path, data=FORM), statuses)
        for method in sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - route.methods):
            client, csrf = secretariat
            refused(f"{method} {path}", client.request(method, path, data={"csrf": csrf}), {405})
    for step in ("review", "sign", "issue"):  # the page without the step's form for the others
        plan_id = plans[PLAN_STATE[step]]
        for client, _ in (secretariat, reviewer_elsewhere if step == "review" else reviewer):
            if (answer := client.get(f"/plans/{plan_id}/{step}")).status_code == 200:
                assert 'name="decision"' not in answer.text and 'name="version"' not in answer.text
    assert tried > 20
    assert not failures, "\n".join(failures)
