"""The list of operations of the documentation page, read from the OpenAPI description: for each
operation its method, path, summary, description, parameters (place, type in French, bounds,
description) and answers. A router mounted later appears on the page with no edit."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from tne.core.api.params import NBSP, hint_of

PLACES = {"path": "chemin", "query": "requête", "header": "en-tête", "cookie": "cookie"}
TYPES = {
    "string": "texte",
    "integer": "nombre entier",
    "number": "nombre",
    "boolean": f"booléen («{NBSP}true{NBSP}» ou «{NBSP}false{NBSP}»)",
    "array": "liste",
    "object": "objet",
}


@dataclass
class Parameter:
    name: str
    place: str
    required: bool
    kind: str
    description: str


@dataclass
class Answer:
    code: str
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[Parameter] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)


@dataclass
class Group:
    name: str
    anchor: str
    operations: list[Operation] = field(default_factory=list)


def french_typography(text: str) -> str:
    """No-break spaces before « : ; ! ? » and inside « » (the OpenAPI texts have plain ones)."""
    for plain, fixed in (
        (" :", NBSP + ":"),
        (" ;", NBSP + ";"),
        (" !", NBSP + "!"),
        (" ?", NBSP + "?"),
        ("« ", "«" + NBSP),
        (" »", NBSP + "»"),
    ):
        text = text.replace(plain, fixed)
    return text


def rich_text(text: str) -> SafeString:
    """``text`` escaped, with its Markdown `code` spans as ``<code>`` and French typography."""
    pieces = french_typography(text).split("`")
    return mark_safe(
        "".join(
            format_html("<code>{}</code>", piece) if i % 2 else escape(piece)
            for i, piece in enumerate(pieces)
        )
    )


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _fr_number(value: float) -> str:
    return str(value).replace(".", ",").removesuffix(",0")


def type_label(schema: dict, document: dict) -> str:
    """« nombre entier, de 1 à 500 », « texte, 100 caractères au plus », « REGION, COMMUNE… »."""
    schema = _resolve(schema, document)
    variants = [_resolve(s, document) for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if variants:
        schema = {**variants[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
        schema = _resolve(schema, document)
    if "enum" in schema:
        return "une valeur parmi " + ", ".join(str(v) for v in schema["enum"])
    parts = [TYPES.get(schema.get("type", ""), schema.get("type", "valeur"))]
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        parts.append(f"de {_fr_number(low)} à {_fr_number(high)}")
    elif low is not None:
        parts.append(f"au moins {_fr_number(low)}")
    elif high is not None:
        parts.append(f"au plus {_fr_number(high)}")
    if "pattern" in schema:
        parts.append(hint_of(schema["pattern"]) or f"motif {schema['pattern']}")
    elif "maxLength" in schema:
        parts.append(f"{schema['maxLength']}{NBSP}caractères au plus")
    if "default" in schema and schema["default"] is not None:
        parts.append(f"{_fr_number(schema['default'])} par défaut")
    return ", ".join(parts)


def _answer(description: str) -> str:
    return "Succès" if description == "OK" else description


def anchor(method: str, path: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in path.removeprefix("/api/v1/"))
    return f"op-{method}-{cleaned.strip('-')}".replace("--", "-")


def operations(document: dict) -> list[Group]:
    """The operations of the OpenAPI ``document``, grouped by their first tag, in its order."""
    groups: dict[str, Group] = {}
    for path, item in document.get("paths", {}).items():
        for method, spec in item.items():
            tag = (spec.get("tags") or ["Autres"])[0]
            group = groups.setdefault(tag, Group(tag, f"groupe-{len(groups) + 1}"))
            group.operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=french_typography(spec.get("summary", "")),
                    description=rich_text(spec.get("description", "")),
                    anchor=anchor(method, path),
                    parameters=[
                        Parameter(
                            name=p["name"],
                            place=PLACES.get(p.get("in", ""), p.get("in", "")),
                            required=bool(p.get("required")),
                            kind=type_label(p.get("schema", {}), document),
                            description=rich_text(p.get("description", "")),
                        )
                        for p in spec.get("parameters", [])
                    ],
                    answers=[
                        Answer(str(code), rich_text(_answer(answer.get("description", ""))))
                        for code, answer in sorted(
                            spec.get("responses", {}).items(), key=lambda c: str(c[0])
                        )
                    ],
                )
            )
    return list(groups.values())
