"""Seed plans issued through the services to units with agency identifiers, and an organisation
that signs with a real certificate (documents/certs.py): what an export starts from."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from documents.certs import write_seal_certificate
from documents.plain_text import parse
from flows.steps import render_and_store
from models.db import Database
from models.lifecycle import State
from models.policies import Decision
from models.services import distribution, plans, reviews, signing
from models.services.directory import load_directory
from models.settings import Settings
from tests.documents.seeds import SEED_000, SEED_004
from tests.factory import (
    R1,
    R2,
    REPO,
    SECRETARIAT,
    current_hash,
    drain_outbox,
    drive,
    example_config,
    sample_draft,
)

PASSWORD = "seal-pw"


@dataclass(frozen=True)
class Seed:
    name: str
    path: Path
    org: str  # its issuer's config in examples/
    secretariat: str
    reviewers: tuple[str, ...]
    signer: str
    agency_id: str


SEEDS = (
    Seed(
        "000",
        SEED_000,
        "duk",
        "vanphong@duk.example.vn",
        ("tuyengiao@duk.example.vn", "kiemtra@duk.example.vn"),
        "pbt@duk.example.vn",
        "000.00.01.H58",
    ),
    Seed(
        "004",
        SEED_004,
        "hamliem",
        "vanphong@hamliem.example.vn",
        ("bxdd@hamliem.example.vn", "ubkt@hamliem.example.vn"),
        "pbt@hamliem.example.vn",
        "000.00.21.H37",
    ),
)
STATE_PLAN = Seed(
    "ubnd",
    REPO / "examples" / "ke-hoach-ubnd-hamliem.txt",
    "ubnd-hamliem",
    "vanphong@ubnd-hamliem.example.vn",
    ("vanhoa@ubnd-hamliem.example.vn", "kinhte@ubnd-hamliem.example.vn"),
    "pct@ubnd-hamliem.example.vn",
    "000.00.22.H37",
)


def agency_id_of(index: int) -> str:
    """A distinct, well-formed identifier per unit: 001.00.21.H37, 002.00.21.H37, …"""
    return f"{index:03d}.00.21.H37"


def config_with_exchange(
    seed: Seed, seal: Path, units_without_id: tuple[str, ...] = (), by_exchange: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Every unit with an identifier; those in `by_exchange` receive by the edxml channel."""
    config: dict[str, Any] = copy.deepcopy(example_config(seed.org))
    config["organisation"]["agency_id"] = seed.agency_id
    config["seal"] = {"pkcs12": str(seal), "password": PASSWORD}
    for i, unit in enumerate(config.get("units", []), start=1):
        if "members" not in unit and unit["code"] not in units_without_id:
            unit["agency_id"] = agency_id_of(i)
            unit["channel"] = "edxml" if unit["code"] in by_exchange else "email"
    return config


def settings_for(tmp_path: Path, db_url: str) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, database_url=db_url)  # type: ignore[call-arg]


def make_seal(tmp_path: Path, org_name: str) -> Path:
    path = tmp_path / "seal.p12"
    write_seal_certificate(path, org_name, PASSWORD)
    return path


def issue(db: Database, cfg: Settings, seed: Seed) -> int:
    """The seed imported, reviewed, signed, rendered and sealed, and distributed: issued."""
    draft = parse(seed.path.read_text(encoding="utf-8")).draft
    plan_id = plans.create_plan(db, seed.secretariat, _key(seed), draft).plan_id
    plans.assign(db, plan_id, seed.secretariat, reviewers=list(seed.reviewers), signer=seed.signer)
    plans.submit(db, plan_id, seed.secretariat)
    version = current_hash(db, plan_id)
    for reviewer in seed.reviewers:
        reviews.decide(db, plan_id, reviewer, Decision.APPROVE, version)
    signing.sign(db, plan_id, seed.signer, version)
    render_and_store(plan_id, db, cfg)
    distribution.start_distribution(db, plan_id)
    drain_outbox(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    return plan_id


def _key(seed: Seed) -> str:
    return str(example_config(seed.org)["organisation"]["key"])  # type: ignore[index]


def load(db: Database, seed: Seed, tmp_path: Path, units_without_id: tuple[str, ...] = ()) -> Path:
    """The seed's organisation with agency identifiers and a seal; returns the seal's PKCS#12."""
    seal = make_seal(tmp_path, f"Seal {seed.agency_id}")  # a common name is at most 64 bytes
    load_directory(db, config_with_exchange(seed, seal, units_without_id))
    return seal


def signed_plan(db: Database, secrecy: str = "") -> int:
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2], secrecy=secrecy)
    return drive(db, plan_id, State.SIGNED)
