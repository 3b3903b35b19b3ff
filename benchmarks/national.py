"""A deterministic national-scale Kolada replay: every municipality (290), 100 KPIs, 25 years, 3 sexes
(725 000 records, 2.175 M values). Synthetic; shaped like the real API so the real client and flow run against it."""

from __future__ import annotations

import numpy as np
import yaml

from core.config import SCHEMAS_DIR
from core.region import all_municipalities, region_municipalities
from sydstat.demo.replay import KoladaDataset

N_KPIS, FIRST_YEAR, LAST_YEAR = 100, 2001, 2025


def municipality_codes(n: int = 290) -> list[str]:
    """The real codes of all 290 municipalities (the checked-in seed), the region's first."""
    real = [m["municipality_code"] for m in region_municipalities()]
    return (real + [m["municipality_code"] for m in all_municipalities() if m["municipality_code"] not in real])[:n]


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
                values[(kpi, muni, year)] = {
                    "values": {"T": v, "K": round(v * 1.03, 1), "M": round(v * 0.97, 1)},
                    "updated": updated,
                    "deleted": False,
                }
    kpi_records = [
        {
            "id": k,
            "title": f"Syntetiskt nyckeltal {k}, andel (%)",
            "description": "Benchmark.",
            "is_divided_by_gender": True,
            "municipality_type": "K",
            "publ_period": str(LAST_YEAR),
        }
        for k in kpis
    ]
    muni_records = [{"id": m, "title": f"Kommun {m}", "type": "K"} for m in munis]
    return KoladaDataset(kpis=kpi_records, municipalities=muni_records, values=values)


def write_catalog(folder, n_kpis: int = N_KPIS) -> None:
    """A catalogue for the benchmark: the KPIs above, all municipalities, the benchmark's years."""
    catalog = yaml.safe_load((SCHEMAS_DIR / "catalog" / "kolada.yaml").read_text(encoding="utf-8"))
    catalog["load"].update({"from_year": FIRST_YEAR, "to_year": LAST_YEAR, "municipalities": "all"})
    catalog["kpis"] = [{"id": f"B{n:05d}", "topic": "other"} for n in range(1, n_kpis + 1)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kolada.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")


def write_area_and_register_catalogs(folder) -> None:
    """The SCB catalogue at national scope (every DeSO), and the registers' and Folkhälsodata's as they are."""
    for name in ("scb", "registers", "fohm"):
        catalog = yaml.safe_load((SCHEMAS_DIR / "catalog" / f"{name}.yaml").read_text(encoding="utf-8"))
        if name == "scb":
            catalog["load"]["municipalities"] = "all"
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")


def deso_dataset():
    """SCB's DeSO population by background for all 290 municipalities (~6 000 DeSO × 10 years × 2 × 2)."""
    from sydstat.demo.pxweb import PxDataset, generate

    return PxDataset(cells=generate(municipality_codes()))


def write_register_export(path, n_projects: int = 20_000) -> int:
    """An ESF+-format export (the real bilingual header, ';'-separated) with `n_projects` synthetic projects: owners
    with organisation numbers, amounts with space separators, HTML summaries with contact details to scrub, one to
    three municipalities or a whole county, and a contact person column that must never be loaded."""
    import csv

    from core.config import PROJECT_ROOT

    sample_header = (PROJECT_ROOT / "samples" / "esf_plus_sample.csv").read_text(encoding="utf-8").splitlines()[0]
    header = sample_header.split(";")
    names = [m["municipality_name"] for m in region_municipalities()]
    rng = np.random.default_rng(20_000)
    owners = [(f"Organisation {i} ideell förening", f"80{2000000 + i:08d}") for i in range(800)]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        for i in range(n_projects):
            owner, org_number = owners[int(rng.integers(len(owners)))]
            start = 2014 + int(rng.integers(11))
            budget = int(rng.integers(200_000, 20_000_000))
            picked = rng.integers(len(names), size=1 + int(rng.integers(3)))
            places = "Skåne" if rng.random() < 0.1 else ", ".join(sorted({names[int(k)] for k in picked}))
            row = {
                header[0]: f"BENCH-{start}-{i:05d}",
                header[1]: f"Syntetiskt benchmarkprojekt {i}",
                header[2]: owner,
                header[3]: org_number,
                header[4]: "2 Ökat arbetskraftsutbud",
                header[5]: "Genomförande",
                header[6]: "",
                header[7]: f"{budget:,}".replace(",", " "),
                header[8]: f"{budget // 2:,}".replace(",", " "),
                header[9]: "50%",
                header[10]: f"<p>Insats {i}. Kontakt: person{i}@example.org, 070-{i % 1000:03d} 12 34</p>",
                header[11]: f"{start}-01-01",
                header[12]: f"{start + 2}-12-31",
                header[13]: "ESF",
                header[14]: "Skåne",
                header[15]: "Arbetsförmedlingen, Lunds universitet",
                header[16]: places,
                header[17]: f"Kontakt Person {i}",
                header[18]: "ja",
            }
            writer.writerow([row[h] for h in header])
    return n_projects
