"""The asyncio network streams under httpcore: reads, ends, timeouts, idle-connection checks."""

from __future__ import annotations

import asyncio

import httpcore
import pytest

from corpuslint.links import streams


async def _serve(handler):  # type: ignore[no-untyped-def]
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_a_read_returns_what_the_server_wrote_and_then_the_end() -> None:
    async def main() -> list[bytes]:
        async def handler(reader, writer):  # type: ignore[no-untyped-def]
            writer.write(b"hello")
            await writer.drain()
            writer.close()

        server, port = await _serve(handler)
        async with server:
            stream = await streams.connect("127.0.0.1", port, 5.0)
            chunks = [await stream.read(3, 5.0)]
            while chunk := await stream.read(100, 5.0):
                chunks.append(chunk)
            await stream.aclose()
            return chunks

    assert b"".join(asyncio.run(main())) == b"hello"


def test_a_silent_server_gives_a_read_timeout() -> None:
    async def main() -> None:
        async def handler(reader, writer):  # type: ignore[no-untyped-def]
            await reader.read(1)  # never answers

        server, port = await _serve(handler)
        async with server:
            stream = await streams.connect("127.0.0.1", port, 5.0)
            try:
                with pytest.raises(httpcore.ReadTimeout):
                    await stream.read(100, 0.05)
            finally:
                await stream.aclose()

    asyncio.run(main())


def test_an_idle_connection_the_server_closed_is_readable() -> None:
    async def main() -> tuple[bool, bool]:
        closed = asyncio.Event()

        async def handler(reader, writer):  # type: ignore[no-untyped-def]
            await closed.wait()
            writer.close()

        server, port = await _serve(handler)
        async with server:
            stream = await streams.connect("127.0.0.1", port, 5.0)
            before = stream.get_extra_info("is_readable")
            closed.set()
            for _ in range(200):  # bounded: at most 2 s
                if stream.get_extra_info("is_readable"):
                    break
                await asyncio.sleep(0.01)
            after = stream.get_extra_info("is_readable")
            await stream.aclose()
            return before, after

    assert asyncio.run(main()) == (False, True)


def test_a_refused_connection_is_a_connect_error() -> None:
    async def main() -> None:
        server, port = await _serve(lambda reader, writer: None)
        server.close()
        await server.wait_closed()
        with pytest.raises(httpcore.ConnectError):
            await streams.connect("127.0.0.1", port, 5.0)

    asyncio.run(main())


def test_a_write_after_the_connection_closed_is_a_write_error() -> None:
    async def main() -> None:
        async def handler(reader, writer):  # type: ignore[no-untyped-def]
            writer.close()

        server, port = await _serve(handler)
        async with server:
            stream = await streams.connect("127.0.0.1", port, 5.0)
            assert await stream.read(100, 5.0) == b""
            with pytest.raises(httpcore.WriteError):
                await stream.write(b"GET / HTTP/1.1\r\n\r\n", 5.0)

    asyncio.run(main())


def test_a_server_sending_faster_than_the_reader_fills_a_bounded_buffer() -> None:
    async def main() -> tuple[int, int]:
        async def handler(reader, writer):  # type: ignore[no-untyped-def]
            for _ in range(128):  # 8 MiB, as fast as the socket takes it
                writer.write(b"x" * 65536)
                await writer.drain()
            writer.close()

        server, port = await _serve(handler)
        async with server:
            stream = await streams.connect("127.0.0.1", port, 5.0)
            await asyncio.sleep(0.5)  # the reader is busy elsewhere
            buffered = len(stream._buffer.data)  # noqa: SLF001 - the bound is the point
            total = 0
            for _ in range(1000):  # bounded: 8 MiB in 64 KiB reads is 128
                chunk = await stream.read(65536, 5.0)
                if not chunk:
                    break
                total += len(chunk)
            await stream.aclose()
            return buffered, total

    buffered, total = asyncio.run(main())
    assert buffered < 4 * streams.HIGH_WATER
    assert total == 128 * 65536
