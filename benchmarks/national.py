"""A deterministic national-scale Kolada replay: every municipality (290), 100 KPIs, 25 years, 3 sexes
(725 000 records, 2.175 M values). Synthetic; shaped like the real API so the real client and flow run against it."""

from __future__ import annotations

import numpy as np
import yaml

from sydstat.config import SCHEMAS_DIR
from sydstat.replay import KoladaDataset
from sydstat.sample import region_municipalities

N_KPIS, FIRST_YEAR, LAST_YEAR = 100, 2001, 2025


def municipality_codes(n: int = 290) -> list[str]:
    """The 38 real codes of the region, then synthetic 4-digit codes spread over the other counties."""
    real = [m["municipality_code"] for m in region_municipalities()]
    counties = [c for c in ("01", "03", "04", "05", "06", "07", "08", "09", "13", "14", "17", "18", "19", "20", "21",
                            "22", "23", "24", "25")]
    synthetic = [f"{counties[i % len(counties)]}{50 + i // len(counties):02d}" for i in range(n - len(real))]
    return real + synthetic


def dataset(n_kpis: int = N_KPIS) -> KoladaDataset:
    from datetime import date

    kpis = [f"B{n:05d}" for n in range(1, n_kpis + 1)]
    munis = municipality_codes()
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    rng = np.random.default_rng(20261123)
    base = rng.uniform(2, 60, size=(len(kpis), len(munis)))
    values = {}
    updated = date(2026, 1, 15)
    for k, kpi in enumerate(kpis):
        trend = rng.normal(0, 0.3, size=len(years)).cumsum()
        for m, muni in enumerate(munis):
            level = np.clip(base[k, m] + trend, 0, 100).round(1)
            for y, year in enumerate(years):
                v = float(level[y])
                values[(kpi, muni, year)] = {"values": {"T": v, "K": round(v * 1.03, 1), "M": round(v * 0.97, 1)},
                                             "updated": updated, "deleted": False}
    kpi_records = [{"id": k, "title": f"Syntetiskt nyckeltal {k}, andel (%)", "description": "Benchmark.",
                    "is_divided_by_gender": True, "municipality_type": "K", "publ_period": str(LAST_YEAR)}
                   for k in kpis]
    muni_records = [{"id": m, "title": f"Kommun {m}", "type": "K"} for m in munis]
    return KoladaDataset(kpis=kpi_records, municipalities=muni_records, values=values)


def write_catalog(folder, n_kpis: int = N_KPIS) -> None:
    """A catalogue for the benchmark: the KPIs above, all municipalities, the benchmark's years."""
    catalog = yaml.safe_load((SCHEMAS_DIR / "catalog" / "kolada.yaml").read_text(encoding="utf-8"))
    catalog["load"].update({"from_year": FIRST_YEAR, "to_year": LAST_YEAR, "municipalities": "all"})
    catalog["kpis"] = [{"id": f"B{n:05d}", "topic": "other"} for n in range(1, n_kpis + 1)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kolada.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
