"""The events sydstat emits (names and resources from DESIGN.md). prefect.yaml's triggers name these constants' values;
a test checks every trigger names an event the code emits."""

from __future__ import annotations

import logging

SOURCE_CHANGED = "sydstat.source.changed"
SOURCE_LOADED = "sydstat.source.loaded"
WAREHOUSE_PUBLISHED = "sydstat.warehouse.published"
INBOX_RECEIVED = "sydstat.inbox.received"
SOURCE_DRIFTED = "sydstat.source.drifted"  # `sydstat check` found the upstream no longer matching the catalogue
ALL_EVENTS = (SOURCE_CHANGED, SOURCE_LOADED, WAREHOUSE_PUBLISHED, INBOX_RECEIVED, SOURCE_DRIFTED)

log = logging.getLogger("sydstat.events")


def source_resource(source: str) -> dict:
    return {"prefect.resource.id": f"sydstat.source.{source}", "prefect.resource.name": source}


def warehouse_resource() -> dict:
    return {"prefect.resource.id": "sydstat.warehouse", "prefect.resource.name": "warehouse"}


def inbox_resource(file_name: str) -> dict:
    return {"prefect.resource.id": f"sydstat.inbox.{file_name}", "prefect.resource.name": file_name}


def emit(event: str, resource: dict, payload: dict | None = None) -> None:
    """Emit a Prefect event (a no-op without an events backend, e.g. in a plain in-process run)."""
    from prefect.events import emit_event

    if event not in ALL_EVENTS:
        raise ValueError(f"unknown sydstat event {event!r}")
    sent = emit_event(event=event, resource=resource, payload=payload or {})
    log.debug("event %s on %s: %s", event, resource["prefect.resource.id"], "sent" if sent else "no backend")
