"""A fast SMTP sink for the delivery benchmark: accepts every message, counts it, discards it.

A raw asyncio protocol (no aiosmtpd, no parsing beyond command lines and the end of DATA),
run as its own process so it does not share the benchmark's interpreter. It prints its port
on start; each line ``count`` on its stdin is answered with the number of messages kept.

    python -m bench.sink
"""

from __future__ import annotations

import asyncio
import sys

_END = b"\r\n.\r\n"


class SinkProtocol(asyncio.Protocol):
    kept = 0

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        replies: list[bytes] = []
        while True:
            if self.in_data:
                end = self.buffer.find(_END)
                if end < 0:
                    self.buffer = self.buffer[-4:]  # the end marker may straddle two reads
                    break
                self.buffer = self.buffer[end + len(_END) :]
                self.in_data = False
                SinkProtocol.kept += 1
                replies.append(b"250 2.0.0 kept\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                break
            line, self.buffer = self.buffer[:line_end], self.buffer[line_end + 2 :]
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                replies.append(b"250-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.buffer = b"\r\n" + self.buffer  # the end marker's leading CRLF may be the first bytes
                replies.append(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                replies.append(b"221 bye\r\n")
                self.transport.write(b"".join(replies))
                self.transport.close()
                return
            else:  # MAIL, RCPT, RSET, NOOP
                replies.append(b"250 OK\r\n")
        if replies:
            self.transport.write(b"".join(replies))


async def main() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(SinkProtocol, "127.0.0.1", 0, backlog=256)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        if line.strip() == b"count":
            print(SinkProtocol.kept, flush=True)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
