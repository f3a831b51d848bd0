"""The relay's rate limit: a token bucket shared by every connection of the SMTP pool.

``TokenBucket.reserve`` is the whole rule, on a clock the caller can replace: each message
takes one token, tokens come back at ``rate`` per second up to ``burst``, and a message that
finds none is told how long to wait. Waiting senders queue up in the debt (the next one
waits one more interval), so concurrent sends still keep the rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(self, rate: float, burst: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst)
        self.clock = clock
        self.tokens = self.burst
        self.updated = clock()

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it (0: at once)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def wait(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
