"""Links in emails: the acknowledgement-of-receipt link each distributed copy carries.

The token is an HMAC of the delivery's id under the site's secret key: the sender can put
the same link into every copy and reminder of a delivery without the token ever being
stored; the database keeps only its sha256 (``models.services.acknowledgements``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from models.settings import Settings

KEY_FILE = "secret_key"


def secret_key(settings: Settings) -> bytes:
    """``BANHANH_SECRET_KEY``, or a random key kept in the data directory (created once, mode 600)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        _create_key(path)
    return path.read_bytes().strip()


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48))


def ack_token(key: bytes, delivery_id: int) -> str:
    digest = hmac.new(key, f"ack:{delivery_id}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def ack_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/ack/{token}"
