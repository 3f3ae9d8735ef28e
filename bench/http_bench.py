"""Ack and reply latency of ``qabot serve --http`` beside two Bolt apps, in one run.

Four subprocesses on loopback: qabot; a Bolt app that only acks (the floor for acks); a Bolt app
that acks and posts a fixed reply to the response_url (the floor for replies); and the Web API
stand-in, which takes the response_url posts and notes when each arrived (in its own process it
never competes with this client for the GIL). Signed slash commands go out at concurrency 20,
alternating between the servers in rounds so drift hits all alike; the replies of a round land
before the next round starts. Prints p50/p99 ack latency and reply latency (from sending the
command to its reply reaching the stand-in), their ratios, and whether every reply arrived
exactly once.

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


# The floor for replies: what a Bolt app does to answer at all, acking and then posting a
# fixed text through ``respond`` in Bolt's usual mode (the listener goes on after the ack).
FIXED_REPLY_APP = (
    FLOOR_APP.replace("process_before_response=True", "process_before_response=False")
    .replace(
        """    async def only_ack(ack):
        await ack()""",
        """    async def only_ack(ack, respond):
        await ack()
        await respond(text="A fixed reply.", response_type="in_channel")""",
    )
    .replace("floor: serving", "fixed reply: serving")
)


@dataclass
class Target:
    name: str
    process: asyncio.subprocess.Process
    port: int
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0
    # When each command went out (wall clock, as the stand-in notes arrivals), by response_url.
    sent: dict[str, float] = field(default_factory=dict)

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
            body = queue.popleft()
            raw = form(body)
            headers = signed_headers(raw, "application/x-www-form-urlencoded")
            target.sent[body["response_url"].split("/respond", 1)[1]] = time.time()
            started = time.perf_counter()
            async with session.post(url, data=raw, headers=headers) as resp:
                await resp.read()
                elapsed = time.perf_counter() - started
                if resp.status != 200:
                    raise SystemExit(f"{target.name} answered {resp.status}")
            target.latencies.append(elapsed * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def replies(session: aiohttp.ClientSession, fake_port: int, prefix: str) -> list[dict]:
    """The successful response_url posts under ``prefix``, with when each arrived."""
    async with session.get(f"http://127.0.0.1:{fake_port}/_calls") as resp:
        calls = await resp.json()
    return [
        c
        for c in calls
        if c["method"] == RESPONSE_URL and c["status"] == 200 and c["path"].startswith(prefix)
    ]


async def delivered(
    session: aiohttp.ClientSession, fake_port: int, prefix: str
) -> collections.Counter[str]:
    """How many times each response_url under ``prefix`` was posted to successfully."""
    return collections.Counter(c["path"] for c in await replies(session, fake_port, prefix))


def reply_latencies(target: Target, calls: list[dict]) -> list[float]:
    """Milliseconds from sending each command to its first reply reaching the stand-in."""
    first: dict[str, float] = {}
    for call in calls:
        path = call["path"].split("/respond", 1)[1]
        first[path] = min(first.get(path, call["at"]), call["at"])
    return [(at - target.sent[path]) * 1000 for path, at in first.items() if path in target.sent]


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
    fixed_cmd = [sys.executable, "-c", FIXED_REPLY_APP]
    fixed = await spawn("bolt fixed reply", fixed_cmd, env, workdir / "fixed.log")
    targets = (qabot, floor, fixed)
    tags = {qabot.name: "q", floor.name: "f", fixed.name: "x"}

    respond = f"http://127.0.0.1:{fake.port}/respond/"
    per_round = max(1, requests // rounds)
    sent = per_round * rounds
    prefix = "/respond/q-"
    try:
        connector = aiohttp.TCPConnector(limit=concurrency * 2)
        async with aiohttp.ClientSession(connector=connector) as session:
            # Warm-up: first-request costs (auth.test, new connections) are not the steady state.
            for target in targets:
                warm = [command_body("Q1", f"{respond}w{target.port}-{i}") for i in range(20)]
                await fire(session, target, warm, concurrency)
                target.latencies.clear()
            await until_delivered(session, fake.port, f"/respond/w{qabot.port}-", 20)
            for r in range(rounds):
                for target in targets[r % 3 :] + targets[: r % 3]:
                    tag = tags[target.name]
                    bodies = [
                        command_body(
                            QUESTIONS[(r * per_round + i) % len(QUESTIONS)],
                            f"{respond}{tag}-{r}-{i}",
                        )
                        for i in range(per_round)
                    ]
                    cpu_before = target.cpu_now()
                    await fire(session, target, bodies, concurrency)
                    if target is not floor:
                        mine = f"/respond/{tag}-"
                        await until_delivered(session, fake.port, mine, per_round * (r + 1))
                    target.cpu_seconds += target.cpu_now() - cpu_before
            # SIGTERM drains the replies in flight; once qabot has exited, every reply is in.
            qabot.process.terminate()
            async with asyncio.timeout(60):
                exit_code = await qabot.process.wait()
            counts = await delivered(session, fake.port, prefix)
            qabot_replies = reply_latencies(qabot, await replies(session, fake.port, prefix))
            fixed_replies = reply_latencies(fixed, await replies(session, fake.port, "/respond/x-"))
    finally:
        for target in (*targets, fake):
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
    r50, r99 = percentile(qabot_replies, 50), percentile(qabot_replies, 99)
    x50, x99 = percentile(fixed_replies, 50), percentile(fixed_replies, 99)
    print("reply latency, from sending the command to its reply reaching Slack:")
    print(f"{qabot.name:24}{r50:>8.2f}ms{r99:>8.2f}ms")
    print(f"{fixed.name:24}{x50:>8.2f}ms{x99:>8.2f}ms")
    print(f"{'ratio qabot/fixed':24}{r50 / x50:>9.2f}x{r99 / x99:>9.2f}x")
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
        f"p99 within 1.5x of the floor: {'met' if q99 <= 1.5 * f99 else 'NOT met'}; "
        f"reply p99 within 3x of the fixed reply: {'met' if r99 <= 3 * x99 else 'NOT met'}"
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
