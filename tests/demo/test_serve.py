import os
import sys
import time

import pytest

from tne.demo.server import ServerStopped, address, run_processes, server_commands


def test_it_serves_the_wsgi_application_with_gunicorn_and_runs_the_task_worker():
    commands = server_commands(host="127.0.0.1", port=8123, workers=3)

    gunicorn = commands["gunicorn"]
    assert gunicorn[:4] == [sys.executable, "-m", "gunicorn", "tne.wsgi:application"]
    assert gunicorn[gunicorn.index("--bind") + 1] == "127.0.0.1:8123"
    assert gunicorn[gunicorn.index("--workers") + 1] == "3"
    # Threaded workers: a slow client holds a thread, not a process.
    assert gunicorn[gunicorn.index("--worker-class") + 1] == "gthread"
    assert int(gunicorn[gunicorn.index("--threads") + 1]) >= 4
    assert commands["db_worker"][:4] == [sys.executable, "-m", "django", "db_worker"]
    assert "--no-reload" in commands["db_worker"]


def test_an_ipv6_host_is_bracketed():
    commands = server_commands(host="::1", port=8000, workers=1)

    assert commands["gunicorn"][commands["gunicorn"].index("--bind") + 1] == "[::1]:8000"
    assert address("::1", 8000) == "http://[::1]:8000/"
    assert address("127.0.0.1", 8000) == "http://127.0.0.1:8000/"


def test_when_one_process_stops_the_other_is_stopped_too(tmp_path):
    pid_file = tmp_path / "pid"
    sleeper = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    quitter = "import time; time.sleep(1); raise SystemExit(3)"

    started = time.monotonic()
    with pytest.raises(ServerStopped, match="quitter s'est arrêté \\(code 3\\)"):
        run_processes(
            {
                "sleeper": [sys.executable, "-c", sleeper],
                "quitter": [sys.executable, "-c", quitter],
            },
            poll=0.1,
        )

    assert time.monotonic() - started < 30
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
