"""`make bench`: the national-scale benchmark. Prints a table and writes $SYDSTAT_HOME/bench/<timestamp>.json.

One run measures, against the same local replay (benchmarks/national.py): a plain baseline script (requests +
pandas + one DuckDB insert); our full build (snapshots + validation + load + publish + Parquet, through the real
flow); a no-op incremental run; load throughput against a bare `INSERT … SELECT * FROM arrow_table`; Parquet
export; and p50/p95 of typical analyst queries. Each pipeline stage runs in its own process so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = 5000


def stage_baseline(url: str) -> dict:
    """The plain script: follow the same chunked URLs page by page, flatten with pandas, one DuckDB insert."""
    import duckdb
    import pandas as pd
    import requests

    from benchmarks.national import FIRST_YEAR, LAST_YEAR, N_KPIS, municipality_codes
    from sources.kolada import chunks

    started, session, rows, n_requests = time.monotonic(), requests.Session(), [], 0
    kpis = [f"B{n:05d}" for n in range(1, N_KPIS + 1)]
    for kc in chunks(kpis):
        for mc in chunks(municipality_codes()):
            for yc in chunks([str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]):
                next_url = f"{url}/data/kpi/{','.join(kc)}/municipality/{','.join(mc)}/year/{','.join(yc)}"
                params = {"per_page": PAGE}
                while next_url:
                    page = session.get(next_url, params=params, timeout=60).json()
                    n_requests += 1
                    for r in page["values"]:
                        for v in r["values"]:
                            rows.append((r["kpi"], r["municipality"], r["period"], v["gender"], v["value"]))
                    next_url, params = page.get("next_url"), None
    frame = pd.DataFrame(rows, columns=["kpi", "municipality", "period", "gender", "value"])
    con = duckdb.connect(str(Path(tempfile.mkdtemp()) / "baseline.duckdb"))
    con.execute("CREATE TABLE v AS SELECT * FROM frame").fetchall()
    return {"seconds": time.monotonic() - started, "rows": len(frame), "requests": n_requests}


def stage_pipeline(full: bool) -> dict:
    from flows.kolada import ingest_kolada

    started = time.monotonic()
    summary = ingest_kolada(full=full)
    batch = summary["batches"][0]
    return {
        "seconds": time.monotonic() - started,
        "rows_received": batch["rows_received"],
        "rows_written": batch["rows_inserted"] + batch["rows_updated"] + batch["rows_deleted"],
        "rows_loaded": batch["rows_inserted"],
        "load_seconds": batch["seconds"],
        "requests": batch["requests"],
        "data_requests": None,
    }


def stage_scb() -> dict:
    """Every SCB table of the catalogue through the real flow (PxWebApi 2.0 replay): for all ~6 000 DeSO, on both
    grids, the population by background, birth region, economic standard, education level and labour-market status;
    RegSO area types; population by municipality and age."""
    from flows.scb import ingest_scb

    started = time.monotonic()
    summary = ingest_scb(full=True)
    batches = summary["batches"]
    return {
        "seconds": time.monotonic() - started,
        "rows_loaded": sum(b["rows_inserted"] for b in batches),
        "requests": batches[-1]["requests"],
        "tables": len(batches),
    }


def stage_registers(path: str) -> dict:
    """A 20 000-project ESF+ export through `ingest_register_file` (PII scrubbed, names resolved, SCD2 load)."""
    from flows.registers import ingest_register_file

    started = time.monotonic()
    summary = ingest_register_file(path, synthetic=True)
    batch = summary["batches"][0]
    return {
        "seconds": time.monotonic() - started,
        "projects_loaded": batch["rows_inserted"],
        "quarantined": batch["rows_quarantined"],
        "load_seconds": batch["seconds"],
    }


def stage_load_ratio(published: str) -> dict:
    """Our loader (MERGE into an empty fact table) vs a bare INSERT … SELECT * FROM arrow of the same rows."""
    import duckdb

    from warehouse.db import open_work_db
    from warehouse.loader import FACT_KEY
    from warehouse.merge import merge_frame

    src = duckdb.connect(published, read_only=True)
    arrow = src.execute("SELECT * FROM fct_indicator_value").to_arrow_table()
    src.close()
    frame = arrow.to_pandas()
    folder = Path(tempfile.mkdtemp())
    bare = duckdb.connect(str(folder / "bare.duckdb"))
    bare.execute("CREATE TABLE t AS SELECT * FROM arrow LIMIT 0").fetchall()
    t0 = time.monotonic()
    bare.execute("INSERT INTO t SELECT * FROM arrow").fetchall()
    bare_seconds = time.monotonic() - t0
    ours = open_work_db(folder / "ours.duckdb")
    t0 = time.monotonic()
    ours.begin()
    merge_frame(ours, "fct_indicator_value", frame, FACT_KEY, compare=["value", "status"])
    ours.commit()
    ours_seconds = time.monotonic() - t0
    return {"rows": arrow.num_rows, "bare_seconds": bare_seconds, "ours_seconds": ours_seconds}


def stage_export_and_queries(published: str) -> dict:
    import duckdb

    from warehouse.export import export_parquet

    con = duckdb.connect(published, read_only=True)
    t0 = time.monotonic()
    export_parquet(con, Path(tempfile.mkdtemp()) / "parquet", "bench")
    export_seconds = time.monotonic() - t0
    queries = [
        "SELECT year, sex, avg(value) FROM indicator_values WHERE indicator_id = 'B00001' GROUP BY ALL",
        "SELECT municipality_name, value FROM indicator_values WHERE indicator_id = 'B00050' AND year = 2025 "
        "AND sex = 'T' ORDER BY value DESC LIMIT 10",
        "SELECT * FROM indicator_values WHERE municipality_code = '1282' AND year >= 2015",
        "SELECT indicator_id, corr(value, year) FROM indicator_values WHERE sex = 'T' GROUP BY 1",
    ]
    timings = []
    for _ in range(10):
        for q in queries:
            t0 = time.monotonic()
            con.execute(q).fetchall()
            timings.append((time.monotonic() - t0) * 1000)
    timings.sort()
    return {
        "export_seconds": export_seconds,
        "query_p50_ms": statistics.median(timings),
        "query_p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "queries": len(timings),
    }


class PrefectServer:
    """A real `prefect server start` on 127.0.0.1 for the flow stages, as deployed (started outside the timings):
    without it every stage process would start Prefect's temporary server (~8-13 s each)."""

    def __init__(self, env: dict, log: Path):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.api = f"http://127.0.0.1:{port}/api"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self) -> PrefectServer:
        import urllib.request

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.api}/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(1)
        self.__exit__()
        raise SystemExit("the Prefect server did not start within 180 s")

    def __exit__(self, *exc) -> None:
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def run_stage(name: str, env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--stage", name, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if out.returncode != 0:
        raise SystemExit(f"stage {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--kpis", type=int, default=100, help="KPIs in the replay (default 100 → 725 000 records)")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="requests/s to the replay (default 0 = unlimited, like the baseline script; the real "
        "Kolada client's politeness default is 5/s)",
    )
    args, rest = parser.parse_known_args(argv)
    if args.stage:
        result = {
            "baseline": lambda: stage_baseline(os.environ["SYDSTAT_KOLADA_URL"]),
            "full": lambda: stage_pipeline(True),
            "noop": lambda: stage_pipeline(False),
            "load_ratio": lambda: stage_load_ratio(rest[0]),
            "scb": stage_scb,
            "registers": lambda: stage_registers(rest[0]),
            "export_queries": lambda: stage_export_and_queries(rest[0]),
        }[args.stage]()
        result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps(result))
        return 0

    from benchmarks.national import (
        dataset,
        deso_dataset,
        write_area_and_register_catalogs,
        write_catalog,
        write_register_export,
    )
    from core.config import load_settings
    from sydstat.demo.replay import ReplayServer

    settings = load_settings()
    work = Path(tempfile.mkdtemp(prefix="sydstat-bench-"))
    write_catalog(work / "catalog", args.kpis)
    write_area_and_register_catalogs(work / "catalog")
    register_export = work / "esf_plus_national.csv"
    n_projects = write_register_export(register_export)
    print(f"generating the national replay ({args.kpis} KPIs × 290 municipalities × 25 years)…", flush=True)
    data = dataset(args.kpis)
    records = len(data.values)
    (work / "home").mkdir(parents=True)
    (work / "home" / "sydstat.toml").write_text(f"[sources.kolada]\nrate_per_second = {args.rate or 1e6}\n")
    env = {
        **os.environ,
        "SYDSTAT_HOME": str(work / "home"),
        "SYDSTAT_CATALOG_DIR": str(work / "catalog"),
        "SYDSTAT_REGION": "all",  # the whole country as the region: national scale by configuration
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "GX_ANALYTICS_ENABLED": "False",
    }
    print("starting a Prefect server (outside the timings)…", flush=True)
    deso = deso_dataset()
    with ReplayServer(dataset=data, pxweb=deso) as server, PrefectServer(env, work / "prefect-server.log") as prefect:
        env = {**env, "SYDSTAT_KOLADA_URL": server.url, "SYDSTAT_SCB_URL": server.scb_url}
        print("baseline script…", flush=True)
        baseline = run_stage("baseline", env)
        print("full build through the flow…", flush=True)
        server.requests.clear()
        full = run_stage("full", {**env, "PREFECT_API_URL": prefect.api})
        full["data_requests"] = server.data_requests()
        print("no-op incremental run…", flush=True)
        server.requests.clear()
        noop = run_stage("noop", {**env, "PREFECT_API_URL": prefect.api})
        noop["data_requests"] = server.data_requests()
        print(f"SCB DeSO population ({len(deso.regions)} DeSO)…", flush=True)
        scb = run_stage("scb", {**env, "PREFECT_API_URL": prefect.api})
        print(f"register export ({n_projects} projects)…", flush=True)
        registers = run_stage("registers", {**env, "PREFECT_API_URL": prefect.api}, str(register_export))
    published = str(work / "home" / "warehouse.duckdb")
    print("load throughput, Parquet export, queries…", flush=True)
    load = run_stage("load_ratio", env, published)
    exq = run_stage("export_queries", env, published)
    minimum = math.ceil(records / PAGE)
    report = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": records,
        "rows_loaded": full["rows_loaded"],
        "full_build_seconds": full["seconds"],
        "full_rows_per_second": full["rows_loaded"] / full["seconds"],
        "requests_ratio_to_minimum": full["data_requests"] / minimum,
        "data_requests": full["data_requests"],
        "minimum_data_requests": minimum,
        "noop_rows_written": noop["rows_written"],
        "noop_data_requests": noop["data_requests"],
        "noop_seconds": noop["seconds"],
        # throughput ratio: our rows/s ÷ the bare insert's rows/s (1.0 = as fast; higher is better)
        "load_throughput_ratio_to_bare_duckdb": load["bare_seconds"] / load["ours_seconds"],
        "load_time_ratio_to_bare_duckdb": load["ours_seconds"] / load["bare_seconds"],
        "full_refresh_ratio_to_baseline_script": full["seconds"] / baseline["seconds"],
        "baseline_seconds": baseline["seconds"],
        "baseline_peak_rss_bytes": baseline["peak_rss_bytes"],
        "peak_rss_bytes": full["peak_rss_bytes"],
        "parquet_export_seconds": exq["export_seconds"],
        "query_p50_ms": exq["query_p50_ms"],
        "query_p95_ms": exq["query_p95_ms"],
        "kolada_rate_per_second": args.rate or None,
        "prefect": "running server (as deployed)",
        "deso_areas": len(deso.regions),
        "scb_rows_loaded": scb["rows_loaded"],
        "scb_seconds": scb["seconds"],
        "scb_requests": scb["requests"],
        "scb_tables": scb["tables"],
        "register_projects": n_projects,
        "register_projects_loaded": registers["projects_loaded"],
        "register_seconds": registers["seconds"],
        "stages": {
            "baseline": baseline,
            "full": full,
            "noop": noop,
            "scb": scb,
            "registers": registers,
            "load": load,
            "export_queries": exq,
        },
    }
    out = settings.home / "bench" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    width = max(len(k) for k in report)
    for key, value in report.items():
        if key != "stages":
            print(f"{key:<{width}}  {value:,.3f}" if isinstance(value, float) else f"{key:<{width}}  {value}")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
