"""Turns to finish a message: from the final dot of DATA until the relay's reply is recorded.

SMTP cannot close one window: the relay has kept a message, its reply is not recorded yet.
A sender that dies there sends that message again after a restart. Turns keep the window to
one message at a time:

- ``Baton``: the turn of one SMTP pool, handed from one send straight to the next;
- ``MachineTurn``: the turn of every sender on this machine (the dispatcher and each plan's
  flow run are separate processes), an exclusive ``flock`` on a file in the data directory.
  A pool holding it passes it between its own sends without letting go, but after ``FAIR_S``
  yields it to a process that waits, so no sender waits on another's whole distribution.

So a crash of the whole engine repeats at most one message. Senders on other machines
(work-pool workers) each have their own data directory: at most one per machine.
"""

from __future__ import annotations

import asyncio
import collections
import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

FAIR_S: Final = 0.25  # a pool holding the machine's turn longer than this lets a waiting process have it
_POLL_S: Final = (0.0005, 0.01)  # first and longest wait between tries for a busy machine turn


class MachineTurn:
    """An exclusive lock on ``path`` shared by every process of the machine (``flock``).

    A process waiting for it also holds a shared lock on ``<path>.want`` meanwhile, so the
    holder can tell whether anyone else is waiting before it lets go for fairness. Files are
    opened on first use, so a process forked later opens its own: ``flock`` locks belong to
    the open file, and two opens conflict even within one process.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fds: dict[str, int] = {}
        self._since: float | None = None
        self._yielded = False

    @property
    def held(self) -> bool:
        return self._since is not None

    def _fd(self, suffix: str) -> int:
        if suffix not in self._fds:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fds[suffix] = os.open(f"{self.path}{suffix}", os.O_RDWR | os.O_CREAT, 0o600)
        return self._fds[suffix]

    def _lock(self, suffix: str, how: int) -> bool:
        try:
            fcntl.flock(self._fd(suffix), how | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    async def acquire(self) -> None:
        """Wait for the lock (polled: a thread blocked in ``flock`` could not be cancelled)."""
        wait, longest = _POLL_S
        if self._yielded:  # just let go for the others: give a waiting process its try first
            self._yielded = False
            await asyncio.sleep(2 * longest)
        if not self._lock("", fcntl.LOCK_EX):
            self._lock(".want", fcntl.LOCK_SH)
            try:
                while not self._lock("", fcntl.LOCK_EX):
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, longest)
            finally:
                fcntl.flock(self._fd(".want"), fcntl.LOCK_UN)
        self._since = time.monotonic()

    def should_yield(self) -> bool:
        """Held for more than ``FAIR_S`` while another process waits for it."""
        if self._since is None or time.monotonic() - self._since <= FAIR_S:
            return False
        if self._lock(".want", fcntl.LOCK_EX):  # nobody holds it shared: nobody waits
            fcntl.flock(self._fd(".want"), fcntl.LOCK_UN)
            return False
        return True

    def release(self, yielding: bool = False) -> None:
        if self._since is not None:
            fcntl.flock(self._fd(""), fcntl.LOCK_UN)
        self._since = None
        self._yielded = yielding

    def close(self) -> None:
        self.release()
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()


class _Retake:
    """Handed to a waiter instead of the turn: the machine's turn was let go, take it again."""


_RETAKE: Final = _Retake()


class Baton:
    """A pool's turn to finish a message, handed from one send straight to the next.

    A send that gives the turn back writes the next waiter's final dot itself (``start``),
    so the relay gets it at once instead of after the event loop has run everything else
    that is ready: the turn is the one step of a distribution that no connection overlaps.
    With a ``machine`` turn, the pool holds it whenever one of its sends holds the turn.
    """

    def __init__(self, machine: MachineTurn | None = None) -> None:
        self.machine = machine
        self.busy = False
        self.waiting: collections.deque[tuple[Callable[[], None], asyncio.Future[_Retake | None]]] = (
            collections.deque()
        )

    async def take(self, start: Callable[[], None]) -> None:
        """Return (or raise what ``start`` raised) once the turn is ours; if cancelled waiting: not ours."""
        while True:
            if not self.busy:
                self.busy = True
                if self.machine is not None:
                    try:
                        await self.machine.acquire()
                    except BaseException:  # cancelled before the turn was ours: the next may go
                        self.busy = False
                        self._wake_one()
                        raise
                start()
                return
            handed: asyncio.Future[_Retake | None] = asyncio.get_running_loop().create_future()
            self.waiting.append((start, handed))
            try:
                result = await handed
            except asyncio.CancelledError:
                if handed.done() and not handed.cancelled():  # handed over as we were cancelled: pass it on
                    if handed.exception() is None and handed.result() is _RETAKE:
                        self._wake_one()
                    else:
                        self.give_back()
                raise
            if result is None:
                return

    def give_back(self) -> None:
        if self.machine is not None and self.waiting and self.machine.should_yield():
            # Let another process finish a message; our next waiter takes the turn again.
            self.busy = False
            self.machine.release(yielding=True)
            self._wake_one()
            return
        while self.waiting:
            start, handed = self.waiting.popleft()
            if handed.done():  # its send was cancelled while waiting
                continue
            try:
                start()
            except Exception as exc:  # their connection failed: the turn is theirs to give back
                handed.set_exception(exc)
            else:
                handed.set_result(None)
            return
        self.busy = False
        if self.machine is not None:
            self.machine.release()

    def _wake_one(self) -> None:
        """The turn is free: the first live waiter goes and takes it."""
        while self.waiting:
            _, handed = self.waiting.popleft()
            if not handed.done():
                handed.set_result(_RETAKE)
                return


class Turn:
    """One send's claim on the pool's turn to finish a message (final dot until the reply is recorded)."""

    def __init__(self, baton: Baton) -> None:
        self.baton = baton
        self.held = False

    async def take(self, start: Callable[[], None] = lambda: None) -> None:
        """Wait for the turn; ``start`` runs the moment it is ours (it writes the final dot)."""
        if self.held:
            return
        try:
            await self.baton.take(start)
        except asyncio.CancelledError:
            raise  # the baton was passed on
        except BaseException:
            self.held = True  # ours although starting failed: the send's cleanup gives it back
            raise
        self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self.baton.give_back()
