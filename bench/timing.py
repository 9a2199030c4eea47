"""Step 4: real requests through Django's test client (full middleware stack, real views, real
API), timed after a warm-up, with the SQL queries of one extra request captured.

A page that is not there yet (404 on a URL that should exist, or an exception) is reported as
missing, not fatal. Every scenario is bounded in count and in time, so the run always ends."""

import math
import statistics
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# A scenario stops early once it has run this long (a very slow page still ends the bench).
SCENARIO_TIME_LIMIT = 90.0
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Scenario:
    page: str
    who: str
    url: str
    headers: dict = field(default_factory=dict)


@dataclass
class Measure:
    scenario: Scenario
    status: int | None = None
    error: str = ""
    timings_ms: list[float] = field(default_factory=list)
    # CPU time of this process (the Django side, not PostgreSQL): barely inflated by other work
    # on the machine, unlike the wall-clock timings.
    cpu_ms: list[float] = field(default_factory=list)
    queries: int | None = None
    sql_ms: float = 0.0
    bytes: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.timings_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]

    @property
    def verdict(self) -> str:
        if self.error:
            return self.error
        if self.status == 404:
            return "absente (404)"
        if self.status != 200:
            return f"statut {self.status}"
        return ""


def client_for(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


def _get(client: Client, scenario: Scenario):
    """One request, its body read to the end (a streamed export does its work while read)."""
    response = client.get(scenario.url, **scenario.headers)
    if response.streaming:
        response.body_size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        response.body_size = len(response.content)
    response.close()
    return response


def _prepare(client: Client, scenario: Scenario, warmup: int) -> Measure:
    """The warm-up requests, then one with its SQL queries captured."""
    result = Measure(scenario)
    try:
        for _ in range(max(warmup, 1)):
            response = _get(client, scenario)
    except Exception as exc:  # a view that is not finished must not stop the bench
        result.error = f"erreur : {type(exc).__name__}: {str(exc)[:100]}"
        return result
    result.status = response.status_code
    result.bytes = response.body_size
    if response.status_code != 200:
        return result
    with CaptureQueriesContext(connection) as captured:
        _get(client, scenario)
    result.queries = len(captured.captured_queries)
    result.sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    result.slowest = sorted(
        ((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries),
        reverse=True,
    )[:3]
    return result


def _time_once(client: Client, result: Measure) -> None:
    started, cpu_started = time.perf_counter(), time.process_time()
    _get(client, result.scenario)
    result.timings_ms.append((time.perf_counter() - started) * 1000)
    result.cpu_ms.append((time.process_time() - cpu_started) * 1000)


def measure(client: Client, scenario: Scenario, *, runs: int, warmup: int) -> Measure:
    result = _prepare(client, scenario, warmup)
    if result.status != 200:
        return result
    deadline = time.perf_counter() + SCENARIO_TIME_LIMIT
    for _ in range(runs):
        _time_once(client, result)
        if time.perf_counter() > deadline:
            break
    return result


def measure_rounds(pairs: list[tuple[Client, Scenario]], *, runs: int, warmup: int) -> list:
    """:func:`measure` for each ``(client, scenario)``, but the timed requests in rounds (one of
    each scenario per round): on a machine shared with other work, a burst of load spreads over
    every page instead of falling on the few measured at that moment."""
    results = [_prepare(client, scenario, warmup) for client, scenario in pairs]
    timed = [(c, r) for (c, _), r in zip(pairs, results, strict=True) if r.status == 200]
    deadline = time.perf_counter() + SCENARIO_TIME_LIMIT * max(len(timed), 1)
    for _ in range(runs):
        for client, result in timed:
            _time_once(client, result)
        if time.perf_counter() > deadline:
            break
    return results


def explain(sql: str) -> str:
    """EXPLAIN ANALYZE of one captured SELECT (the captured SQL has its parameters inlined)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())
