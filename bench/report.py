"""Step 5: the Markdown report, printed, written to ``var/bench/`` and, with ``--write-docs``,
put in the figures section of docs/benchmarks.md (between two HTML comment markers)."""

import re
from pathlib import Path

from .timing import Measure

TARGET_MS = 150
# Below this, a query is not what makes a page slow.
SLOW_QUERY_MS = 20
START, END = "<!-- bench:figures:start -->", "<!-- bench:figures:end -->"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _size(n: int) -> str:
    return f"{n / 1024:.0f} Kio" if n else "—"


def _load_result(entry: dict) -> str:
    refused = entry.get("refused") or []
    if not refused:
        return entry["result"]
    return f"⚠️ fichier refusé ({len(refused)} lignes), importé sans elles : {entry['result']}"


def refused_section(load: list[dict]) -> str:
    lines = [f"- {error}" for entry in load for error in entry.get("refused") or []]
    if not lines:
        return ""
    head = (
        "Lignes refusées par l'importeur (le fichier entier est refusé ; le banc l'importe "
        "ensuite sans elles) :"
    )
    return head + "\n\n" + "\n".join(lines)


def pages_table(measures: list[Measure]) -> str:
    rows = []
    for m in measures:
        s = m.scenario
        url = f"`{s.url}`"
        if not m.ok:
            rows.append([s.page, s.who, url, "—", "—", "—", "—", "—", "—", f"⚠️ {m.verdict}"])
            continue
        verdict = "✅" if m.median < TARGET_MS else "❌ au-dessus de l'objectif"
        rows.append(
            [
                s.page,
                s.who,
                url,
                _ms(m.median),
                _ms(m.p95),
                _ms(m.cpu_median),
                str(m.queries),
                _ms(m.sql_ms),
                _size(m.bytes),
                f"{verdict} ({len(m.timings_ms)} essais)",
            ]
        )
    headers = [
        "Page",
        "Profil",
        "URL",
        "Médiane (ms)",
        "p95 (ms)",
        "CPU Django (ms)",
        "Requêtes SQL",
        "dont SQL (ms)",
        "Taille",
        "",
    ]
    return _table(headers, rows)


def slow_queries_section(measures: list[Measure], plans: dict[str, str]) -> str:
    parts = []
    for m in measures:
        if not m.ok or m.median < TARGET_MS:
            continue
        parts.append(f"#### {m.scenario.page} — {m.scenario.who} (`{m.scenario.url}`)")
        slow = [(ms, sql) for ms, sql in m.slowest if ms >= SLOW_QUERY_MS]
        if not slow:
            parts.append(
                f"- Aucune requête au-dessus de {SLOW_QUERY_MS} ms : le temps est passé côté "
                "Django (colonne CPU) ou à attendre un processeur."
            )
        for ms, sql in slow:
            parts.append(f"- {ms:.1f} ms : `{sql[:300]}`")
            plan = plans.get(sql)
            if plan:
                parts.append("\n```\n" + plan + "\n```")
    if not parts:
        return ""
    return "### Requêtes les plus lentes des pages au-dessus de l'objectif\n\n" + "\n".join(parts)


def render(
    *,
    title: str,
    machine: dict,
    counts: dict,
    load: list[dict] | None,
    synthesis: dict | None,
    measures: list[Measure],
    plans: dict[str, str],
    runs: int,
    command: str,
) -> str:
    out = [
        f"### {title}",
        "",
        f"Commande : `{command}` — {runs} essais par page après échauffement.",
        "",
    ]
    out += ["#### Machine", "", _table(["", ""], [[k, v] for k, v in machine.items()]), ""]
    out += [
        "#### Données",
        "",
        _table(["", "nombre"], [[k, f"{v:,}".replace(",", " ")] for k, v in counts.items()]),
        "",
    ]
    if load:
        total = sum(t["seconds"] for t in load)
        rows = [[f"`{t['file']}`", t["rows"], f"{t['seconds']:.1f}", _load_result(t)] for t in load]
        rows.append(["**total**", sum(t["rows"] for t in load), f"**{total:.1f}**", ""])
        out += ["#### Import des fichiers (service `import_file`)", ""]
        out += [_table(["Fichier", "Lignes", "Durée (s)", "Résultat"], rows), ""]
        refused = refused_section(load)
        if refused:
            out += [refused, ""]
    if synthesis:
        rows = [
            ["Classes (`COPY`)", synthesis["classes"], f"{synthesis['classes_seconds']:.1f}"],
            ["Personnels (`COPY`)", synthesis["staff"], f"{synthesis['staff_seconds']:.1f}"],
            ["`VACUUM ANALYZE`", "", f"{synthesis['analyze_seconds']:.1f}"],
        ]
        if "figures_seconds" in synthesis:
            rows.append(
                [
                    "Chiffres par établissement (`refresh_school_figures`)",
                    synthesis["figures"],
                    f"{synthesis['figures_seconds']:.1f}",
                ]
            )
        out += ["#### Synthèse des classes et des personnels", ""]
        out += [_table(["Étape", "Lignes", "Durée (s)"], rows), ""]
    out += [f"#### Pages (objectif : médiane sous {TARGET_MS} ms)", "", pages_table(measures), ""]
    slow = slow_queries_section(measures, plans)
    if slow:
        out += [slow, ""]
    return "\n".join(out)


def write_report(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


def update_docs(
    text: str,
    doc: Path,
    *,
    start: str = START,
    end: str = END,
    heading: str = "## Mesures",
) -> None:
    """Replaces what lies between ``start`` and ``end`` in ``doc`` by ``text`` (or appends the
    block under ``heading``)."""
    content = doc.read_text(encoding="utf-8") if doc.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in content and end in content:
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        content = pattern.sub(lambda _: block, content)
    else:
        content = content.rstrip() + f"\n\n{heading}\n\n" + block + "\n"
    doc.write_text(content, encoding="utf-8")
