"""TNE as it runs in production, for the end-to-end tests: the project's own ``tne`` commands in
subprocesses with ``DEBUG=0`` and a clean environment whose ``TNE_VAR_DIR`` is a throw-away
directory (its own SQLite database, its own collected static files), and ``tne serve`` (gunicorn,
whitenoise, the task worker) in a process group of its own, stopped with all its children."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tne.core.crypto import new_key

TNE = Path(sys.executable).parent / "tne"
HOST = "127.0.0.1"
# Variables of the test run's own environment that the server may keep.
KEPT_VARIABLES = ("PATH", "TNE_DATA_DIR")
COMMAND_TIMEOUT = 120
START_TIMEOUT = 60
STOP_TIMEOUT = 20
LOG_TAIL = 3_000


def production_environment(var_dir: Path) -> dict[str, str]:
    """A clean environment with ``DEBUG=0``: plain http on 127.0.0.1, a random secret key, and
    no ``DATABASE_URL``, so the database is the SQLite file of ``var_dir``."""
    env = {
        "DEBUG": "0",
        "TNE_INSECURE_HTTP": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TNE_DATA_KEYS": new_key(),
        "ALLOWED_HOSTS": HOST,
        "TNE_VAR_DIR": str(var_dir),
    }
    env.update({name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ})
    return env


def run_tne(*args: str, env: dict[str, str]) -> str:
    """Runs ``tne ARGS…`` to its end from the VAR directory; its output, or a test failure
    that shows it."""
    result = subprocess.run(
        [str(TNE), *args],
        env=env,
        cwd=env["TNE_VAR_DIR"],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if result.returncode != 0:
        pytest.fail(
            f"tne {' '.join(args)} : code {result.returncode}\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


@contextmanager
def serve(env: dict[str, str]) -> Iterator[str]:
    """``tne serve`` on a free port of 127.0.0.1, its output in ``serve.log`` of the VAR
    directory; yields its address once it answers, and always stops it and every process it
    started."""
    port = _free_port()
    log_path = Path(env["TNE_VAR_DIR"]) / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(TNE), "serve", "--host", HOST, "--port", str(port)],
            env=env,
            cwd=env["TNE_VAR_DIR"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{HOST}:{port}/"
    try:
        _wait_until_it_answers(url, process, log_path)
        yield url
    finally:
        _stop_group(process)
    leftovers = _group_members(process.pid)
    assert not leftovers, f"processus encore vivants après l'arrêt de tne serve : {leftovers}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_until_it_answers(url: str, process: subprocess.Popen, log_path: Path) -> None:
    """Any HTTP answer will do; fails when the server ends or stays silent for too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"tne serve s'est arrêté (code {process.returncode}) :\n{_tail(log_path)}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(
        f"tne serve ne répond pas sur {url} après {START_TIMEOUT} s :\n{_tail(log_path)}",
        pytrace=False,
    )


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the whole group (``tne serve`` stops its children and waits for them), then
    SIGKILL to whatever is still there after ``STOP_TIMEOUT``."""
    group = process.pid
    _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        _signal_group(group, signal.SIGKILL)
        process.wait()
    while _group_members(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_members(group):
        _signal_group(group, signal.SIGKILL)
        time.sleep(0.5)


def _signal_group(group: int, signal_number: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(group, signal_number)


def _group_members(group: int) -> list[str]:
    """The live (not zombie) processes of a process group, as ``pid command``, read in /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:  # ended meanwhile
            continue
        # "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
        state, _ppid, pgrp = stat.rpartition(")")[2].split()[:3]
        if int(pgrp) == group and state != "Z":
            members.append(f"{entry.name} {command}")
    return members


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-LOG_TAIL:]
