"""The mail catcher's messages, on the embedded default only (no real relay configured).

The catcher is the local stand-in for a mail server: anyone on the machine can read its
directory. Here only a signed-in secretariat reads it (it holds every sign-in link); with a
real relay this view is off.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from models.errors import NotFound
from notifications.catcher import load_message, read_index
from web.pages import page
from web.security import secretariat
from web.state import settings_of

router = APIRouter()
_URL = re.compile(r"https?://[^\s<>\"']+")


def _enabled(request: Request) -> None:
    """Only on the embedded default, and only for a signed-in secretariat: the caught mail holds
    everyone's live sign-in links. (The first sign-in link: `banhanh mail show --to ADDRESS`.)"""
    if not request.app.state.catcher_view:
        raise NotFound("mail", code="mail.off")
    secretariat(request)


@router.get("/mail")
def mail_list(request: Request) -> Response:
    _enabled(request)
    entries = list(reversed(read_index(settings_of(request).mail_dir)))
    wanted = request.query_params.get("to", "").strip().lower()
    if wanted:
        entries = [e for e in entries if wanted in [r.lower() for r in e.get("rcpt_tos", [])]]
    return page(request, "mail", entries=entries, wanted=wanted)


@router.get("/mail/{name}")
def mail_message(request: Request, name: str) -> Response:
    _enabled(request)
    try:
        message = load_message(settings_of(request).mail_dir, name)
    except (ValueError, FileNotFoundError) as exc:
        raise NotFound("mail", code="mail.not_found") from exc
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content() if part is not None else ""
    base = settings_of(request).base_url
    # Only links to this app are made clickable; everything is shown as text.
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in _URL.finditer(text):
        pieces.append((text[last : match.start()], False))
        pieces.append((match.group(0), match.group(0).startswith(base + "/")))
        last = match.end()
    pieces.append((text[last:], False))
    return page(
        request,
        "mail_message",
        subject=str(message.get("Subject", "")),
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        date=str(message.get("Date", "")),
        pieces=pieces,
        attachments=[a.get_filename() or "" for a in message.iter_attachments()],
    )
