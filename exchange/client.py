"""Talking to a document exchange endpoint over HTTP: send a package, read the statuses addressed to us.

The real axes (the Government Office's VDXP, the provinces' LGSP) each have their own API and
credentials; this is the small protocol of the stand-in (exchange/standin.py) that an adapter
for a real axis keeps: a package goes with its message id, and sending the same id again is
accepted once.
"""

from __future__ import annotations

import base64

import httpx

TIMEOUT = 30.0


class ExchangeUnavailable(Exception):
    """The endpoint cannot be reached or is failing (5xx): try again later, the package is not at fault."""


class PackageRefused(Exception):
    """The endpoint refused this package (4xx): sending it again will not help."""


def send_package(url: str, xml: bytes, message_id: str, timeout: float = TIMEOUT) -> str:
    """Post the package; the endpoint's reply as text."""
    try:
        response = httpx.post(
            f"{url.rstrip('/')}/packages",
            content=xml,
            headers={"Content-Type": "application/xml", "Message-Id": message_id},
            timeout=timeout,
        )
    except httpx.HTTPError as error:
        raise ExchangeUnavailable(f"{type(error).__name__}: {error}") from error
    if response.status_code >= 500:
        raise ExchangeUnavailable(f"{response.status_code} {response.text[:200]}")
    if response.status_code >= 400:
        raise PackageRefused(f"{response.status_code} {response.text[:500]}")
    return f"{response.status_code} {response.text[:200]}"


def statuses(url: str, organ_id: str, after: int = 0, timeout: float = TIMEOUT) -> list[tuple[int, bytes]]:
    """The status messages answering `organ_id`'s documents, after the cursor `after`, in order."""
    try:
        response = httpx.get(
            f"{url.rstrip('/')}/statuses", params={"organ_id": organ_id, "after": after}, timeout=timeout
        )
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise ExchangeUnavailable(f"{type(error).__name__}: {error}") from error
    return [(int(row["seq"]), base64.b64decode(row["status"])) for row in response.json()]


def post_status(url: str, xml: bytes, timeout: float = TIMEOUT) -> int:
    """A receiver's answer to the endpoint; its sequence number."""
    response = httpx.post(
        f"{url.rstrip('/')}/statuses",
        content=xml,
        headers={"Content-Type": "application/xml"},
        timeout=timeout,
    )
    response.raise_for_status()
    return int(response.json()["seq"])


def packages(url: str, organ_id: str, timeout: float = TIMEOUT) -> list[bytes]:
    """The packages addressed to `organ_id` (a receiver's inbox)."""
    response = httpx.get(f"{url.rstrip('/')}/packages", params={"organ_id": organ_id}, timeout=timeout)
    response.raise_for_status()
    return [base64.b64decode(row["package"]) for row in response.json()]
