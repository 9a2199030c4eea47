"""TNE served as in production (``DEBUG=0``): ``tne migrate``, ``tne import`` of the real
communes and écoles, a coordinator of Aisne created through ``tne shell``, then ``tne serve``
(gunicorn, whitenoise, the task worker) with its own SQLite database and collected static files in
a throw-away VAR directory. Chromium logs in and reads the dashboard, the list of schools and a
school page: styled by the DSFR, no console error (a stylesheet refused for its integrity hash, a
CSP refusal), no request off 127.0.0.1, hashed static files cached for good, an HttpOnly session
cookie, and axe-core (WCAG 2.1 A/AA) on every page.

The server has its own database: nothing here uses pytest-django's database fixtures nor its
live server, so no test database is set up for this module."""

import re
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Page, Response, expect

from tests.e2e.pages import LoginPage
from tests.e2e.server import production_environment, run_tne, serve
from tests.e2e.test_coordinator_journey import (
    AISNE_ECOLES,
    BERNY_IPS,
    BERNY_UAI,
    OPEN_DATA_FILES,
    PASSWORD,
)

pytestmark = pytest.mark.e2e

EMAIL = "coordination.aisne@example.org"
# whitenoise serves the files named after their content for ten years, « immutable ».
FOREVER = 10 * 365 * 24 * 60 * 60
HASHED_STATIC = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
CREATE_COORDINATOR = """
from tne.core.roles import Role
from tne.accounts.models import User
from tne.accounts.roles import grant_role
from tne.core.models import AuditSource
from tne.territory.enums import NodeKind
from tne.territory.models import TerritoryNode

user = User.objects.create_user({email!r}, {password!r})
aisne = TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="02")
grant_role(user=user, role=Role.COORDINATOR, target=aisne, source=AuditSource.CLI)
"""


@pytest.fixture(scope="module")
def production_var_dir(tmp_path_factory) -> Path:
    """The VAR directory of the production server (its database, its ``serve.log``)."""
    return tmp_path_factory.mktemp("tne-var")


@pytest.fixture(scope="module")
def production_server(production_var_dir) -> Iterator[str]:
    """The address of TNE served with ``DEBUG=0`` on the real écoles of Aisne and Val-d'Oise,
    where the coordinator of Aisne ``EMAIL`` logs in with ``PASSWORD``."""
    var_dir = production_var_dir
    env = production_environment(var_dir)
    folder = settings.DATA_DIR / "opendata" / "dep02_dep95"
    run_tne("migrate", "--noinput", env=env)
    run_tne(
        "import", "--verbosity", "0", *(str(folder / name) for name in OPEN_DATA_FILES), env=env
    )
    run_tne("shell", "-c", CREATE_COORDINATOR.format(email=EMAIL, password=PASSWORD), env=env)
    with serve(env) as url:
        yield url
    # The collected static files weigh 80 MB; the database and serve.log stay for a post-mortem.
    shutil.rmtree(var_dir / "static")


@dataclass
class StaticResponses:
    """The ``Cache-Control`` of every static file the browser received, by URL."""

    cache_control: dict[str, str | None]

    def record(self, response: Response) -> None:
        if urlsplit(response.url).path.startswith(settings.STATIC_URL):
            self.cache_control.setdefault(response.url, response.headers.get("cache-control"))


@pytest.fixture
def static_responses(page) -> StaticResponses:
    """The Cache-Control header of every static file the page receives."""
    responses = StaticResponses(cache_control={})
    page.context.on("response", responses.record)
    return responses


@pytest.fixture
def server_url(production_server: str) -> str:
    """The e2e conftest's ``page`` goes to the production server (no live server, no test DB)."""
    return production_server


def assert_static_files_cached_for_good(page: Page, static_responses: StaticResponses) -> None:
    """Every stylesheet and script the page links is a static file named after its content,
    which the browser received with a ten-year, immutable ``Cache-Control``."""
    urls = page.eval_on_selector_all(
        "link[rel=stylesheet], script[src]:not([nomodule])",
        "elements => elements.map(element => element.href || element.src)",
    )
    assert any("/dsfr.min." in url for url in urls), urls
    for url in urls:
        assert HASHED_STATIC.match(urlsplit(url).path), f"{url} : nom sans empreinte"
        cache_control = static_responses.cache_control.get(url)
        assert cache_control is not None, f"{url} : jamais reçu par le navigateur"
        assert f"max-age={FOREVER}" in cache_control, f"{url} : Cache-Control {cache_control}"
        assert "immutable" in cache_control, f"{url} : Cache-Control {cache_control}"


def test_the_production_server_serves_styled_accessible_pages(page, static_responses):
    # Each page object checks the DSFR font (Marianne) on <body> and runs axe-core.
    page.goto("/")
    login = LoginPage(page)
    # The DSFR script ran: it was not refused for its integrity hash either.
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")

    dashboard = login.log_in(email=EMAIL, password=PASSWORD)
    assert dashboard.figure("Écoles") == str(AISNE_ECOLES)
    session = [cookie for cookie in page.context.cookies() if cookie["name"] == "sessionid"]
    assert len(session) == 1 and session[0]["httpOnly"], session
    assert_static_files_cached_for_good(page, static_responses)

    school = dashboard.go_to_schools().search(BERNY_UAI).open_school(BERNY_UAI)
    expect(school.identity("UAI")).to_have_text(BERNY_UAI)
    expect(school.identity("IPS")).to_contain_text(BERNY_IPS)
    assert_static_files_cached_for_good(page, static_responses)


SLOW_CLIENTS = 3
# Long enough to outlast gunicorn's 30 s worker timeout, had the slow clients blocked a worker.
SLOW_FOR_SECONDS = 35


def _slow_client(url: str, stop: threading.Event) -> None:
    """A client that sends its request line and then one header line every 2 s (slowloris)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET /comptes/connexion/ HTTP/1.1\r\nHost: {parts.hostname}\r\n".encode())
        while not stop.wait(2):
            try:
                sock.sendall(b"X-Lent: 1\r\n")
            except OSError:
                return


def test_slow_clients_do_not_starve_the_server(production_server, production_var_dir):
    """Three clients holding connections open with half-sent requests: every normal request
    still answers at once, for longer than gunicorn's worker timeout, and no worker is killed."""
    stop = threading.Event()
    slow = [
        threading.Thread(target=_slow_client, args=(production_server, stop), daemon=True)
        for _ in range(SLOW_CLIENTS)
    ]
    for thread in slow:
        thread.start()
    durations = []
    try:
        deadline = time.monotonic() + SLOW_FOR_SECONDS
        while time.monotonic() < deadline:
            started = time.monotonic()
            with urllib.request.urlopen(production_server + "comptes/connexion/", timeout=5) as r:
                assert r.status == 200
            durations.append(time.monotonic() - started)
            time.sleep(1)
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=5)

    assert len(durations) >= SLOW_FOR_SECONDS // 2
    assert max(durations) < 5
    log = (production_var_dir / "serve.log").read_text(errors="replace")
    assert "WORKER TIMEOUT" not in log
