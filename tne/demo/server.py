"""The real server of ``tne serve``: gunicorn serving ``tne.wsgi:application`` (whitenoise serves
the static files) and the django-tasks database worker that runs the jobs, as two child processes
of this one, stopped together."""

import os
import signal
import subprocess
import sys
import time

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Threaded workers (gunicorn's gthread): a client that sends its request slowly holds one thread,
# not a whole process, so a few slow clients cannot starve the server; one process per core.
DEFAULT_WORKERS = max(2, os.cpu_count() or 1)
DEFAULT_THREADS = 8
STOP_TIMEOUT = 10


class ServerStopped(Exception):
    """A child process ended on its own."""

    def __init__(self, name: str, code: int):
        super().__init__(f"{name} s'est arrêté (code {code}).")
        self.name, self.code = name, code


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def server_commands(
    *, host: str, port: int, workers: int, threads: int = DEFAULT_THREADS
) -> dict[str, list[str]]:
    """The command line of each child process, by name."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "gunicorn": [
            sys.executable,
            "-m",
            "gunicorn",
            "tne.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            str(STOP_TIMEOUT // 2),
        ],
        "db_worker": [sys.executable, "-m", "django", "db_worker", "--no-reload"],
    }


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
    return env


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_processes(commands: dict[str, list[str]], *, poll: float = 0.5) -> None:
    """Starts every command and waits; stops them all on Ctrl-C or SIGTERM (returns), or when
    one of them ends on its own (raises :class:`ServerStopped`)."""
    processes: dict[str, subprocess.Popen] = {}
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, env=child_environment())
        while True:
            for name, process in processes.items():
                code = process.poll()
                if code is not None:
                    raise ServerStopped(name, code)
            time.sleep(poll)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(processes)
        signal.signal(signal.SIGTERM, previous)
