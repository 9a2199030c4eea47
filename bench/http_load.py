"""Load on the loopback: the school list served over HTTP by ``tne serve`` (gunicorn threaded
workers, DEBUG off), at several numbers of connections, with and without slow clients holding
connections open with half-sent requests (slowloris). ``make bench-http``; figures in
docs/benchmarks.md.

It runs against the national bench database (``make bench`` loads it), logs the national user
in by creating a session for them, and for each scenario keeps N keep-alive connections busy for a
fixed time (bounded in time and in requests), counting every answer that is not a 200 (or no
answer within the timeout) as an error. Only 127.0.0.1 is ever contacted.
"""

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

from tne.core.crypto import new_key

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_URL = "postgres://tne:tne@127.0.0.1:5432/tne_bench"
HOST = "127.0.0.1"
PATH = "/territoire/etablissements/"
REQUEST_TIMEOUT = 10
# Never more than this many requests in one scenario, whatever the speed.
MAX_REQUESTS = 20_000


@dataclass(frozen=True)
class Scenario:
    connections: int
    slow_clients: int


@dataclass
class Outcome:
    scenario: Scenario
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="durée de chaque scénario")
    parser.add_argument(
        "--connections", default="10,50", help="nombres de connexions (séparés par des virgules)"
    )
    parser.add_argument("--slow", type=int, default=3, help="clients lents du second passage")
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def session_cookie(database_url: str, secret_key: str) -> str:
    """A session of the national bench user, created in the bench database (signed with the
    server's secret key, which the session's hash depends on)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = secret_key
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench.users import bench_users

    user = bench_users()["national"]
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def start_server(
    database_url: str, secret_key: str, var_dir: Path, port: int, log
) -> subprocess.Popen:
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "TNE_INSECURE_HTTP": "1",
        "TNE_LOG_FORMAT": "text",
        "SECRET_KEY": secret_key,
        "TNE_DATA_KEYS": new_key(),
        "ALLOWED_HOSTS": HOST,
        "TNE_VAR_DIR": str(var_dir),
    }
    if "TNE_DATA_DIR" in os.environ:
        env["TNE_DATA_DIR"] = os.environ["TNE_DATA_DIR"]
    tne = Path(sys.executable).parent / "tne"
    process = subprocess.Popen(
        [str(tne), "serve", "--host", HOST, "--port", str(port)],
        env=env,
        cwd=var_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"tne serve s'est arrêté (code {process.returncode}).")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/comptes/connexion/", timeout=2):
                return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    stop_server(process)
    raise SystemExit("tne serve ne répond pas.")


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _slow_client(port: int, stop: threading.Event) -> None:
    try:
        with socket.create_connection((HOST, port), timeout=10) as sock:
            sock.sendall(f"GET /comptes/connexion/ HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            while not stop.wait(5):
                sock.sendall(b"X-Lent: 1\r\n")
    except OSError:
        return


def _worker(port, cookie, deadline, budget, latencies, errors, lock) -> None:
    connection = HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    headers = {"Cookie": f"sessionid={cookie}", "Host": HOST}
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        started = time.monotonic()
        try:
            connection.request("GET", PATH, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except OSError:
            ok = False
            connection.close()
            connection = HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        elapsed = time.monotonic() - started
        with lock:
            if ok:
                latencies.append(elapsed)
            else:
                errors[0] += 1
    connection.close()


def run(port: int, cookie: str, scenario: Scenario, seconds: float) -> Outcome:
    stop = threading.Event()
    slow = [
        threading.Thread(target=_slow_client, args=(port, stop), daemon=True)
        for _ in range(scenario.slow_clients)
    ]
    for thread in slow:
        thread.start()
    time.sleep(1 if slow else 0)
    latencies: list[float] = []
    errors, budget, lock = [0], [MAX_REQUESTS], threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    workers = [
        threading.Thread(
            target=_worker, args=(port, cookie, deadline, budget, latencies, errors, lock)
        )
        for _ in range(scenario.connections)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - started
    stop.set()
    for thread in slow:
        thread.join(timeout=10)
    return Outcome(scenario, elapsed, latencies, errors[0])


def report(outcomes: list[Outcome]) -> str:
    lines = [
        "| connexions | clients lents | requêtes | erreurs | requêtes/s | p50 (ms) | p99 (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        lines.append(
            f"| {o.scenario.connections} | {o.scenario.slow_clients} | {o.requests} | {o.errors}"
            f" | {len(o.latencies) / o.seconds:.1f} | {o.percentile(50) * 1000:.0f}"
            f" | {o.percentile(99) * 1000:.0f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    secret_key = secrets.token_urlsafe(50)
    cookie = session_cookie(url, secret_key)
    port = _free_port()
    counts = [int(c) for c in args.connections.split(",") if c.strip()]
    scenarios = [Scenario(c, 0) for c in counts] + [Scenario(c, args.slow) for c in counts]
    with tempfile.TemporaryDirectory(prefix="tne-bench-http-") as folder:
        var_dir = Path(folder)
        with (var_dir / "serve.log").open("wb") as log:
            server = start_server(url, secret_key, var_dir, port, log)
            try:
                # One request to warm the caches and the connections of the workers.
                run(port, cookie, Scenario(4, 0), 3)
                outcomes = []
                for scenario in scenarios:
                    print(f"== {scenario}", file=sys.stderr, flush=True)
                    outcomes.append(run(port, cookie, scenario, args.seconds))
            finally:
                stop_server(server)
        timeouts = (var_dir / "serve.log").read_text(errors="replace").count("WORKER TIMEOUT")
    print(report(outcomes))
    print(f"\nWORKER TIMEOUT dans le journal de gunicorn : {timeouts}")
    median = statistics.median(o.percentile(50) for o in outcomes) * 1000
    print(f"Médiane des p50 : {median:.0f} ms ; {os.cpu_count()} cœurs.")
    return 0 if all(o.errors == 0 for o in outcomes) and not timeouts else 1


if __name__ == "__main__":
    sys.exit(main())
