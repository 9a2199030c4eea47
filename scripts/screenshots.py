"""Screenshots of the running demo for the README: ``make demo`` in one terminal, then
``.venv/bin/python scripts/screenshots.py`` (Debian's chromium, headless).
Writes docs/screenshots/."""

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    logins = json.loads((ROOT / "var" / "demo-logins.json").read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        email = "coordination@demo.tne.invalid"
        page.goto(f"{BASE}/comptes/connexion/")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(_password(logins, email))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{BASE}/")
        shots = {
            "dashboard": "/",
            "school-list": "/territoire/etablissements/?kind=ECOLES&network=REP_PLUS",
            "school-page": "/territoire/etablissements/0020098W/",
            "map": "/territoire/departements/02/carte/",
            "access": "/comptes/acces/",
            "imports": "/territoire/imports/",
        }
        for name, path in shots.items():
            page.goto(BASE + path)
            page.screenshot(path=OUT / f"{name}.png", full_page=name != "map")
            print(OUT / f"{name}.png")
        browser.close()


def _password(logins: dict, email: str) -> str:
    if email not in logins:
        raise SystemExit(f"mot de passe de {email} introuvable dans var/demo-logins.json")
    return logins[email]


if __name__ == "__main__":
    main()
