"""The import rules of docs/architecture.md, checked on the source (``ast``, nothing imported):

1. no domain app (every ``tne/<app>/`` but ``core``, ``api`` and ``demo``) imports ``tne.api``:
   domain routers use ``tne.core.api``, and ``tne.api`` mounts them;
2. no app imports a web module of another app: its ``views``, ``forms``, ``views_*``,
   ``forms_*`` or ``templatetags``;
3. ``tne.core`` imports no other ``tne`` app.

The project modules outside the apps (``tne/urls.py``, ``tne/settings.py``, ``tne/cli.py``…)
wire the apps together and are not checked."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tne"
# Apps with a role of their own: the API mounts the domain routers, the demo orchestrates.
NOT_DOMAINS = {"core", "api", "demo"}
WEB_MODULE = re.compile(r"^(views|forms|views_\w+|forms_\w+|templatetags)$")


def apps() -> list[str]:
    return sorted(
        path.name
        for path in PACKAGE.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and (path / "apps.py").exists()
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str, list[str]]]:
    """``(line, statement, modules)`` for every import of the file (in functions too), relative
    ones resolved; ``from a import b`` may import ``a`` or the module ``a.b``."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}", [a.name]) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = [alias.name for alias in node.names]
            statement = f"from {module} import {', '.join(names)}"
            found.append((node.lineno, statement, [module] + [f"{module}.{n}" for n in names]))
    return found


def violations(path: Path, app_names: list[str]) -> list[str]:
    """What the file imports against the rules: ``file:line statement: rule``."""
    app = module_name(path).split(".")[1]
    where = path.relative_to(PACKAGE.parent)
    problems = []
    for line, statement, modules in imports_of(path):
        rules = set()
        for module in modules:
            parts = module.split(".")
            if parts[0] != "tne" or len(parts) < 2 or parts[1] not in app_names:
                continue
            if parts[1] == app:
                continue
            if app not in NOT_DOMAINS and parts[1] == "api":
                rules.add("a domain app never imports tne.api (use tne.core.api)")
            if app == "core":
                rules.add("tne.core imports no other tne app")
            if any(WEB_MODULE.match(part) for part in parts[2:]):
                rules.add("no app imports a web module (views, forms, templatetags) of another")
        problems += [f"{where}:{line} « {statement} »: {rule}" for rule in sorted(rules)]
    return problems


def app_modules() -> list[Path]:
    names = apps()
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if len(path.relative_to(PACKAGE).parts) > 1 and path.relative_to(PACKAGE).parts[0] in names
    )


def test_the_apps_follow_the_import_rules():
    names = apps()
    assert {"core", "territory", "accounts", "api", "demo"} <= set(names)

    problems = [problem for path in app_modules() for problem in violations(path, names)]

    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("app", "file", "source", "expected"),
    [
        ("loans", "views.py", "from tne.api.schemas import X", "a domain app never imports"),
        ("accounts", "forms.py", "from tne.territory.forms import X", "a web module"),
        ("accounts", "forms.py", "from tne.territory import forms", "a web module"),
        ("accounts", "x.py", "import tne.territory.views_map", "a web module"),
        ("demo", "x.py", "from tne.accounts.templatetags.t import f", "a web module"),
        ("core", "x.py", "from tne.territory.models import School", "tne.core imports no other"),
        ("core", "sub/x.py", "def f():\n    from tne.accounts import enums", "tne.core imports"),
    ],
)
def test_the_checker_names_the_file_and_the_import(
    tmp_path, monkeypatch, app, file, source, expected
):
    root = tmp_path / "tne"
    path = root / app / file
    path.parent.mkdir(parents=True)
    path.write_text(source)
    monkeypatch.setattr(f"{__name__}.PACKAGE", root)

    (problem,) = violations(path, ["core", "territory", "accounts", "api", "demo", "loans"])

    assert problem.startswith(f"tne/{app}/{file}:")
    assert expected in problem


@pytest.mark.parametrize(
    ("app", "file", "source"),
    [
        ("territory", "views/browse.py", "from ..forms import SchoolFilterForm"),
        ("api", "api.py", "from tne.territory.api import router"),
        ("accounts", "perms.py", "from tne.territory.models import School"),
        ("demo", "x.py", "from tne.api.api import api"),
    ],
)
def test_the_checker_allows_what_the_rules_allow(tmp_path, monkeypatch, app, file, source):
    root = tmp_path / "tne"
    path = root / app / file
    path.parent.mkdir(parents=True)
    path.write_text(source)
    monkeypatch.setattr(f"{__name__}.PACKAGE", root)

    assert violations(path, ["core", "territory", "accounts", "api", "demo"]) == []
