"""The app's database and settings, reached from a request."""

from __future__ import annotations

from fastapi import Request

from models.db import Database
from models.settings import Settings


def db_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
