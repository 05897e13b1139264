"""Resident memory with N idle keep-alive connections: authgate (target: 10,000 within 64 MiB), and nginx
with the same configuration as in the load runs, for reference.

Each connection sends one request through the no-auth route, reads the whole answer and then stays open
and silent, as a browser's pooled connection does. RSS is read from /proc/PID/status before and after.
"""

import asyncio
import resource

from . import servers

_OPENING_AT_ONCE = 256  # stay below the listen backlog while connecting


def raise_fd_limit():
    """Soft RLIMIT_NOFILE up to the hard limit, for us and for every server started after this."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def _read_answer(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        await reader.readuntil(b"0\r\n\r\n")
    else:
        for line in headers.split(b"\r\n"):
            if line.startswith(b"content-length:"):
                await reader.readexactly(int(line.split(b":", 1)[1]))
    return status


async def _open_one(port, path, gate):
    async with gate:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(_read_answer(reader), timeout=30)
        return writer, status


async def _hold(process, path, count, settle_s):
    gate = asyncio.Semaphore(_OPENING_AT_ONCE)
    opened = await asyncio.gather(*(_open_one(process.port, path, gate) for _ in range(count)),
                                  return_exceptions=True)
    held = [o for o in opened if not isinstance(o, BaseException)]
    failures = [repr(o) for o in opened if isinstance(o, BaseException)]
    await asyncio.sleep(settle_s)
    rss = process.rss_kib()
    for writer, _ in held:
        writer.close()
    return {"rss_kib": rss, "open": len(held), "non_200": sum(1 for _, s in held if s != 200),
            "failures": len(failures), "first_failure": failures[0] if failures else ""}


def measure(ctx, server, count, log=print):
    """Starts a fresh server, holds `count` idle connections and reports its RSS (KiB) before/with them."""
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 256  # both ends of every connection need an fd
    if count > limit:
        log(f"  only {limit} connections: RLIMIT_NOFILE is {limit + 256} (raise the hard limit for {count})")
        count = limit
    process = servers.start(ctx, server, f"idle-rss-{server}")
    try:
        baseline = process.rss_kib()
        held = asyncio.run(_hold(process, "/noauth", count, settle_s=1.0))
        result = dict(held, connections=count, baseline_rss_kib=baseline,
                      per_connection_bytes=round((held["rss_kib"] - baseline) * 1024 / max(held["open"], 1)))
        log(f"  {server:9} {baseline / 1024:6.1f} MiB at start, {held['rss_kib'] / 1024:6.1f} MiB with "
            f"{held['open']} of {count} idle keep-alive connections")
        return result
    finally:
        process.stop()
