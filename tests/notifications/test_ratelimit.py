"""The relay's rate limit: the token bucket on a hand-moved clock, then the pool on a real server."""

from __future__ import annotations

import asyncio
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from notifications.catcher import MailCatcher, read_index
from notifications.ratelimit import TokenBucket
from notifications.smtp import SmtpPool
from tests.notifications.conftest import settings_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_spaces_messages_at_the_rate_and_queues_concurrent_ones() -> None:
    clock = Clock()
    bucket = TokenBucket(10, clock=clock)
    assert bucket.reserve() == 0.0  # a full bucket: the first goes at once
    # Three more at the same instant wait 0.1, 0.2 and 0.3 s: one per interval, in order.
    assert [round(bucket.reserve(), 6) for _ in range(3)] == [0.1, 0.2, 0.3]
    clock.now += 0.3  # the three have gone; the next is due one interval later
    assert round(bucket.reserve(), 6) == 0.1
    clock.now += 10  # idle for long: the bucket holds one token, not a hundred
    assert bucket.reserve() == 0.0
    assert round(bucket.reserve(), 6) == 0.1


def test_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(2, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert round(bucket.reserve(), 6) == 0.5
    with pytest.raises(ValueError):
        TokenBucket(0)


def message(n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@hamliem.example.vn", f"r{n}@hamliem.example.vn", f"m{n}"
    msg["Message-ID"] = f"<rate.{n}@banhanh>"
    msg.set_content("x")
    return msg


async def test_the_pool_keeps_the_rate_across_all_its_connections(
    catcher: MailCatcher, tmp_path: Path
) -> None:
    settings = settings_for(catcher.port, tmp_path, smtp_pool_size=4, smtp_rate_limit=20)
    started = time.monotonic()
    async with SmtpPool(settings) as pool:
        await asyncio.gather(*(pool.send(message(n)) for n in range(11)))
    elapsed = time.monotonic() - started
    # 11 messages at 20 per second: the first at once, ten more 50 ms apart, whatever the pool size.
    assert elapsed >= 0.5, elapsed
    assert len(read_index(catcher.mail_dir)) == 11
