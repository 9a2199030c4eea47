"""The history of devices: every service that changes a device writes its :class:`AssetEvent`
through :func:`log_events`, in the same transaction (one bulk insert for many devices)."""

from collections.abc import Iterable

from ..enums import AssetEventKind
from ..models import Asset, AssetEvent


def log_events(
    assets: Iterable[Asset],
    kind: AssetEventKind | str,
    *,
    actor=None,
    note: str = "",
    from_states: dict[int, str] | None = None,
) -> int:
    """One event per device, with its state before (``from_states[asset.pk]``, else blank) and
    after (its current ``state``) and its current school. Returns the number written."""
    from_states = from_states or {}
    actor = actor if actor is not None and actor.is_authenticated else None
    events = [
        AssetEvent(
            asset_id=asset.pk,
            kind=kind,
            from_state=from_states.get(asset.pk, ""),
            to_state=asset.state,
            school_id=asset.school_id,
            note=note[:255],
            actor=actor,
        )
        for asset in assets
    ]
    AssetEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)
