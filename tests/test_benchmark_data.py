"""The benchmark's generator is deterministic and national in scale; the catalogue directory is configurable."""

import yaml

from benchmarks.national import dataset, municipality_codes, write_catalog


def test_generator_is_national_and_deterministic():
    codes = municipality_codes()
    assert len(codes) == len(set(codes)) == 290 and all(len(c) == 4 and c.isdigit() for c in codes)
    a, b = dataset(n_kpis=2), dataset(n_kpis=2)
    assert len(a.values) == 2 * 290 * 25 and a.values == b.values
    assert all(0 <= v <= 100 for rec in list(a.values.values())[:500] for v in rec["values"].values())


def test_benchmark_catalogue_is_used_through_the_env(tmp_path, monkeypatch):
    from core.catalog import configured_sources, load_catalog

    write_catalog(tmp_path, n_kpis=3)
    monkeypatch.setenv("SYDSTAT_CATALOG_DIR", str(tmp_path))
    catalog = load_catalog("kolada")
    assert [k["id"] for k in catalog["kpis"]] == ["B00001", "B00002", "B00003"]
    assert catalog["load"]["municipalities"] == "all" and configured_sources() == ["kolada"]
    assert yaml.safe_load((tmp_path / "kolada.yaml").read_text())["load"]["to_year"] == 2025
