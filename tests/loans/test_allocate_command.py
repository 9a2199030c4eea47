"""``tne allocate INSTANCE.json``: the result JSON on the standard output and 0; an input error
on the standard error (where: the file, the line and column or the field's path; what, in
French) and 2; minimums that cannot be met, a French message and 1. Run as a subprocess without
any database setting, and with Django pointed at settings that do not exist: it never starts
Django."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tne.cli import main
from tne.loans.engine import command

REPO = Path(__file__).resolve().parent.parent.parent
NBSP = "\u00a0"


def q(text) -> str:
    """« text », as the messages quote a value."""
    return f"«{NBSP}{text}{NBSP}»"


INSTANCE = {
    "stock": 3,
    "schools": [
        {"id": "0020001A", "departement": "02", "max": 1},
        {"id": "0020002B", "departement": "02", "min": 1},
        {"id": "0950001C", "departement": "95"},
    ],
    "departement_caps": {"02": 2},
    "candidates": [
        {"id": "E1", "school": "0020001A", "priority": 9},
        {"id": "E2", "school": "0020001A", "priority": 8},
        {"id": "E3", "school": "0020002B", "priority": 1},
        {"id": "E4", "school": "0020002B", "priority": 7},
        {"id": "E5", "school": "0950001C", "priority": 3},
        {"id": "E6", "school": "0950001C", "priority": 2},
    ],
}
# E1 (9) is served, E2 stopped by its school's maximum; E4 (7) is B's minimum, E3 then finds
# 02 full; E5 takes the last device, E6 finds the stock exhausted.
EXPECTED = {
    "served": ["E1", "E4", "E5"],
    "total_priority": 19,
    "unserved": {"E2": "school_max", "E3": "departement_cap", "E6": "stock"},
}


def write(tmp_path, data, name="instance.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run_command(*args, stdin: str | None = None):
    """``tne allocate ARGS`` as a subprocess with no database setting and no usable Django
    settings: ``(exit code, stdout, stderr)``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    env |= {"PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "tne.no_such_settings"}
    done = subprocess.run(
        [sys.executable, "-m", "tne.cli", "allocate", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


def run_here(*args, stdin: str = ""):
    """:func:`command` in this process: ``(exit code, stdout, stderr)``."""
    out, err = io.StringIO(), io.StringIO()
    stdin_file = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    code = command([str(a) for a in args], stdin=stdin_file, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_it_prints_the_allocation_as_json_without_a_database(tmp_path):
    code, out, err = run_command(write(tmp_path, INSTANCE))

    assert (code, err) == (0, "")
    assert json.loads(out) == EXPECTED


def test_it_reads_the_standard_input():
    code, out, err = run_command("-", stdin=json.dumps(INSTANCE))

    assert (code, err) == (0, "")
    assert json.loads(out) == EXPECTED


def test_infeasible_minimums_exit_1_with_a_french_message(tmp_path):
    instance = INSTANCE | {"departement_caps": {"02": 0}}

    code, out, err = run_command(write(tmp_path, instance))

    assert (code, out) == (1, "")
    assert err == (
        f"{tmp_path / 'instance.json'}{NBSP}: Attribution impossible{NBSP}: les minimums des "
        f"écoles du département 02 totalisent 1{NBSP}élève, plus que son plafond de 0.\n"
    )


def test_a_json_syntax_error_exits_2_with_its_line_and_column(tmp_path):
    path = write(tmp_path, '{\n  "stock": 3,\n  "schools": [}\n')

    code, out, err = run_command(path)

    assert (code, out) == (2, "")
    assert err == f"{path}, ligne 3, colonne 15{NBSP}: JSON invalide (valeur attendue)\n"


def test_an_ill_typed_field_exits_2_with_its_path(tmp_path):
    schools = [*INSTANCE["schools"], {"id": "X", "departement": "95", "max": "dix"}]

    code, out, err = run_command(write(tmp_path, INSTANCE | {"schools": schools}))

    assert (code, out) == (2, "")
    assert err.endswith(
        f"instance.json, schools[3].max{NBSP}: entier ≥ 0 ou null attendu (reçu «{NBSP}dix{NBSP}»,"
        " texte)\n"
    )


def test_the_engine_imports_no_django():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env["PYTHONPATH"] = str(REPO)
    code = (
        "import sys, tne.cli, tne.loans.engine; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'scipy'}))"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )

    assert done.stdout == "[]\n"


def test_the_options_run_the_same_instance_with_another_budget_or_stock(tmp_path):
    path = write(tmp_path, INSTANCE)

    code, out, _ = run_here(path, "--budget-cents", "60000", "--unit-cost-cents=30000")
    code_stock, out_stock, _ = run_here(path, "--stock", "10")

    assert code == code_stock == 0
    assert json.loads(out) == {
        "served": ["E1", "E4"],
        "total_priority": 16,
        "unserved": {"E2": "school_max", "E3": "departement_cap", "E5": "budget", "E6": "budget"},
    }
    assert json.loads(out_stock)["served"] == ["E1", "E4", "E5", "E6"]


def test_the_budget_and_unit_cost_may_be_in_the_file(tmp_path):
    instance = {k: v for k, v in INSTANCE.items() if k != "stock"}
    path = write(tmp_path, instance | {"budget_cents": 20_000, "unit_cost_cents": 10_000})

    code, out, _ = run_here(path)

    assert code == 0
    assert json.loads(out)["served"] == ["E1", "E4"]


def test_integer_ids_are_written_as_numbers_and_as_keys(tmp_path):
    instance = {
        "stock": 1,
        "schools": [{"id": 7, "departement": "02"}],
        "candidates": [
            {"id": 12, "school": 7, "priority": 1},
            {"id": 3, "school": 7, "priority": 1},
        ],
    }

    code, out, _ = run_here(write(tmp_path, instance))

    assert code == 0
    assert out == '{"served": [3], "total_priority": 1, "unserved": {"12": "stock"}}\n'


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["candidates"].append({"id": "E9", "school": "NOPE", "priority": 1}),
            f"candidates[6].school{NBSP}: le candidat «{NBSP}E9{NBSP}» est d'une école inconnue "
            f"(«{NBSP}NOPE{NBSP}»)",
        ),
        (
            lambda d: d["candidates"][2].update(priority=-1),
            f"candidates[2].priority{NBSP}: la priorité du candidat «{NBSP}E3{NBSP}» doit être un "
            f"entier de 0 à 1\u202f000\u202f000\u202f000\u202f000 (-1)",
        ),
        (
            lambda d: d["candidates"][4].update(priority=True),
            f"candidates[4].priority{NBSP}: entier ≥ 0 attendu (reçu true, booléen)",
        ),
        (
            lambda d: d["candidates"][1].pop("school"),
            f"candidates[1].school{NBSP}: champ manquant",
        ),
        (
            lambda d: d["candidates"][5].update(name="Léa"),
            f"candidates[5].name{NBSP}: champ inconnu (champs possibles{NBSP}: id, school, "
            "priority)",
        ),
        (
            lambda d: d["candidates"].append({"id": "E1", "school": "0950001C", "priority": 4}),
            f"candidates[6].id{NBSP}: le candidat «{NBSP}E1{NBSP}» figure déjà en candidates[0]",
        ),
        (
            lambda d: d["schools"][1].update(min=4, max=2),
            f"schools[1]{NBSP}: le minimum de l'école «{NBSP}0020002B{NBSP}» (4) dépasse son "
            "maximum (2)",
        ),
        (
            lambda d: d["schools"][0].pop("departement"),
            f"schools[0].departement{NBSP}: champ manquant",
        ),
        (
            lambda d: d.update(departement_caps={"02": 1.5}),
            f'departement_caps["02"]{NBSP}: entier positif ou nul attendu (reçu 1.5)',
        ),
        (
            lambda d: d.update(schools={"0020001A": "02"}),
            f"schools{NBSP}: liste attendue (reçu objet)",
        ),
        (
            lambda d: d.update(departments_caps={}),
            f"departments_caps{NBSP}: champ inconnu (champs possibles{NBSP}: stock, budget_cents, "
            "unit_cost_cents, schools, departement_caps, candidates)",
        ),
        (
            lambda d: d.pop("stock"),
            f"stock{NBSP}: champ manquant (ou un budget{NBSP}: --budget-cents)",
        ),
        (
            lambda d: d.update(budget_cents=100),
            "budget_cents : un budget sans coût unitaire (unit_cost_cents) ne dit pas combien "
            "d'appareils il paie".replace(" :", f"{NBSP}:"),
        ),
    ],
)
def test_an_input_error_exits_2_saying_where_and_what(tmp_path, change, message):
    data = json.loads(json.dumps(INSTANCE))
    change(data)
    path = write(tmp_path, data)

    code, out, err = run_here(path)

    assert (code, out) == (2, "")
    assert err == f"{path}, {message}\n"


def test_a_top_level_that_is_not_an_object_is_refused(tmp_path):
    path = write(tmp_path, "[1, 2]")

    assert run_here(path)[::2] == (2, f"{path}{NBSP}: objet attendu (reçu liste)\n")


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        ((), "il manque le fichier de l'instance"),
        (
            ("a.json", "b.json"),
            f"un seul fichier à la fois («{NBSP}a.json{NBSP}», puis «{NBSP}b.json{NBSP}»)",
        ),
        (
            ("a.json", "--stock", "beaucoup"),
            f"--stock{NBSP}: entier ≥ 0 attendu (reçu «{NBSP}beaucoup{NBSP}»)",
        ),
        (
            ("a.json", "--unit-cost-cents", "0"),
            f"--unit-cost-cents{NBSP}: entier ≥ 1 attendu (reçu «{NBSP}0{NBSP}»)",
        ),
        (("a.json", "--verbose"), f"option inconnue{NBSP}: --verbose"),
    ],
)
def test_bad_arguments_exit_2_with_the_usage(args, first_line):
    code, out, err = run_here(*args)

    assert (code, out) == (2, "")
    assert err.splitlines()[0] == first_line
    assert err.splitlines()[1].startswith(f"usage{NBSP}: tne allocate FICHIER.json")


def test_a_missing_or_unreadable_file_exits_2(tmp_path):
    latin1 = tmp_path / "latin1.json"
    raw = '{"stock": 1, "schools": [{"id": "é"'.encode("latin-1")
    latin1.write_bytes(raw)

    assert run_here(tmp_path / "absent.json")[::2] == (
        2,
        f"{tmp_path / 'absent.json'}{NBSP}: fichier introuvable\n",
    )
    assert run_here(latin1)[::2] == (
        2,
        f"{latin1}{NBSP}: le fichier n'est pas en UTF-8 (octet {raw.index(0xE9) + 1})\n",
    )
    assert run_here(tmp_path)[0] == 2


def test_help_prints_the_usage_and_exits_0():
    code, out, err = run_here("--help")

    assert (code, err) == (0, "")
    assert "Code de sortie" in out and out.startswith(f"usage{NBSP}: tne allocate")


def test_main_dispatches_allocate_before_django(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["allocate", str(write(tmp_path, INSTANCE))])

    assert exit_.value.code == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED
