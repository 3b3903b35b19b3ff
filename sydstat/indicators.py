"""`sydstat indicators`: find what to add, and add it. `search WORDS` looks through Kolada's KPI catalogue (the whole
/kpi list, cached in $SYDSTAT_HOME/cache/ for a day) and SCB's tables (PxWebApi 2.0 `/tables?query=`); `add ID`
writes the Kolada entry into schemas/catalog/kolada.yaml, which stays the one source of truth (the next run's
catalogue scope change makes it a full refresh, so its history is loaded)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from core.catalog import catalog_dir, forget, load_catalog
from core.config import Settings

CACHE_HOURS = 24
TOPICS = ("unemployment", "segregation", "public_health", "population", "income", "education")
DIRECTIONS = ("higher_is_better", "higher_is_worse", "neutral")


@dataclass
class Found:
    source: str
    id: str
    title: str
    unit: str
    by_sex: bool | None
    municipality_type: str
    in_catalogue: bool


def kolada_catalogue(settings: Settings, refresh: bool = False) -> list[dict]:
    """Every KPI Kolada lists (id, title, description, is_divided_by_gender, municipality_type, …), cached."""
    cache = settings.home / "cache" / "kolada-kpi.json"
    if not refresh and cache.is_file() and time.time() - cache.stat().st_mtime < CACHE_HOURS * 3600:
        return json.loads(cache.read_text(encoding="utf-8"))
    from sources.http import HttpClient
    from sources.kolada import KoladaClient

    client = KoladaClient(settings.url("kolada"), HttpClient("kolada"))
    kpis = [r for page in client.kpis() for r in page.payload["values"]]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(kpis, ensure_ascii=False), encoding="utf-8")
    return kpis


def _matches(words: list[str], *texts: str) -> bool:
    haystack = " ".join(t or "" for t in texts).casefold()
    return all(w.casefold() in haystack for w in words)


def _unit(title: str) -> str:
    from transforms.kolada import parse_title

    return parse_title(title).get("unit") or ""


def search(
    settings: Settings, words: list[str], sources: tuple[str, ...] = ("kolada", "scb"), refresh: bool = False
) -> list[Found]:
    found: list[Found] = []
    if "kolada" in sources:
        ours = {str(k["id"]) for k in load_catalog("kolada")["kpis"]}
        for kpi in kolada_catalogue(settings, refresh):
            if _matches(words, kpi.get("id"), kpi.get("title"), kpi.get("description")):
                by_sex = kpi.get("is_divided_by_gender")
                found.append(
                    Found(
                        "kolada",
                        str(kpi["id"]),
                        kpi.get("title", ""),
                        _unit(kpi.get("title", "")),
                        str(by_sex).lower() == "true" if by_sex is not None else None,
                        str(kpi.get("municipality_type") or ""),
                        str(kpi["id"]) in ours,
                    )
                )
    if "scb" in sources:
        from sources.http import HttpClient
        from sources.pxweb import PxWebClient

        ours = {str(t.get("id")) for t in load_catalog("scb")["tables"]}
        client = PxWebClient("scb", settings.url("scb"), HttpClient("scb"), version="v2")
        for table in client.search_tables(" ".join(words)):  # the API matches any word: keep those with all
            if not _matches(words, table.get("id"), table.get("label"), table.get("description")):
                continue
            found.append(
                Found(
                    "scb",
                    table["id"],
                    table.get("label", ""),
                    "",
                    None,
                    f"{table.get('firstPeriod', '')}-{table.get('lastPeriod', '')}",
                    table["id"] in ours,
                )
            )
    return found


def add_kpi(
    settings: Settings,
    kpi_id: str,
    topic: str,
    theme: str | None = None,
    direction: str = "neutral",
    target_area: int | None = None,
) -> Path:
    """Append Kolada KPI `kpi_id` to the catalogue with its real title (from Kolada's catalogue). ValueError when it
    is unknown, already there, or the topic/direction is not one of the catalogue's."""
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
    if any(str(k["id"]) == kpi_id for k in load_catalog("kolada")["kpis"]):
        raise ValueError(f"{kpi_id} is already in the catalogue")
    kpi = next((k for k in kolada_catalogue(settings) if str(k["id"]) == kpi_id), None)
    if kpi is None:
        raise ValueError(f"Kolada does not list a KPI {kpi_id} (see `sydstat indicators search`)")
    title = kpi["title"].replace('"', "'")
    fields = [f"id: {kpi_id}", f'title: "{title}"', f"topic: {topic}"]
    if theme:
        fields.append(f'theme: "{theme}"')
    if target_area:
        fields.append(f"target_area: {int(target_area)}")
    fields.append(f"direction: {direction}")
    path = catalog_dir() / "kolada.yaml"
    text = path.read_text(encoding="utf-8")
    if not re.search(r"^kpis:\s*$", text, re.M):
        raise ValueError(f"{path} has no `kpis:` list to add to")
    path.write_text(text.rstrip("\n") + "\n  - {" + ", ".join(fields) + "}\n", encoding="utf-8")
    forget()  # the next read in this process sees the new entry
    return path
