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
