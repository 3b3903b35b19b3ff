"""The declarations of schemas/tables.yaml as typed specs: each target table's grain, how a batch writes it, the
suite its rows must have passed. Read once per process; warehouse/loader.py is the only reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import yaml

from core.config import SCHEMAS_DIR

TABLES_FILE = SCHEMAS_DIR / "tables.yaml"
WRITES = ("merge", "scd2", "replace")


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: list[str]
    write: str  # merge | scd2 | replace
    compare: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    columns: list[str] | None = None
    load_id: bool = False
    suite: str | None = None
    counted: bool = False
    follows: str | None = None
    change: str | None = None
    full_refresh: bool = False
    derived: dict | None = None
    refresh: dict | None = None

    def compare_columns(self, frame_columns: list[str]) -> list[str]:
        """The columns whose change is a change, among those the batch sends."""
        if self.compare is not None:
            return [c for c in self.compare if c in frame_columns]
        return [c for c in frame_columns if c not in self.key and c != "load_id" and c not in self.ignore]


@cache
def table_specs() -> dict[str, TableSpec]:
    """Table name → spec, in the file's order (the load order)."""
    raw = yaml.safe_load(TABLES_FILE.read_text(encoding="utf-8"))
    specs = {}
    for name, entry in raw.items():
        spec = TableSpec(name=name, **entry)
        if spec.write not in WRITES:
            raise ValueError(f"{TABLES_FILE.name}: {name}: write must be one of {WRITES}, not {spec.write!r}")
        if spec.follows and spec.follows not in specs:
            raise ValueError(f"{TABLES_FILE.name}: {name} follows {spec.follows}, which must be declared before it")
        if spec.write == "scd2" and not (spec.change or spec.follows):
            raise ValueError(f"{TABLES_FILE.name}: {name}: an scd2 table needs `change` (or `follows`)")
        specs[name] = spec
    return specs


def spec(table: str) -> TableSpec:
    try:
        return table_specs()[table]
    except KeyError:
        raise KeyError(f"{table} is not declared in {TABLES_FILE.name}: a load cannot write it") from None
