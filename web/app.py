"""The web app: FastAPI with server-rendered pages in Vietnamese, for every role.

Routes are thin: they check who is signed in and the CSRF token, call the service layer and
render a page. `create_app` builds one app for one database; more routers can be included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from models.db import Database
from models.errors import BanHanhError
from models.services import access
from models.settings import Settings
from notifications.links import secret_key
from web import ack, after_issue, auth, book, health, mail, plans, recall_link, steps, tracking, tracking_link
from web.errors import domain_error
from web.guard import RequestGuard, Window
from web.pages import page
from web.security import BadCsrf, Forbidden, SignInRequired, csrf_middleware

STATIC_DIR = Path(__file__).resolve().parent / "static"


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def catcher_in_use(settings: Settings) -> bool:
    """The embedded default: mail goes to the local catcher and the app listens on this machine
    only, so showing the caught mail (sign-in links included) reveals nothing new."""
    local_url = not settings.public_url or urlsplit(settings.public_url).hostname in LOOPBACK
    return settings.catcher and settings.smtp_host in LOOPBACK and settings.web_host in LOOPBACK and local_url


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    app = FastAPI(title="Ban Hành", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.db = db or Database.from_url(settings.db_url)
    app.state.secret = secret_key(settings)
    app.state.catcher_view = catcher_in_use(settings)
    app.state.sign_in_window = Window(access.SIGN_IN_BURST, access.SIGN_IN_WINDOW.total_seconds())
    app.middleware("http")(csrf_middleware)
    app.add_middleware(RequestGuard, settings=settings)  # outermost: refuses before anything runs
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        auth,
        plans,
        steps,
        book,
        mail,
        health,
        ack,
        tracking,
        tracking_link,
        recall_link,
        after_issue,
    ):
        app.include_router(module.router)
    app.dependency_overrides[health.current_settings] = lambda: settings
    app.dependency_overrides[ack.database] = lambda: app.state.db

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.method == "GET":
            return RedirectResponse("/login", status_code=303)
        return page(
            request, "error", 401, title="Cần đăng nhập", reason="Phiên làm việc đã hết; xin đăng nhập lại."
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return page(
            request, "error", 403, title="Không có quyền", reason="Đồng chí không có quyền làm việc này."
        )

    @app.exception_handler(BadCsrf)
    async def _csrf(request: Request, exc: BadCsrf) -> Response:
        return page(
            request,
            "error",
            403,
            title="Biểu mẫu không hợp lệ",
            reason="Biểu mẫu đã cũ hoặc không gửi từ trang này. Xin tải lại trang rồi làm lại.",
        )

    app.exception_handler(BanHanhError)(domain_error)

    return app


def __getattr__(name: str) -> Any:
    """`uvicorn web.app:app`: the app for the settings in the environment, built on first use
    (importing this module for tests or `make serve` builds nothing)."""
    if name == "app":
        built = globals().get("_app") or create_app(Settings())
        globals()["_app"] = built
        return built
    raise AttributeError(name)
