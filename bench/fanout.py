"""Chat fan-out benchmark: meetings_hub's /chat against a bare python-socketio broadcast server.

Each server runs pinned to core 0 (``taskset -c 0``); this process pins itself to core 1 and is an
open-loop load generator speaking Engine.IO v4 / Socket.IO v5 over raw aiohttp websockets
(bench/rawsio.py). Rooms of ``--room-size`` sockets; every socket of a room is a sender in turn;
the total message rate rises step by step. Per step: deliveries/s, p50/p99 latency (from the
moment each message was *due*, so a generator that falls behind cannot hide server delay), and
loss (deliveries missing after a drain period). A step passes with p99 ≤ ``--p99-limit-ms``, zero
loss, no duplicates and every ack ``ok``. The headline is the highest passing rate of each server
and their ratio. ``--idle-clients`` also measures server memory per idle connected socket, with
websocket compression off and on.

    .venv/bin/python bench/fanout.py                  # full run, see bench/README.md
    .venv/bin/python bench/fanout.py --quick          # a few seconds, checks the tooling
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from array import array
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import aiohttp
import rawsio
import targets

RESULTS = targets.BENCH / "results"
DEFAULT_RATES = (100, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2500, 3000, 3500, 4000)
TEXT = "Dzień dobry, to wiadomość testowa numer {} — żółw idzie do biblioteki."
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- measuring the processes -------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def runqueue_wait_seconds(pid: int) -> float:
    """Time the main thread was ready to run but waited for a CPU (other processes' load)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Sender:
    sock: rawsio.RawSocket
    room_id: int
    room_size: int


@dataclass
class StepResult:
    rate: int
    seconds: float
    sent: int
    due: int
    acks_ok: int
    ack_errors: dict[str, int]
    expected: int
    delivered: int
    duplicates: int
    missing: int  # deliveries not there when the drain period ended (late or lost)
    deliveries_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    ack_p50_ms: float
    ack_p99_ms: float
    send_lag_max_ms: float
    wall_s: float  # sending plus draining: the period the CPU figures cover
    server_cpu: float
    server_waiting: float
    server_us_per_delivery: float
    generator_cpu: float
    disconnected: int
    loadavg: list[float]
    passed: bool = False
    note: str = ""
    lost: int = -1  # never delivered, counted after the ramp's final drain (-1: not counted)


class Load:
    """All sockets of one run, the messages in flight, and what arrived when."""

    def __init__(self, running: targets.Running, *, compress: bool) -> None:
        self.running = running
        self.compress = compress
        self.sockets: list[list[rawsio.RawSocket]] = []
        self.room_ids: list[int] = []
        self.sent_at = array("d")  # intended send time of message i
        self.counts = array("H")  # deliveries of message i
        self.step_of = array("H")
        self.room_size_of = array("H")
        self.latencies: list[list[float]] = []
        self.ack_latencies: list[list[float]] = []
        self.ack_ok: list[int] = []
        self.ack_errors: list[dict[str, int]] = []
        self.session: aiohttp.ClientSession | None = None
        self.ranges: list[range] = []  # the message indices of each step

    async def open(self, seats: list[list[targets.Seat]], batch: int = 50) -> None:
        connector = aiohttp.TCPConnector(limit=0)
        self.session = aiohttp.ClientSession(connector=connector)
        pending: list[tuple[int, targets.Seat]] = [
            (r, seat) for r, room in enumerate(seats) for seat in room
        ]
        self.sockets = [[] for _ in seats]
        self.room_ids = [room[0].room_id for room in seats]
        for start in range(0, len(pending), batch):
            chunk = pending[start : start + batch]
            made = await asyncio.gather(*(self._connect(seat) for _, seat in chunk))
            for (r, _), sock in zip(chunk, made, strict=True):
                self.sockets[r].append(sock)

    async def _connect(self, seat: targets.Seat) -> rawsio.RawSocket:
        assert self.session is not None
        sock = rawsio.RawSocket(
            self.session,
            self.running.url,
            cookie=seat.cookie,
            compress=self.compress,
            on_message=self._delivered,
        )
        await sock.connect()
        ack = await sock.call("join", {"room_id": seat.room_id})
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise RuntimeError(f"join room {seat.room_id} refused: {ack!r}")
        return sock

    async def close(self) -> None:
        for room in self.sockets:
            await asyncio.gather(*(sock.close() for sock in room))
        if self.session is not None:
            await self.session.close()

    def all_sockets(self) -> list[rawsio.RawSocket]:
        return [sock for room in self.sockets for sock in room]

    def _delivered(self, client_msg_id: str) -> None:
        now = time.perf_counter()
        try:
            i = int(client_msg_id)
        except ValueError:
            return
        self.counts[i] += 1
        self.latencies[self.step_of[i]].append(now - self.sent_at[i])

    async def step(self, rate: int, seconds: float, *, drain: float, server_pid: int) -> StepResult:
        step_no = len(self.latencies)
        self.latencies.append([])
        self.ack_latencies.append([])
        self.ack_ok.append(0)
        self.ack_errors.append({})
        # Consecutive messages go to different rooms, and each socket of a room sends in turn.
        senders = [
            Sender(room[m], self.room_ids[r], len(room))
            for m in range(max(map(len, self.sockets)))
            for r, room in enumerate(self.sockets)
            if m < len(room)
        ]
        total = max(1, int(rate * seconds))
        first = len(self.sent_at)
        cpu_server0, cpu_self0 = cpu_seconds(server_pid), own_cpu_seconds()
        waiting0 = runqueue_wait_seconds(server_pid)
        wall0 = time.perf_counter()
        start = wall0 + 0.05
        lag_max = 0.0
        sent = 0
        while sent < total:
            now = time.perf_counter()
            due = min(total, int((now - start) * rate) + 1) if now >= start else 0
            while sent < due:
                i = first + sent
                intended = start + sent / rate
                sender = senders[sent % len(senders)]
                self.sent_at.append(intended)
                self.counts.append(0)
                self.step_of.append(step_no)
                self.room_size_of.append(sender.room_size)
                payload = {
                    "room_id": sender.room_id,
                    "client_msg_id": str(i),
                    "text": TEXT.format(i),
                }
                await sender.sock.emit("send", payload, self._ack_callback(step_no, intended))
                lag_max = max(lag_max, time.perf_counter() - intended)
                sent += 1
            if sent < total:
                await asyncio.sleep(max(0.0, start + sent / rate - time.perf_counter()))
        send_end = time.perf_counter()
        self.ranges.append(range(first, first + sent))
        expected = sum(self.room_size_of[i] - 1 for i in range(first, first + sent))
        deadline = send_end + drain
        while time.perf_counter() < deadline:
            got = sum(
                min(c, s - 1)
                for c, s in zip(self.counts[first:], self.room_size_of[first:], strict=True)
            )
            acks = self.ack_ok[step_no] + sum(self.ack_errors[step_no].values())
            if got >= expected and acks >= sent:
                break
            await asyncio.sleep(0.05)
        wall = time.perf_counter() - wall0
        server_cpu_s = cpu_seconds(server_pid) - cpu_server0
        waiting = (runqueue_wait_seconds(server_pid) - waiting0) / wall
        generator_cpu = (own_cpu_seconds() - cpu_self0) / wall
        counts = self.counts[first:]
        sizes = self.room_size_of[first:]
        delivered = sum(min(c, s - 1) for c, s in zip(counts, sizes, strict=True))
        duplicates = sum(max(0, c - (s - 1)) for c, s in zip(counts, sizes, strict=True))
        lat = sorted(self.latencies[step_no])
        ack_lat = sorted(self.ack_latencies[step_no])
        sending = max(send_end - start, 1e-3)
        disconnected = sum(1 for sock in self.all_sockets() if sock.closed_by_server)
        return StepResult(
            rate=rate,
            seconds=seconds,
            sent=sent,
            due=total,
            acks_ok=self.ack_ok[step_no],
            ack_errors=dict(self.ack_errors[step_no]),
            expected=expected,
            delivered=delivered,
            duplicates=duplicates,
            missing=expected - delivered,
            deliveries_per_s=round(delivered / sending, 1),
            p50_ms=round(percentile(lat, 0.50) * 1000, 2),
            p99_ms=round(percentile(lat, 0.99) * 1000, 2),
            max_ms=round((lat[-1] if lat else float("nan")) * 1000, 2),
            ack_p50_ms=round(percentile(ack_lat, 0.50) * 1000, 2),
            ack_p99_ms=round(percentile(ack_lat, 0.99) * 1000, 2),
            send_lag_max_ms=round(lag_max * 1000, 2),
            wall_s=round(wall, 3),
            server_cpu=round(server_cpu_s / wall, 3),
            server_waiting=round(waiting, 3),
            server_us_per_delivery=round(server_cpu_s / max(delivered, 1) * 1e6, 1),
            generator_cpu=round(generator_cpu, 3),
            disconnected=disconnected,
            loadavg=loadavg(),
        )

    def delivered_so_far(self, step_no: int) -> tuple[int, int]:
        """(deliveries expected, deliveries arrived) for one step's messages, until now."""
        span = self.ranges[step_no]
        sizes = self.room_size_of[span.start : span.stop]
        counts = self.counts[span.start : span.stop]
        expected = sum(s - 1 for s in sizes)
        return expected, sum(min(c, s - 1) for c, s in zip(counts, sizes, strict=True))

    async def settle(self, seconds: float) -> None:
        """Waits until every step's deliveries are in, or the time is up."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            if all(e == d for e, d in map(self.delivered_so_far, range(len(self.ranges)))):
                return
            await asyncio.sleep(0.2)

    def _ack_callback(self, step_no: int, intended: float):  # type: ignore[no-untyped-def]
        def on_ack(value: Any) -> None:
            self.ack_latencies[step_no].append(time.perf_counter() - intended)
            if isinstance(value, dict) and value.get("ok"):
                self.ack_ok[step_no] += 1
            else:
                error = value.get("error", {}) if isinstance(value, dict) else {}
                code = str(error.get("code", "malformed")) if isinstance(error, dict) else "?"
                self.ack_errors[step_no][code] = self.ack_errors[step_no].get(code, 0) + 1

        return on_ack


# --- runs --------------------------------------------------------------------------------------


@dataclass
class RampRun:
    target: str
    repeat: int
    compression: bool
    rooms: int
    room_size: int
    steps: list[StepResult] = field(default_factory=list)
    max_pass_rate: int = 0
    error: str = ""


async def start_target(name: str, args: argparse.Namespace, *, compression: bool, port: int):  # type: ignore[no-untyped-def]
    log = args.out.with_suffix(f".{name}.log")
    if name == "meetings_hub":
        running = targets.launch_hub(
            port, core=args.server_core, compression=compression, extra_env=args.hub_env, log=log
        )
    else:
        running = targets.launch_baseline(
            port, core=args.server_core, compression=compression, log=log
        )
    await targets.wait_ready(running)
    return running


async def prepare_seats(running: targets.Running, rooms: int, room_size: int) -> None:
    if running.name == "meetings_hub":
        await targets.hub_seats(running, rooms, room_size)
    else:
        await targets.baseline_seats(running, rooms, room_size)


def judge(step: StepResult, limit_ms: float) -> None:
    problems = []
    if step.sent < step.due:
        problems.append("generator fell behind")
    if step.missing:
        problems.append(f"{step.missing} missing after the drain")
    if step.duplicates:
        problems.append(f"{step.duplicates} duplicates")
    if step.ack_errors or step.acks_ok < step.sent:
        problems.append(f"acks ok {step.acks_ok}/{step.sent} {step.ack_errors or ''}".strip())
    if not step.p99_ms <= limit_ms:
        problems.append(f"p99 {step.p99_ms} ms")
    if step.disconnected:
        problems.append(f"{step.disconnected} sockets disconnected")
    if step.generator_cpu > 0.9:
        problems.append("generator near 100% CPU: figure may be the generator's")
    step.passed = not [p for p in problems if not p.startswith("generator near")]
    step.note = "; ".join(problems)


def start_profiler(
    args: argparse.Namespace, running: targets.Running, rate: int, repeat: int
) -> subprocess.Popen[bytes] | None:
    """py-spy samples the server during one step (folded stacks, one file per step)."""
    if not args.profile:
        return None
    out = args.out.with_suffix(f".{running.name}.r{repeat}.{rate}.folded")
    command = ["py-spy", "record", "-p", str(running.pid), "-d", str(int(args.step_seconds))]
    command += ["-r", "100", "-f", "raw", "-o", str(out)]
    py_spy = Path(sys.executable).parent / "py-spy"
    if py_spy.exists():
        command[0] = str(py_spy)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def ramp(name: str, repeat: int, args: argparse.Namespace) -> RampRun:
    run = RampRun(name, repeat, args.ramp_compression, args.rooms, args.room_size)
    port = args.port + (0 if name == "meetings_hub" else 1)
    running = await start_target(name, args, compression=args.ramp_compression, port=port)
    load = Load(running, compress=args.ramp_compression)
    try:
        await prepare_seats(running, args.rooms, args.room_size)
        await load.open(running.seats)
        if args.warmup:
            await load.step(args.warmup, 2.0, drain=args.drain, server_pid=running.pid)
        failures = 0
        for rate in args.rates:
            profiler = start_profiler(args, running, rate, repeat)
            step = await load.step(
                rate, args.step_seconds, drain=args.drain, server_pid=running.pid
            )
            if profiler is not None:
                profiler.wait(timeout=30)
            judge(step, args.p99_limit_ms)
            run.steps.append(step)
            print(f"  {name:<12} #{repeat} {format_step(step)}", flush=True)
            if step.passed:
                run.max_pass_rate = max(run.max_pass_rate, rate)
                failures = 0
            else:
                failures += 1
                # Past loss, or far past the limit, a higher rate only measures the backlog.
                if step.missing or failures >= args.stop_after or step.p99_ms > args.give_up_ms:
                    break
            await asyncio.sleep(args.pause)
        # Late is not lost: wait for stragglers, then count what never came.
        await load.settle(args.final_drain)
        offset = 1 if args.warmup else 0
        for n, step in enumerate(run.steps):
            expected, arrived = load.delivered_so_far(n + offset)
            step.lost = expected - arrived
            if step.lost:
                step.note += f"; {step.lost} never delivered"
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"
        print(f"  {name} #{repeat} failed: {run.error}", flush=True)
    finally:
        await load.close()
        targets.stop(running)
    return run


@dataclass
class IdleRun:
    target: str
    repeat: int
    compression: bool
    clients: int
    negotiated: int
    rss_before_kib: int
    rss_after_kib: int
    per_connection_kib: float
    error: str = ""


async def idle_memory(
    name: str, repeat: int, compression: bool, args: argparse.Namespace
) -> IdleRun:
    result = IdleRun(name, repeat, compression, args.idle_clients, 0, 0, 0, 0.0)
    port = args.port + (2 if name == "meetings_hub" else 3)
    running = await start_target(name, args, compression=compression, port=port)
    warm = Load(running, compress=compression)
    load = Load(running, compress=compression)
    try:
        rooms = -(-args.idle_clients // args.room_size) + 1
        await prepare_seats(running, rooms, args.room_size)
        # One room's sockets first, so lazily imported code and caches are in place.
        await warm.open(running.seats[:1])
        await asyncio.sleep(args.settle)
        result.rss_before_kib = rss_kib(running.pid)
        seats = [seat for room in running.seats[1:] for seat in room][: args.idle_clients]
        await load.open([seats])
        await asyncio.sleep(args.settle)
        result.rss_after_kib = rss_kib(running.pid)
        sockets = load.all_sockets()
        result.negotiated = sum(1 for sock in sockets if sock.compression)
        result.per_connection_kib = round(
            (result.rss_after_kib - result.rss_before_kib) / len(sockets), 1
        )
        print(
            f"  {name:<12} #{repeat} idle {len(sockets)} sockets, compression "
            f"{'on' if compression else 'off'} (negotiated by {result.negotiated}): "
            f"{result.per_connection_kib} KiB per connection",
            flush=True,
        )
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        print(f"  {name} idle #{repeat} failed: {result.error}", flush=True)
    finally:
        await load.close()
        await warm.close()
        targets.stop(running)
    return result


# --- reporting ---------------------------------------------------------------------------------


def format_step(s: StepResult) -> str:
    verdict = "pass" if s.passed else "FAIL"
    return (
        f"{s.rate:>5} msg/s  {s.deliveries_per_s:>8.0f} deliv/s  p50 {s.p50_ms:>7.1f}  "
        f"p99 {s.p99_ms:>7.1f} ms  missing {s.missing:<5} srv {s.server_cpu:>4.0%} "
        f"(waited {s.server_waiting:>4.0%}, {s.server_us_per_delivery:>5.1f} us/deliv) "
        f"gen {s.generator_cpu:>4.0%}  {verdict} {s.note}"
    )


def spread(values: list[float]) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:g}"
    return f"{statistics.median(values):g} (min {min(values):g}, max {max(values):g})"


def project(steps: list[StepResult]) -> dict[str, float]:
    """Server CPU share against deliveries/s, fitted by least squares over every step that kept
    up: the slope is the marginal CPU cost of one delivery, the intercept the cost of keeping
    the sockets open. Both barely depend on how long the server waited for a CPU, so the
    projection — what one whole core would carry — holds on a busy machine where the latency
    criterion cannot be met by either server."""
    points = [
        (s.delivered / s.wall_s, s.server_cpu, s.expected // max(s.sent, 1))
        for s in steps
        if not s.missing and s.sent
    ]
    if len({x for x, _, _ in points}) < 2:
        return {}
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    if slope <= 0:
        return {}
    fan = statistics.median(p[2] for p in points)
    deliveries = (1 - intercept) / slope
    return {
        "points": len(points),
        "us_per_delivery": round(slope * 1e6, 1),
        "idle_core_share": round(intercept, 3),
        "deliveries_per_s_per_core": round(deliveries),
        "msgs_per_s_per_core": round(deliveries / fan),
    }


def summarise(ramps: list[RampRun], idles: list[IdleRun]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    names = sorted({r.target for r in ramps} | {i.target for i in idles})
    for name in names:
        rates = [r.max_pass_rate for r in ramps if r.target == name and not r.error]
        summary[name] = {"max_pass_rates": rates}
        for on in (False, True):
            per = [
                i.per_connection_kib
                for i in idles
                if i.target == name and i.compression is on and not i.error
            ]
            summary[name][f"idle_kib_compression_{'on' if on else 'off'}"] = per
    hub = {r.repeat: r.max_pass_rate for r in ramps if r.target == "meetings_hub" and not r.error}
    bare = {r.repeat: r.max_pass_rate for r in ramps if r.target == "baseline" and not r.error}
    ratios = [round(hub[k] / bare[k], 3) for k in sorted(hub) if bare.get(k)]
    summary["ratios"] = ratios
    if ratios:
        summary["ratio_median"] = statistics.median(ratios)
    # Server CPU per delivery barely depends on how long the server waited for the CPU, so it
    # compares the two servers even when other work on the machine spoils the latencies.
    cost: dict[str, dict[int, float]] = {}
    for name in names:
        per_rate: dict[int, list[float]] = {}
        for run in ramps:
            if run.target == name:
                for step in run.steps:
                    if not step.missing:
                        per_rate.setdefault(step.rate, []).append(step.server_us_per_delivery)
        cost[name] = {rate: statistics.median(v) for rate, v in sorted(per_rate.items())}
    summary["server_us_per_delivery"] = cost
    summary["projection"] = {
        name: project([step for run in ramps if run.target == name for step in run.steps])
        for name in names
    }
    hub_cap = summary["projection"].get("meetings_hub", {}).get("msgs_per_s_per_core")
    bare_cap = summary["projection"].get("baseline", {}).get("msgs_per_s_per_core")
    if hub_cap and bare_cap:
        summary["projected_ratio"] = round(hub_cap / bare_cap, 3)
    hub_cost, bare_cost = cost.get("meetings_hub", {}), cost.get("baseline", {})
    summary["cost_ratio_by_rate"] = {
        rate: round(hub_cost[rate] / bare_cost[rate], 3) for rate in hub_cost if bare_cost.get(rate)
    }
    return summary


def print_summary(summary: dict[str, Any]) -> None:
    print("\nSummary (highest rate with p99 within the limit and zero loss, msg/s):")
    for name in ("meetings_hub", "baseline"):
        if name in summary:
            s = summary[name]
            print(f"  {name:<12} max rate {spread(s['max_pass_rates'])}")
            off, on = s["idle_kib_compression_off"], s["idle_kib_compression_on"]
            print(f"  {'':<12} idle KiB/connection: compression off {spread(off)}, on {spread(on)}")
    for name, by_rate in summary.get("server_us_per_delivery", {}).items():
        figures = ", ".join(f"{rate}: {us:g}" for rate, us in by_rate.items())
        print(f"  {name:<12} server CPU us per delivery by rate (median): {figures}")
    for name, fit in summary.get("projection", {}).items():
        if fit:
            print(
                f"  {name:<12} fitted: {fit['us_per_delivery']} us per delivery + "
                f"{fit['idle_core_share']:.0%} of a core at rest -> one free core would carry "
                f"~{fit['msgs_per_s_per_core']} msg/s ({fit['points']} steps)"
            )
    if summary.get("projected_ratio"):
        print(f"  projected ratio meetings_hub / baseline: {summary['projected_ratio']}")
    if summary.get("cost_ratio_by_rate"):
        print(f"  CPU cost ratio meetings_hub / baseline by rate: {summary['cost_ratio_by_rate']}")
    if summary.get("ratios"):
        print(
            f"  ratio meetings_hub / baseline per repeat: {summary['ratios']}"
            f" (median {summary['ratio_median']})"
        )


def markdown(report: dict[str, Any]) -> str:
    """The tables RESULTS.md quotes, from one results file."""
    c = report["conditions"]
    lines = [
        f"Run {c['utc']} at commit {c['commit']}, load average {c['loadavg']} at the start and "
        f"{c.get('loadavg_end')} at the end ({c['cpus']} CPUs).",
        "",
        "| server | # | msg/s | deliveries/s | p50 ms | p99 ms | missing | lost | server CPU "
        "| waited | µs/delivery | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in report["ramps"]:
        for s in run["steps"]:
            verdict = "pass" if s["passed"] else "fail"
            lines.append(
                f"| {run['target']} | {run['repeat']} | {s['rate']} | {s['deliveries_per_s']:.0f} "
                f"| {s['p50_ms']:.0f} | {s['p99_ms']:.0f} | {s['missing']} | {s['lost']} "
                f"| {s['server_cpu']:.0%} | {s['server_waiting']:.0%} "
                f"| {s['server_us_per_delivery']:.0f} | {verdict} |"
            )
    if report["idle"]:
        lines += ["", "| server | # | compression | sockets | negotiated | KiB per connection |"]
        lines += ["| --- | --- | --- | ---: | ---: | ---: |"]
        for i in report["idle"]:
            lines.append(
                f"| {i['target']} | {i['repeat']} | {'on' if i['compression'] else 'off'} "
                f"| {i['clients']} | {i['negotiated']} | {i['per_connection_kib']} |"
            )
    return "\n".join(lines)


def conditions() -> dict[str, Any]:
    def version(package: str) -> str:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(package)
        return "?"

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=targets.REPO, capture_output=True, text=True
    ).stdout.strip()
    busy = subprocess.run(
        ["ps", "-eo", "pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True
    ).stdout.splitlines()[1:6]
    return {
        "utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "packages": {
            p: version(p) for p in ("aiohttp", "python-socketio", "python-engineio", "aiosqlite")
        },
        "loadavg": loadavg(),
        "busiest_processes": [line.strip() for line in busy],
    }


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--targets",
        default="meetings_hub,baseline",
        help="Comma-separated: meetings_hub, baseline.",
    )
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--room-size", type=int, default=15)
    parser.add_argument(
        "--rates",
        default=",".join(map(str, DEFAULT_RATES)),
        help="Total messages per second, one step each, rising.",
    )
    parser.add_argument("--step-seconds", type=float, default=8.0)
    parser.add_argument(
        "--drain", type=float, default=5.0, help="Seconds to wait after a step for late deliveries."
    )
    parser.add_argument(
        "--final-drain",
        type=float,
        default=30.0,
        help="Seconds to wait after a ramp for late deliveries before counting them lost.",
    )
    parser.add_argument("--pause", type=float, default=1.0, help="Seconds between steps.")
    parser.add_argument("--warmup", type=int, default=50, help="Rate of an unreported first step.")
    parser.add_argument("--p99-limit-ms", type=float, default=200.0)
    parser.add_argument(
        "--stop-after", type=int, default=2, help="End a ramp after this many failed steps."
    )
    parser.add_argument(
        "--give-up-ms", type=float, default=10000.0, help="End a ramp when p99 passes this."
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Sample the server with py-spy during each step (bench/requirements.txt).",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--idle-clients",
        type=int,
        default=600,
        help="Idle sockets for the memory figure (0: skip).",
    )
    parser.add_argument("--idle-repeat", type=int, default=2)
    parser.add_argument(
        "--settle", type=float, default=2.0, help="Seconds to let memory settle before reading it."
    )
    parser.add_argument("--no-ramp", action="store_true", help="Only the memory figure.")
    parser.add_argument(
        "--ramp-compression",
        action="store_true",
        help="Ask for websocket compression during the ramp (default off).",
    )
    parser.add_argument("--port", type=int, default=8810, help="First of four ports used.")
    parser.add_argument("--no-pin", action="store_true", help="Do not pin to cores 0 and 1.")
    parser.add_argument(
        "--hub-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Extra MEETINGS_HUB_* settings for the meetings_hub server.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON result file (default bench/results/fanout-<time>.json).",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="RESULTS_JSON",
        help="Print the tables of an earlier results file as Markdown, and do nothing else.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="A few seconds in a tiny configuration: checks the tooling only.",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rooms, args.room_size, args.rates = 2, 3, "20"
        args.step_seconds, args.drain, args.pause, args.warmup = 1.0, 3.0, 0.0, 0
        args.final_drain = 3.0
        args.repeat, args.idle_clients, args.idle_repeat, args.settle = 1, 6, 1, 0.3
    args.rates = [int(r) for r in str(args.rates).split(",") if r]
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    args.hub_env = dict(item.split("=", 1) for item in args.hub_env)
    if args.out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        args.out = RESULTS / f"fanout-{stamp}.json"
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    args.server_core = 0 if pin else None
    args.generator_core = 1 if pin else None
    return args


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "conditions": conditions(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }
    ramps: list[RampRun] = []
    idles: list[IdleRun] = []
    for repeat in range(args.repeat if not args.no_ramp else 0):
        # Alternate which server goes first, so a burst of outside load hits both alike.
        order = args.targets if repeat % 2 == 0 else list(reversed(args.targets))
        for name in order:
            ramps.append(await ramp(name, repeat, args))
    if args.idle_clients:
        for repeat in range(args.idle_repeat):
            for compression in (False, True):
                for name in args.targets:
                    idles.append(await idle_memory(name, repeat, compression, args))
    report["ramps"] = [asdict(r) for r in ramps]
    report["idle"] = [asdict(i) for i in idles]
    report["summary"] = summarise(ramps, idles)
    report["conditions"]["loadavg_end"] = loadavg()
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_summary(report["summary"])
    print(f"\nraw results: {args.out}")
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    if args.generator_core is not None:
        os.sched_setaffinity(0, {args.generator_core})
    report = asyncio.run(main_async(args))
    failed = [r for r in report["ramps"] if r["error"]] + [i for i in report["idle"] if i["error"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
