"""Form fields about the territory that any app's forms use (a module named so that importing it
is not importing territory's ``forms``)."""

from django import forms

from .enums import NodeKind
from .models import TerritoryNode


def node_label(node: TerritoryNode) -> str:
    """« Département — Aisne (02) »."""
    return f"{NodeKind(node.kind).label} — {node}"


class NodeChoiceField(forms.ModelChoiceField):
    """A choice of territory nodes, each named with its kind."""

    def label_from_instance(self, obj):
        return node_label(obj)
