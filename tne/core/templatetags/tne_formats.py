"""French numbers and plurals in templates (:mod:`tne.core.formats`)::

{% load tne_formats %}
{{ count|plural:"établissement|établissements" }}   → 1 234 établissements
{{ value|fr_number }} {{ ips|fr_decimal:1 }} {{ amount|euros }}
"""

from django import template

from tne.core import formats

register = template.Library()


@register.filter
def fr_number(value) -> str:
    return formats.fr_number(value)


@register.filter
def fr_decimal(value, places=None) -> str:
    return formats.fr_decimal(value, None if places in (None, "") else int(places))


@register.filter
def euros(value) -> str:
    return formats.euros(value)


@register.filter
def plural(count, forms: str) -> str:
    return formats.plural(count, forms)


@register.filter
def fr_typo(text) -> str:
    """« Bonjour : oui ; non ? » with the French no-break spaces (:func:`tne.core.formats.fr_typo`).
    The result is escaped by the template like any other text."""
    return formats.fr_typo(text)


@register.filter
def de(name, departement_code="") -> str:
    """``{{ school.name|de }}`` → « d'ECOLE DES REMPARTS », ``{{ dep.name|de:dep.code }}`` →
    « de l'Aisne » (:func:`tne.core.formats.de`)."""
    return formats.de(name, departement_code)


@register.filter
def file_size(size) -> str:
    """``{{ bytes|file_size }}`` → « 50 Mo » (:func:`tne.core.formats.file_size`)."""
    return formats.file_size(size)
