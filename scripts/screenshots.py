"""Screenshots of the running demo for the README: ``make demo`` in one terminal, then
``.venv/bin/python scripts/screenshots.py [BASE_URL] [--only PREFIX]`` (Debian's chromium,
headless; ``--only loans-``: the loans' shots alone). Writes docs/screenshots/. Each demo
account logs in in a browser context of its own; a shot is a path, or a path and the link to
follow from it (the first one matching)."""

import argparse
import json
import re
import sys
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
# Account → {name: path, or (path, CSS selector of the link to follow, its name)}.
SHOTS = {
    "coordination@demo.tne.invalid": {
        "dashboard": "/",
        "school-list": "/territoire/etablissements/?kind=ECOLES&network=REP_PLUS",
        "school-page": "/territoire/etablissements/0020098W/",
        "map": "/territoire/departements/02/carte/",
        "access": "/comptes/acces/",
        "imports": "/territoire/imports/",
        "loans-dashboard": "/prets/tableau-de-bord/",
    },
    # The demo école's head: the counter's hand-out (the accepted offers to hand out) and a
    # loan past due that was reminded (the reminder in its timeline).
    "direction@demo.tne.invalid": {
        "loans-counter": ("/prets/guichet/", "#counter-schools", "^Remettre"),
        "loans-loan": ("/prets/retards/", "#overdue tbody tr:has-text('la dernière le')", "^n°"),
    },
    "parent@demo.tne.invalid": {"loans-family": "/prets/famille/"},
}
WIDTH = 1280
# Pages too tall for the README, cut after this many pixels: the map's SVG is as tall as the
# département, the loans dashboard of Aisne has a row per commune.
CUT_AT = {"map": 900, "loans-dashboard": 1900}


def main() -> None:
    parser = argparse.ArgumentParser(description="Captures d'écran de la démo pour le README.")
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--only", default="", help="seules les captures dont le nom commence ainsi")
    args = parser.parse_args()
    logins = json.loads((ROOT / "var" / "demo-logins.json").read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for email, shots in SHOTS.items():
            chosen = {name: shot for name, shot in shots.items() if name.startswith(args.only)}
            if chosen:
                _shoot_as(browser, args.base, email, _password(logins, email), chosen)
        browser.close()


def _shoot_as(browser: Browser, base: str, email: str, password: str, shots: dict) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    # Not the « Afficher le mot de passe » checkbox beside it.
    page.get_by_role("textbox", name="Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/comptes/connexion/" not in url)
    for name, shot in shots.items():
        path, within, link = (shot, None, None) if isinstance(shot, str) else shot
        page.goto(base + path)
        if within is not None:
            page.locator(within).get_by_role("link", name=re.compile(link)).first.click()
            page.wait_for_load_state("load")
        cut = CUT_AT.get(name)
        clip = None if cut is None else {"x": 0, "y": 0, "width": WIDTH, "height": cut}
        page.screenshot(path=OUT / f"{name}.png", full_page=True, clip=clip)
        print(OUT / f"{name}.png")
    context.close()


def _password(logins: dict, email: str) -> str:
    if email not in logins:
        raise SystemExit(f"mot de passe de {email} introuvable dans var/demo-logins.json")
    return logins[email]


if __name__ == "__main__":
    main()
