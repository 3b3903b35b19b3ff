"""The ingest flow of each source, found from its catalogue's `run.flow` (core/catalog.py `run_spec`): the nightly,
the CLI and the deployments call a source by name, and no module keeps its own list of sources."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from core.catalog import api_sources, run_spec


def ingest_flow(source: str) -> Callable[..., dict]:
    """The flow `run.flow` names: called as flow(full=, offline=, publish=, run_id=, allow_deletions=), and with
    `kpis=` where the catalogue says `ad_hoc_ids`."""
    spec = run_spec(source)
    if not spec.flow:
        raise ValueError(f"{source} has no ingest flow in its catalogue (source.run.flow): it is loaded from files")
    module, _, name = spec.flow.partition(":")
    return getattr(import_module(module), name)


def source_flows() -> dict[str, Callable[..., dict]]:
    """Every API source's flow, in the nightly's order."""
    return {source: ingest_flow(source) for source in api_sources()}
