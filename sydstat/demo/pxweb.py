"""The fake SCB PxWebApi 2.0 for the demo and tests: SYNTHETIC DeSO/RegSO tables (replay_areas) and municipal
population by age (replay_population), every one in the shape of a real answer.

Speaks the real shapes: GET /config (limits), GET /tables?pastDays=N (change detection), GET
/tables/{id}/metadata (json-stat2 without values), POST /tables/{id}/data?outputFormat=json-stat2 with a
`selection` body; refuses queries over maxDataCells with a problem+json 400 naming the cell count, and answers a
table it does not have with a problem+json 404 — as the live API answers an id that does not exist. Missing cells
carry the status '..'. DeSO codes follow the real pattern (kkkk + A/B/C + 4 digits) on both grids; the counts are
invented, with a realistic uneven spread.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sydstat.demo import areas as ra
from sydstat.demo import population as rp
from sydstat.demo import sample

YEARS = [str(y) for y in range(2015, 2026)]


@dataclass
class PxTable:
    """One v2 table: its variables in cube order ({code: {value: label}}) and its cells keyed by one value of every
    variable, in that order — a dict, or a function of the key for big tables. `eliminated` variables are in the
    metadata (elimination: true) but the replay only answers queries that leave them out (SCB then sums them)."""

    id: str
    label: str
    dims: dict[str, dict[str, str]]
    cells: dict | Callable[[tuple], float | None]
    eliminated: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, key: tuple) -> float | None:
        return self.cells(key) if callable(self.cells) else self.cells.get(key)


@dataclass
class PxDataset:
    max_cells: int = 150_000
    max_calls: int = 30
    window: int = 10
    updated: datetime = field(default_factory=lambda: datetime(2026, 2, 20, 7, tzinfo=UTC))
    cells: dict = field(default_factory=dict)  # (DeSO 2018, background, sex, year) → persons
    tables: dict[str, PxTable] = field(default_factory=dict)

    def key_file(self) -> str:
        """The DeSO 2018 → RegSO 2020 key of these areas, as SCB's key file (the demo ingests it)."""
        return ra.key_csv(ra.profiles_of(self.cells))

    def __post_init__(self):
        if not self.cells:
            self.cells = generate()
        profiles = ra.profiles_of(self.cells)
        for table_id, label, build in (
            (
                ra.BACKGROUND_TABLE,
                "Folkmängden per region efter utländsk/svensk bakgrund, kön och år (SYNTETISK)",
                lambda p: ra.background(self.cells, p),
            ),
            (
                ra.BIRTH_TABLE,
                "Folkmängden per region efter födelseregion, kön och år (SYNTETISK)",
                lambda p: ra.birth_region(self.cells, p),
            ),
            (
                ra.ECONOMIC_TABLE,
                "Låg respektive hög ekonomisk standard efter region och ålder (SYNTETISK)",
                ra.economic_standard,
            ),
            (
                ra.EDUCATION_TABLE,
                "Befolkning 25-64 år efter region och utbildningsnivå (SYNTETISK)",
                ra.education_level,
            ),
            (
                ra.EDUCATION_2025_TABLE,
                "Befolkning 25-65 år efter region och utbildningsnivå (SYNTETISK)",
                ra.education_level_2025,
            ),
            (
                ra.LABOUR_TABLE,
                "Arbetsmarknadsstatus efter region (DeSO/RegSO), kön och ålder (SYNTETISK)",
                ra.labour_market_status,
            ),
            (ra.AREA_TYPE_TABLE, "Socioekonomiskt index per RegSO (SYNTETISK)", ra.area_types),
        ):
            if table_id not in self.tables:
                self.tables[table_id] = PxTable(table_id, label, *build(profiles))
        municipalities = {d[:4] for d in self.regions}
        names = {m["id"]: m["title"] for m in sample.municipality_records()}
        regions = {c: names.get(c, c) for c in sorted(municipalities)}
        dims, eliminated = rp.classic_dims(regions)
        self.tables.setdefault(
            rp.CLASSIC_TABLE,
            PxTable(
                rp.CLASSIC_TABLE,
                "Folkmängd efter region, civilstånd, ålder och kön. År 2010-2024 (SYNTETISK)",
                dims,
                rp.classic_value,
                eliminated,
            ),
        )
        self.tables.setdefault(
            rp.CKM_TABLE,
            PxTable(
                rp.CKM_TABLE,
                "Folkmängden per månad efter region, ålder och kön. År 2025M01-2026M04 (SYNTETISK)",
                rp.ckm_dims(regions),
                rp.ckm_value,
            ),
        )

    @property
    def regions(self) -> list[str]:
        return sorted({k[0] for k in self.cells})


def generate(municipality_codes: list[str] | None = None) -> dict:
    """Synthetic persons per DeSO 2018 × background × sex × year (2015-2025) for the 38 (default) or the given
    municipalities (the national benchmark passes all 290: ~6 000 DeSO, the real count's order of magnitude). The
    2025 grid is built from these in replay_areas."""
    cells = {}
    codes = municipality_codes or [m["municipality_code"] for m in sample.region_municipalities()]
    for code in codes:
        pressure = sample._pressure(code)
        n_deso = max(3, round((7000 + 110000 * sample._unit_random("pop", code) ** 3) / 1800))
        n_deso = {"1280": 190, "1283": 85, "1281": 70, "1290": 48}.get(code, n_deso)
        for i in range(n_deso):
            letter = "C" if i < n_deso * 0.7 else ("B" if i < n_deso * 0.9 else "A")
            deso = f"{code}{letter}{1010 + 10 * i:04d}"
            people = 1200 + int(1300 * sample._unit_random("deso", deso))
            # a few DeSOs concentrate the foreign-background population (more so where pressure is high)
            concentration = sample._unit_random("conc", deso) ** (3 - 2 * pressure)
            share = min(0.92, 0.06 + 0.25 * pressure + 0.6 * concentration * pressure)
            for year_index, year in enumerate(YEARS):
                total = people * (1 + 0.01 * year_index)
                foreign = total * min(0.95, share * (1 + 0.015 * year_index))
                for bg, count in (("1", foreign), ("2", total - foreign)):
                    cells[(deso, bg, "1", year)] = int(round(count * 0.505))
                    cells[(deso, bg, "2", year)] = int(round(count * 0.495))
    return cells


def _category(codes: dict[str, str] | list[str]) -> dict:
    labels = codes if isinstance(codes, dict) else {c: c for c in codes}
    return {"index": {c: i for i, c in enumerate(labels)}, "label": labels}


def _problem(status: int, title: str, detail: str) -> tuple[int, dict]:
    return status, {"type": "about:blank", "title": title, "status": status, "detail": detail}


def route(dataset: PxDataset, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
    parts = [p for p in path.split("/") if p][2:]  # drop api/v2
    if method == "GET" and parts == ["config"]:
        return 200, {
            "apiVersion": "2.3.2",
            "maxDataCells": dataset.max_cells,
            "maxCallsPerTimeWindow": dataset.max_calls,
            "timeWindow": dataset.window,
            "license": "https://creativecommons.org/share-your-work/public-domain/cc0/",
        }
    if method == "GET" and parts == ["tables"]:
        days = int(query.get("pastDays", ["36500"])[0])
        recent = dataset.updated >= datetime.now(UTC) - timedelta(days=days)
        tables = (
            [
                {
                    "id": t.id,
                    "label": t.label,
                    "updated": dataset.updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "firstPeriod": min(t.dims["Tid"]),
                    "lastPeriod": max(t.dims["Tid"]),
                }
                for t in dataset.tables.values()
            ]
            if recent
            else []
        )
        # free-text search: the real API matches ANY of the words (public clients of PxWebApi 2.0 note the OR)
        words = query.get("query", [""])[0].casefold().split()
        tables = [t for t in tables if not words or any(w in t["label"].casefold() for w in words)]
        return 200, {
            "language": "sv",
            "tables": tables,
            "page": {"pageNumber": 1, "pageSize": 1000, "totalElements": len(tables), "totalPages": 1, "links": []},
        }
    if len(parts) == 3 and parts[0] == "tables" and parts[1] in dataset.tables:
        return _table_route(dataset, dataset.tables[parts[1]], method, parts[2], body)
    if len(parts) >= 2 and parts[0] == "tables":
        return _problem(404, "Not Found", f"Table {parts[1]} was not found")
    return _problem(404, "Not Found", path)


def _table_route(dataset: PxDataset, table: PxTable, method: str, action: str, body: dict | None) -> tuple[int, dict]:
    full = {k: list(v) for k, v in table.dims.items()}
    if method == "GET" and action == "metadata":
        first, *rest = full  # the real metadata lists eliminable variables right after the region
        cube = {first: full[first], **{k: list(v) for k, v in table.eliminated.items()}, **{k: full[k] for k in rest}}
        return 200, _generic_cube(dataset, table, cube, with_values=False)
    if method == "POST" and action == "data":
        wanted = {s["variableCode"]: s["valueCodes"] for s in (body or {}).get("selection", [])}
        if set(wanted) & set(table.eliminated):
            return _problem(
                400,
                "Not supported by the replay",
                f"leave {sorted(table.eliminated)} out of the selection (SCB then sums it)",
            )
        dims = {k: [c for c in wanted.get(k, v) if c in v] for k, v in full.items()}
        cells = math.prod(len(v) for v in dims.values())
        if cells > dataset.max_cells:
            return _problem(
                400, "Too many cells", f"The query asks for {cells} cells; the limit is {dataset.max_cells}"
            )
        return 200, _generic_cube(dataset, table, dims, with_values=True)
    return _problem(404, "Not Found", action)


def _generic_cube(dataset: PxDataset, table: PxTable, dims: dict[str, list[str]], with_values: bool) -> dict:
    payload = {
        "version": "2.0",
        "class": "dataset",
        "label": table.label,
        "source": "SCB",
        "updated": dataset.updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            k: {
                "label": k,
                "category": _category({c: {**table.eliminated, **table.dims}[k][c] for c in v}),
                "extension": {"elimination": k not in ("ContentsCode", "Tid")},
            }
            for k, v in dims.items()
        },
        "extension": {"px": {"tableid": table.id}},
    }
    if with_values:
        payload["value"] = [table.value(combo) for combo in itertools.product(*dims.values())]
        payload["status"] = {str(i): ".." for i, v in enumerate(payload["value"]) if v is None}
    return payload


# -- Folkhälsodata (PxWeb v1 grammar) ---------------------------------------------------------------------------------
HLV_GENERAL = "A_Folkhalsodata/B_HLV/bFyshals/bbaFyshalsallman/hlv1allmxreg.px"
HLV_MENTAL = "A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px"


def _hlv_regions() -> dict[str, str]:
    """The nation, the region's counties and Halland (a neighbour outside the default region), as in the real table."""
    from core.region import counties, region

    names = {c["county_code"]: c["county_name"] for c in counties()}
    return {"00": "Riket", **{c: names[c] for c in sorted({*region().county_codes, "13"})}}


HLV_SEX = {"00": "Totalt", "01": "Kvinnor", "02": "Män"}
HLV_MEASURES = {
    "01": "Andel",
    "02": "Konfidensintervall nedre gräns",
    "03": "Konfidensintervall övre gräns",
    "04": "Antal svar",
}
# the real table's pooled periods, gaps included (no 2014-2017 or 2016-2019 window)
HLV_PERIODS = [
    f"{y}-{y + 3}" for y in (2004, 2005, 2006, 2007, 2008, 2009, 2010, 2011, 2012, 2013, 2015, 2017, 2018, 2019)
]


@dataclass
class V1Table:
    """A Folkhälsodata table: its variables in order ({code: {value: text}}), which may be eliminated, and its cells
    as a function of one value of every variable."""

    title: str
    variables: dict[str, dict[str, str]]
    value: Callable[[tuple], float | None]
    eliminable: tuple[str, ...] = ()
    updated: str | None = None  # the folder listing's stamp for this table (the dataset's when None)


def _survey_cell(outcomes: dict[str, float]) -> Callable[[tuple], float | None]:
    """SYNTHETIC survey answers: a share per region, outcome, sex and period, its 95 % interval from the number of
    answers (a county answers far fewer than the nation), and the number of answers itself."""
    answers = {"00": 60000, "10": 2400, "12": 9000, "13": 2300}  # any other county: 3 000

    def cell(key: tuple) -> float | None:
        region, outcome, measure, sex, period = key
        n = answers.get(region, 3000) // (1 if sex == "00" else 2)
        drift = (int(period[:4]) - 2004) * 0.15 * (1 if outcomes[outcome] < 50 else -1)
        sex_gap = {"00": 0.0, "01": 2.0, "02": -2.0}[sex]
        share = outcomes[outcome] + drift + sex_gap + 4 * (sample._unit_random("hlv", region, outcome) - 0.5)
        half = 196 * math.sqrt(share / 100 * (1 - share / 100) / n)
        return {"01": round(share, 1), "02": round(share - half, 1), "03": round(share + half, 1), "04": float(n)}[
            measure
        ]

    return cell


@dataclass
class FohmDataset:
    """SYNTHETIC Folkhälsodata: two survey tables (self-rated health, mental health) by county, sex and pooled
    four-year period. As in real PxWeb v1, a table's metadata has no `updated`: only the folder listing (GET on the
    folder: items {id, type, text, updated}) says when a table changed."""

    max_values: int = 150_000
    updated: str = "2026-03-02T09:00:00"
    tables: dict[str, V1Table] = field(default_factory=dict)

    def __post_init__(self):
        general = {"1": "Bra eller mycket bra hälsa", "2": "Dålig eller mycket dålig hälsa", "3": "Långvarig sjukdom"}
        self.tables.setdefault(
            HLV_GENERAL,
            V1Table(
                "Självskattat allmänt hälsotillstånd efter region, kön och år (SYNTETISKA DEMODATA)",
                {
                    "Region": _hlv_regions(),
                    "Hälsotillstånd": general,
                    "Andel och konfidensintervall": {
                        "01": "Andel",
                        "02": "Konfidensintervall nedre gräns",
                        "03": "Konfidensintervall övre gräns",
                        "04": "Antal svar",
                    },
                    "Kön": HLV_SEX,
                    "År": {p: p for p in HLV_PERIODS},
                },
                _survey_cell({"1": 71.0, "2": 6.5, "3": 38.0}),
            ),
        )
        self.tables.setdefault(
            HLV_MENTAL,
            V1Table(
                "Psykisk hälsa efter region, kön och år (SYNTETISKA DEMODATA)",
                {
                    "Region": _hlv_regions(),
                    "Psykisk hälsa": {"35": "Nedsatt psykiskt välbefinnande", "40": "Suicidtankar", "48": "Sömnbesvär"},
                    "Andel och konfidensintervall": HLV_MEASURES,
                    "Kön": HLV_SEX,
                    "År": {p: p for p in HLV_PERIODS},
                },
                _survey_cell({"35": 16.0, "40": 4.0, "48": 34.0}),
            ),
        )


def route_v1(dataset: FohmDataset, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
    name = path.split("/api/v1/sv/", 1)[1] if "/api/v1/sv/" in path else ""
    if method == "GET" and name in ("", "/") and "config" in query:
        return 200, {
            "apiVersion": "1.1.0",
            "maxValues": dataset.max_values,
            "maxCalls": 30,
            "timeWindow": 10,
            "CORS": True,
        }
    table = dataset.tables.get(name)
    folder = name.strip("/")
    if table is None and method == "GET" and any(t.startswith(folder + "/") for t in dataset.tables):
        return 200, _folder_listing(dataset, folder)
    if table is None:
        return 404, {"error": f"no table {name}"}
    if method == "GET":
        return 200, {
            "title": table.title,
            "variables": [
                {
                    "code": code,
                    "text": code,
                    "values": list(values),
                    "valueTexts": list(values.values()),
                    **({"elimination": True} if code in table.eliminable else {}),
                    **({"time": True} if code in ("Tid", "År") else {}),
                }
                for code, values in table.variables.items()
            ],
        }
    wanted = {q["code"]: q["selection"]["values"] for q in (body or {}).get("query", [])}
    dims = {k: [c for c in wanted.get(k, list(v)) if c in v] for k, v in table.variables.items()}
    cells = math.prod(len(v) for v in dims.values())
    if cells > dataset.max_values:
        return 403, {"error": f"Too many values selected: {cells} > {dataset.max_values}"}
    values, status = [], {}
    for key in itertools.product(*dims.values()):
        value = table.value(key)
        if value is None:
            status[str(len(values))] = ".."
        values.append(value)
    return 200, {
        "version": "2.0",
        "class": "dataset",
        "label": table.title,
        "source": "Folkhälsomyndigheten",
        "updated": table.updated or dataset.updated,
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "role": {"time": [list(dims)[-1]], "metric": []},
        "dimension": {
            k: {"label": k, "category": _category({c: table.variables[k][c] for c in v})} for k, v in dims.items()
        },
        "value": values,
        "status": status,
    }


def _folder_listing(dataset: FohmDataset, folder: str) -> list[dict]:
    """A v1 folder: its tables ({id, type 't', text, updated}) and subfolders ({id, type 'l', text})."""
    items, seen = [], set()
    for path, table in dataset.tables.items():
        rest = path[len(folder) + 1 :] if path.startswith(folder + "/") else None
        if rest is None:
            continue
        head, _, tail = rest.partition("/")
        if not tail:
            items.append({"id": head, "type": "t", "text": table.title, "updated": table.updated or dataset.updated})
        elif head not in seen:
            seen.add(head)
            items.append({"id": head, "type": "l", "text": head})
    return items
