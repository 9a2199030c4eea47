"""Helpers of the page shell (``base.html``)."""

from django import template

register = template.Library()


@register.filter
def without_link(skiplinks, anchor: str) -> list[dict]:
    """The skip links but the one to ``anchor`` (``"#navigation"``): a page without the main
    navigation (signed out) must not offer a link to a missing target."""
    return [link for link in skiplinks or () if link.get("link") != anchor]


@register.simple_tag
def accessibility_level() -> str:
    """« non conforme », « partiellement conforme »…: what the footer link says, the same as the
    accessibility statement."""
    from tne.core.views import conformity

    return conformity()["level"]
