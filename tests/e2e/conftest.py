"""End-to-end tests: the app served by a live server on 127.0.0.1, driven by Debian's Chromium
through Playwright's sync API.

Every page an e2e test visits goes through :func:`assert_accessible`: axe-core (WCAG 2.1 A/AA, our
proxy for the RGAA, and axe's best practices), reflow (no horizontal scroll of the page at 1280
and 375 px wide, WCAG 1.4.10), French typography of the visible text; and every request the
browser makes must stay on the live server (no CDN, no third-party host). Page objects in
``tests/e2e/pages.py`` run these checks when a page loads.
"""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS
from tests.typography import typography_problems

LIVE_SERVER_HOST = "127.0.0.1"
# WCAG 2.0 and 2.1, levels A and AA: what the RGAA requires; and axe's best practices (landmarks,
# heading order, unique regions…), which the RGAA asks for in other words.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# The widths of the reflow check: a desktop, and a phone (WCAG 1.4.10 asks for 320 CSS px at 400 %
# zoom; 375 px is the common phone and the DSFR's smallest breakpoint below 576 px).
REFLOW_WIDTHS = (1280, 375)
SCREENSHOTS_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
DEFAULT_TIMEOUT_MS = 10_000
_axe = Axe()
# Pages are served by a single-threaded live server on a shared CI machine: be patient.
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


def axe_violations(page: Page) -> list[dict]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "resultTypes": ["violations"],
        },
    )
    return results.response["violations"]


def format_violations(url: str, violations: list[dict]) -> str:
    """One paragraph per rule: id, impact, help, and the CSS targets (with the HTML) of each
    offending node, so the failure says what to fix without opening a report."""
    lines = [
        f"{len(violations)} violation(s) axe-core (WCAG 2.1 A/AA, bonnes pratiques) sur {url} :"
    ]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " > ".join(str(part) for part in node["target"])
            lines.append(f"    · {target} : {node['html'][:200]}")
            if node.get("failureSummary"):
                summary = " ".join(node["failureSummary"].split())
                lines.append(f"      {summary}")
    return "\n".join(lines)


_OVERFLOWING_JS = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    // An absolutely positioned element escapes a scroll box that is not its containing block.
    if (["absolute", "fixed"].includes(getComputedStyle(el).position)) return false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== "visible" && style.overflowX !== "clip" && p !== document.body
          && p !== document.documentElement) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
      + `${typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\\s+/).join(".") : ""}`
      + ` (${Math.round(el.getBoundingClientRect().right)} px)`);
}"""


def reflow_problems(page: Page) -> list[str]:
    """The widths of :data:`REFLOW_WIDTHS` at which the page scrolls horizontally (its document
    is wider than the window), with the first elements that stick out. The viewport is resized
    for the check, then restored."""
    original = page.viewport_size or {"width": 1280, "height": 720}
    problems = []
    try:
        for width in REFLOW_WIDTHS:
            page.set_viewport_size({"width": width, "height": original["height"]})
            scroll_width, inner_width = page.evaluate(
                "() => new Promise((done) => requestAnimationFrame(() => done("
                "[document.documentElement.scrollWidth, window.innerWidth])))"
            )
            if scroll_width > inner_width:
                culprits = ", ".join(page.evaluate(_OVERFLOWING_JS)) or "?"
                problems.append(
                    f"à {width} px de large, la page fait {scroll_width} px (défilement "
                    f"horizontal, WCAG 1.4.10) : {culprits}"
                )
    finally:
        page.set_viewport_size(original)
    return problems


def assert_accessible(page: Page) -> None:
    """Fail on any axe-core violation (WCAG 2.1 A/AA and best practices) on the current page, on
    a page that scrolls horizontally at 1280 or 375 px wide, and on French typography mistakes
    in its visible text (:func:`tests.typography.typography_problems`)."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(format_violations(page.url, violations), pytrace=False)
    problems = reflow_problems(page)
    problems += typography_problems(page.evaluate("() => document.body.innerText"))
    if problems:
        pytest.fail(
            f"Redistribution du contenu ou typographie sur {page.url} :\n" + "\n".join(problems),
            pytrace=False,
        )


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under ``var/screenshots/<name>.png`` of the repository."""
    path = SCREENSHOTS_DIR / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server, on 127.0.0.1 rather than ``localhost`` so that « every
    request stays on 127.0.0.1 » is exactly what the tests check. It serves the static files
    through the staticfiles finders, so the pages load the real DSFR CSS and JS."""
    server = LiveServer(LIVE_SERVER_HOST)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the session (``launch`` gives it a fresh, temporary
    user-data directory); each test gets its own context.

    Playwright's sync API keeps an event loop running in this thread for as long as it lives, and
    Django refuses ORM calls from a thread with a running loop ("SynchronousOnlyOperation"); the
    test's own ORM calls are plain synchronous code, so that check is lifted here, for the e2e
    session only."""
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class BrowserLog:
    """What the browser of a test did besides showing pages: every URL it requested, the
    sub-resources (CSS, JS, images…) that failed, and the JavaScript errors, CSP refusals
    included. A page that loads a broken asset or blocks its own script is broken too."""

    def __init__(self):
        self.requested: list[str] = []
        self.failed_resources: list[str] = []
        self.errors: list[str] = []

    def attach(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self.requested.append(request.url))
        context.on("response", self._on_response)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"{page.url} : {error}"))
        page.on("console", lambda message: self._on_console(page, message))

    def _on_response(self, response: Response) -> None:
        # Documents may be errors on purpose (a 404 page); their assets may not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_resources.append(f"{response.status} {response.url}")

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        # "Failed to load resource" is the console echo of a failed response, judged above.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"{page.url} : {message.text}")

    def off_host(self, server: str) -> list[str]:
        return [url for url in self.requested if not _is_local(url, server)]


def _is_local(url: str, server: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.scheme in {"http", "https"} and parts.netloc == server


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so ``page`` knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def server_url(live_server) -> str:
    """Where the browser of a test goes: the live server, unless a module serves TNE otherwise."""
    return live_server.url


@pytest.fixture
def page(request, browser, server_url, browser_log) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the server. When the test ends, every request it
    made must have stayed on the server (our no-CDN rule), with no failed asset and no
    JavaScript error. A failed test leaves a screenshot of where the browser was in
    ``var/screenshots/failures/``."""
    context = browser.new_context(base_url=server_url, locale="fr-FR")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    browser_log.attach(context)
    page = context.new_page()
    browser_log.watch(page)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        save_screenshot(page, f"failures/{request.node.name}")
    context.close()
    problems = {
        "Requêtes hors du serveur de test (CDN interdit)": browser_log.off_host(
            urlsplit(server_url).netloc
        ),
        "Ressources en erreur": browser_log.failed_resources,
        "Erreurs JavaScript ou CSP": browser_log.errors,
    }
    message = "\n".join(
        f"{title} :\n" + "\n".join(f"  {line}" for line in lines)
        for title, lines in problems.items()
        if lines
    )
    if message:
        pytest.fail(message, pytrace=False)
