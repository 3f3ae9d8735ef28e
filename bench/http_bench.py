"""Ack latency of ``qabot serve --http`` beside a Bolt app that only acks, in one run.

Three subprocesses on loopback: qabot, the ack-only floor, and the Web API stand-in (which also
takes the response_url posts; in its own process it never competes with this client for the
GIL). Signed slash commands go out at concurrency 20, alternating between the two servers in
rounds so drift hits both alike; qabot's replies of a round land before the next round starts.
Prints p50/p99 ack latency, their ratio, and whether every reply arrived exactly once.

    .venv/bin/python bench/http_bench.py [--requests 1000] [--concurrency 20] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import RESPONSE_URL  # noqa: E402
from tests.slack.slack_requests import (  # noqa: E402
    SIGNING_SECRET,
    command_body,
    form,
    signed_headers,
)

MAX_REQUESTS = 5000
QUESTIONS = [
    "is PEP still in effect?",
    "Q7",
    "who is a priority for removal now?",
    "what happens to DACA recipients",
    "are 287(g) agreements being expanded?",
    "14",
    "what about children who came alone",
    "will ICE hire more officers",
]

# The floor: the same stack (aiohttp, Bolt's adapter, the signature check) with a listener that
# only acks. It runs its listener inline as qabot does, so neither pays Bolt's ack polling.
FLOOR_APP = """
import asyncio, os
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

async def serve():
    token, base_url = os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"]
    app = AsyncApp(client=AsyncWebClient(token=token, base_url=base_url),
                   signing_secret=os.environ["SLACK_SIGNING_SECRET"],
                   process_before_response=True)

    @app.command("/qa")
    async def only_ack(ack):
        await ack()

    async def events(request):
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"floor: serving (port {runner.addresses[0][1]})", flush=True)
    await asyncio.Event().wait()

asyncio.run(serve())
"""


@dataclass
class Target:
    name: str
    process: asyncio.subprocess.Process
    port: int
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0

    def cpu_now(self) -> float:
        """CPU time used by the process so far (Linux /proc; 0 where it is unavailable)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def spawn(
    name: str, args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None
) -> Target:
    """Start a server and read the port from the line it prints once it is serving."""
    process = await asyncio.create_subprocess_exec(
        *args,
        env=env,
        cwd=cwd or log.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=log.open("wb"),
    )
    assert process.stdout is not None
    async with asyncio.timeout(30):
        line = (await process.stdout.readline()).decode()
    if "serving" not in line:
        raise SystemExit(f"{name} did not start: {line!r}; see {log}")
    return Target(name, process, int(line.rsplit("port ", 1)[1].split(")")[0]))


async def fire(
    session: aiohttp.ClientSession, target: Target, bodies: list[dict], concurrency: int
) -> None:
    """Send signed slash commands from ``concurrency`` workers; record each ack's latency."""
    queue = collections.deque(bodies)
    url = f"http://127.0.0.1:{target.port}/slack/events"

    async def worker() -> None:
        while queue:
            raw = form(queue.popleft())
            headers = signed_headers(raw, "application/x-www-form-urlencoded")
            started = time.perf_counter()
            async with session.post(url, data=raw, headers=headers) as resp:
                await resp.read()
                elapsed = time.perf_counter() - started
                if resp.status != 200:
                    raise SystemExit(f"{target.name} answered {resp.status}")
            target.latencies.append(elapsed * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def delivered(
    session: aiohttp.ClientSession, fake_port: int, prefix: str
) -> collections.Counter[str]:
    """How many times each response_url under ``prefix`` was posted to successfully."""
    async with session.get(f"http://127.0.0.1:{fake_port}/_calls") as resp:
        calls = await resp.json()
    return collections.Counter(
        c["path"]
        for c in calls
        if c["method"] == RESPONSE_URL and c["status"] == 200 and c["path"].startswith(prefix)
    )


async def until_delivered(
    session: aiohttp.ClientSession, fake_port: int, prefix: str, count: int
) -> None:
    # The stand-in is another process: polling its record is the signal there is.
    async with asyncio.timeout(60):
        while len(await delivered(session, fake_port, prefix)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def run(requests: int, concurrency: int, rounds: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="qabot-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "SLACK_APP_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    fake_cmd = [sys.executable, "-m", "tests.fakes.slack_api"]
    fake = await spawn("Slack API stand-in", fake_cmd, env, workdir / "fake.log", cwd=ROOT)
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{fake.port}/api/",
        "QABOT_CONTENT": str(ROOT / "content" / "qa.yaml"),
        "QABOT_DATABASE_URL": f"sqlite:///{workdir / 'state.sqlite3'}",
    }
    qabot_cmd = [sys.executable, "-m", "bot", "serve", "--http", "--port", "0"]
    qabot = await spawn("qabot serve --http", qabot_cmd, env, workdir / "qabot.log")
    floor_cmd = [sys.executable, "-c", FLOOR_APP]
    floor = await spawn("bolt ack-only floor", floor_cmd, env, workdir / "floor.log")

    respond = f"http://127.0.0.1:{fake.port}/respond/"
    per_round = max(1, requests // rounds)
    sent = per_round * rounds
    prefix = "/respond/q-"
    try:
        connector = aiohttp.TCPConnector(limit=concurrency * 2)
        async with aiohttp.ClientSession(connector=connector) as session:
            # Warm-up: first-request costs (auth.test, new connections) are not the steady state.
            for target in (qabot, floor):
                warm = [command_body("Q1", f"{respond}w{target.port}-{i}") for i in range(20)]
                await fire(session, target, warm, concurrency)
                target.latencies.clear()
            await until_delivered(session, fake.port, f"/respond/w{qabot.port}-", 20)
            for r in range(rounds):
                for target in (qabot, floor) if r % 2 == 0 else (floor, qabot):
                    tag = "q" if target is qabot else "f"
                    bodies = [
                        command_body(
                            QUESTIONS[(r * per_round + i) % len(QUESTIONS)],
                            f"{respond}{tag}-{r}-{i}",
                        )
                        for i in range(per_round)
                    ]
                    cpu_before = target.cpu_now()
                    await fire(session, target, bodies, concurrency)
                    if target is qabot:
                        await until_delivered(session, fake.port, prefix, per_round * (r + 1))
                    target.cpu_seconds += target.cpu_now() - cpu_before
            # SIGTERM drains the replies in flight; once qabot has exited, every reply is in.
            qabot.process.terminate()
            async with asyncio.timeout(60):
                exit_code = await qabot.process.wait()
            counts = await delivered(session, fake.port, prefix)
    finally:
        for target in (qabot, floor, fake):
            if target.process.returncode is None:
                target.process.kill()
                await target.process.wait()

    once = sum(1 for n in counts.values() if n == 1)
    doubled = sum(1 for n in counts.values() if n > 1)
    q50, q99 = percentile(qabot.latencies, 50), percentile(qabot.latencies, 99)
    f50, f99 = percentile(floor.latencies, 50), percentile(floor.latencies, 99)
    print(f"HTTP ack latency, {sent} signed slash commands per server, concurrency {concurrency}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"(machine: {os.cpu_count()} CPUs, load average {load}; other load widens the p99s)")
    print(f"{'':24}{'p50':>10}{'p99':>10}")
    print(f"{qabot.name:24}{q50:>8.2f}ms{q99:>8.2f}ms")
    print(f"{floor.name:24}{f50:>8.2f}ms{f99:>8.2f}ms")
    print(f"{'ratio qabot/floor':24}{q50 / f50:>9.2f}x{q99 / f99:>9.2f}x")
    if qabot.cpu_seconds and floor.cpu_seconds:
        q_cpu, f_cpu = qabot.cpu_seconds * 1000 / sent, floor.cpu_seconds * 1000 / sent
        print(
            f"server CPU per request: qabot {q_cpu:.2f} ms (ack and reply), "
            f"floor {f_cpu:.2f} ms (ack only), ratio {q_cpu / f_cpu:.2f}x"
        )
    print(
        f"replies delivered: {once}/{sent} exactly once, {sent - len(counts)} missing, "
        f"{doubled} doubled (qabot exit code after SIGTERM: {exit_code})"
    )
    print(
        f"goals: ack p99 < 100 ms: {'met' if q99 < 100 else 'NOT met'}; "
        f"p99 within 1.5x of the floor: {'met' if q99 <= 1.5 * f99 else 'NOT met'}"
    )
    return 0 if once == sent and exit_code == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per server (default 1000)")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    requests = max(1, min(args.requests, MAX_REQUESTS))
    return asyncio.run(run(requests, max(1, args.concurrency), max(1, args.rounds)))


if __name__ == "__main__":
    sys.exit(main())
