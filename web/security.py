"""Sessions, CSRF and the signed-in person: what every page and form checks first."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from starlette.datastructures import FormData

from models.directory import Person
from models.lifecycle import Role
from models.services import access
from web.state import db_of, settings_of

SESSION_COOKIE = "bh_session"
CSRF_COOKIE = "bh_csrf"
CSRF_FIELD = "csrf"
# No scripts at all; the plan's own document renders in a sandboxed frame with inline styles.
CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page."""


class Forbidden(Exception):
    """Signed in, but this person may not do this."""


class BadCsrf(Exception):
    """A form posted without the token this browser was given."""


def csrf_token(request: Request) -> str:
    """The token forms carry: an HMAC of this browser's random CSRF cookie and its session, so a
    token read before sign-in (or in another session) is worthless after it."""
    seed: str = request.state.csrf_seed
    session = request.cookies.get(SESSION_COOKIE, "")
    bound = f"{seed}|{hashlib.sha256(session.encode('utf-8')).hexdigest() if session else ''}"
    return hmac.new(request.app.state.secret, bound.encode("utf-8"), hashlib.sha256).hexdigest()


async def csrf_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Give each browser a CSRF seed cookie, and set the security headers on every response."""
    seed = request.cookies.get(CSRF_COOKIE, "")
    fresh = not seed
    request.state.csrf_seed = seed or secrets.token_urlsafe(24)
    response = await call_next(request)
    if fresh:
        response.set_cookie(
            CSRF_COOKIE, request.state.csrf_seed, httponly=True, samesite="lax", secure=_secure(request)
        )
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # keep link tokens out of Referer
    if not request.url.path.startswith("/static/"):  # pages show personal data: never cached
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _secure(request: Request) -> bool:
    """Cookies only over HTTPS when the app is reached over HTTPS (directly or behind a proxy)."""
    return request.url.scheme == "https" or settings_of(request).base_url.startswith("https://")


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches this browser's cookie; refused otherwise."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not request.cookies.get(CSRF_COOKIE) or not isinstance(given, str):
        raise BadCsrf()
    if not hmac.compare_digest(given, csrf_token(request)):
        raise BadCsrf()
    return form


def optional_person(request: Request) -> Person | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings = settings_of(request)
    return access.session_person(db_of(request), token, settings.session_minutes, settings.session_max_hours)


def signed_in(request: Request) -> Person:
    person = optional_person(request)
    if person is None:
        raise SignInRequired()
    request.state.person = person
    return person


def secretariat(request: Request) -> Person:
    person = signed_in(request)
    if Role.SECRETARIAT not in person.roles:
        raise Forbidden()
    return person


def start_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=settings_of(request).session_minutes * 60,
    )
