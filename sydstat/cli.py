"""`sydstat` command line. Thin: every command calls a flow or a warehouse helper.

`status` and `query` stay fast: they import neither Prefect nor Great Expectations (checked by a test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from core.config import PROJECT_ROOT, ConfigError, load_settings

SAMPLE_REGISTER = PROJECT_ROOT / "samples" / "esf_plus_sample.csv"
EXAMPLE_QUERY = (
    "SELECT municipality_name, year, sex, value FROM indicator_values "
    "WHERE indicator_id = 'N03920' AND municipality_code = '1282' ORDER BY year, sex"
)

DESCRIPTION = """\
sydstat — the open data warehouse for social sustainability in Sydsverige (the 38 municipalities of Skåne and
Blekinge). Pulls Kolada, SCB (PxWebApi 2.0) and Folkhälsodata, and ingests project registers (ESF+, Tillväxtverket,
Kohesio); archives every raw response, validates it with Great Expectations and loads a DuckDB star schema; analysts
query the published copy (`query`, Parquet) and read the HTML report (`report`).

Configuration (environment wins over sydstat.toml in the working directory or $SYDSTAT_HOME):
  SYDSTAT_HOME         data folder (default ./data): warehouse.duckdb, work/, raw/, parquet/, reports/, inbox/
  SYDSTAT_KOLADA_URL   Kolada v3 base URL (default https://api.kolada.se/v3)
  SYDSTAT_SCB_URL      SCB PxWebApi 2.0 base URL (default https://statistikdatabasen.scb.se/api/v2)
  SYDSTAT_FOHM_URL     Folkhälsodata PxWeb v1 base URL
"""


def _fail(message: str, code: int = 1) -> int:
    print(f"sydstat: error: {message}", file=sys.stderr)
    return code


def _setup_logging(verbose: bool) -> None:
    import logging

    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        datefmt="[%X]",
        handlers=[RichHandler(show_path=False, markup=False)],
    )
    for noisy in ("httpx", "urllib3", "great_expectations", "prefect.server", "alembic", "docket", "uvicorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _print_summary(summary: dict) -> None:
    from rich.console import Console

    console = Console()
    for batch in summary.get("batches", []):
        if batch["load_id"] is None:  # a table whose change probe said "unchanged": not downloaded, no batch
            console.print(
                f"[bold]{summary['source']}[/] {batch.get('dataset') or ''}: unchanged upstream since its "
                f"last load — not downloaded"
            )
            continue
        console.print(
            f"[bold]{summary['source']}[/] {batch['mode']} batch {batch['load_id']}: {batch['status']} — "
            f"{batch['rows_received']} {_row_word(summary['source'])} "
            f"received, +{batch['rows_inserted']} new, "
            f"~{batch['rows_updated']} updated, -{batch['rows_deleted']} deleted, "
            f"{batch['rows_quarantined']} quarantined, {batch['requests']} requests, "
            f"{batch['seconds']:.1f}s load"
        )
        if batch["status"] == "unchanged":
            console.print("  nothing new upstream: the warehouse is unchanged")
        if batch.get("quarantined"):
            console.print(
                f"  [yellow]{batch['quarantined']} rows quarantined[/]: see meta.quarantine and the "
                f"validation report {batch.get('docs') or ''}"
            )
    for warning in summary.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}")


def _row_word(source: str) -> str:
    """What a source's rows are called (its catalogue's `run.rows`)."""
    from core.catalog import configured_sources, run_spec

    return run_spec(source).rows if source in configured_sources() else "values"


def cmd_run(args: argparse.Namespace) -> int:
    _setup_logging(args.verbose)
    from core.catalog import api_sources, run_spec

    kpis = [k.strip() for k in args.kpi.split(",") if k.strip()] if args.kpi else None
    known = api_sources()
    if args.source and args.source not in known:
        return _fail(f"unknown source {args.source!r}; known: {', '.join(known)}", 2)
    takes_ids = [s for s in known if run_spec(s).ad_hoc_ids]
    if kpis and (args.source or takes_ids[0]) not in takes_ids:
        return _fail(f"--kpi only applies to --source {' or '.join(takes_ids)}", 2)
    if args.offline and kpis:
        return _fail("--offline rebuilds what was archived; it takes no --kpi", 2)
    from flows.common import RunIncomplete
    from flows.nightly import nightly
    from flows.registry import ingest_flow

    allow = getattr(args, "allow_deletions", False)
    try:
        if kpis:
            _print_summary(
                ingest_flow(args.source or takes_ids[0])(
                    kpis=kpis, full=args.full, offline=args.offline, allow_deletions=allow
                )
            )
        elif args.source:
            _print_summary(ingest_flow(args.source)(full=args.full, offline=args.offline, allow_deletions=allow))
        else:
            result = nightly(full=args.full, offline=args.offline, allow_deletions=allow)
            for summary in result["sources"].values():
                _print_summary(summary)
    except RunIncomplete as exc:  # what loaded was published; the last lines name every failed table and why
        for summary in exc.summaries:
            _print_summary(summary)
        print(
            f"sydstat: {len(exc.failures)} failed (the rest loaded and was published; see `sydstat status`):",
            file=sys.stderr,
        )
        for line in exc.failures:
            print(f"  failed: {line}", file=sys.stderr)
        return 1
    except Exception as exc:  # one line for the user; details are in the log above and in meta.load_batch
        return _fail(_one_line(exc))
    return 0


def _one_line(exc: BaseException) -> str:
    """An error for the terminal; a full disk is said so whatever layer it surfaced in."""
    text = f"{type(exc).__name__}: {exc}"
    if "No space left on device" in text or getattr(exc, "errno", None) == 28:
        return f"disk full — nothing of this batch was loaded; free space under $SYDSTAT_HOME and run again ({text})"
    return text


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled synthetic sample on 127.0.0.1 and run the real pipeline against it."""
    from sydstat.demo.replay import ReplayServer

    settings = load_settings()
    with ReplayServer() as server:
        os.environ["SYDSTAT_KOLADA_URL"] = server.url
        os.environ["SYDSTAT_SCB_URL"] = server.scb_url
        os.environ["SYDSTAT_FOHM_URL"] = server.fohm_url
        print(
            f"Offline demo: local replay servers for Kolada v3 ({server.url}), SCB PxWebApi 2.0 "
            f"({server.scb_url}) and Folkhälsodata PxWeb v1 ({server.fohm_url}) serve the bundled SYNTHETIC "
            f"sample (38 municipalities: 25 KPIs 2010-2025; DeSO population by background, birth region, economic "
            f"standard, education level and labour-market status 2015-2025 on both DeSO grids (2018 and 2025), "
            f"with SCB's total codes and off-grid cells as the real tables have them; RegSO area types on RegSO "
            f"2020 and 2025; population by age and sex 2015-2025 across SCB's 2025 series break; survey health "
            f"outcomes for Skåne, Blekinge and Sweden with confidence intervals, pooled 2004-2022)."
        )
        started = time.monotonic()
        args.offline, args.kpi, args.full = False, None, True
        from core.catalog import api_sources

        for source in api_sources():
            args.source = source
            code = cmd_run(args)
            if code:
                return code
        print(f"({len(server.requests)} requests in all, {time.monotonic() - started:.1f}s)")
        print("\nDeSO → RegSO key of the replay's areas (SCB's key-file shape, synthetic names):")
        import tempfile

        with tempfile.TemporaryDirectory(prefix="sydstat-demo-") as folder:  # archived on ingest, so rebuilds have it
            key = Path(folder) / "deso_regso_2018_2020.csv"
            key.write_text(server.pxweb.key_file(), encoding="utf-8")
            args.file = str(key)
            code = cmd_ingest(args, synthetic=True)
        if code:
            return code
    print("\nProject register sample (the founding ESF project + synthetic examples):")
    args.file = str(SAMPLE_REGISTER)
    code = cmd_ingest(args)
    if code:
        return code
    import duckdb

    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM fct_indicator_value), (SELECT count(DISTINCT municipality_code) "
            "FROM indicator_values WHERE geo_level = 'municipality'), (SELECT count(DISTINCT indicator_id) FROM "
            "fct_indicator_value), (SELECT min(year) || '-' || max(year) FROM indicator_values), "
            "(SELECT count(*) FROM projects), "
            "(SELECT count(DISTINCT municipality_code) || ' municipalities, ' || min(year) || '-' || max(year) "
            " || ', ' || count(DISTINCT grouping) || ' groupings' FROM segregation_indices), "
            "(SELECT count(DISTINCT municipality_name) FROM indicator_values WHERE geo_level = 'county'), "
            "(SELECT min(year) || '-' || max(year) FROM fct_population), "
            "(SELECT string_agg(classification || ' ' || years, ', ' ORDER BY classification) FROM (SELECT "
            " classification, string_agg(grid || ' ' || years, ' + ' ORDER BY grid) AS years FROM (SELECT "
            " classification, grid, CASE WHEN min(year) = max(year) THEN min(year)::VARCHAR "
            " ELSE min(year) || '-' || max(year) END AS years FROM fct_area_population GROUP BY ALL) "
            " GROUP BY 1))"
        ).fetchone()
    finally:
        con.close()
    import shutil

    command = "sydstat" if shutil.which("sydstat") else os.path.relpath(Path(sys.executable).parent / "sydstat")
    print(
        f"\nWarehouse: {settings.published_db}\n  {counts[0]} values, {counts[1]} municipalities, {counts[2]} "
        f"indicators, years {counts[3]}; {counts[4]} projects;\n  survey values also for {counts[6]} counties "
        f"and the nation;\n  DeSO population by {counts[8]};\n  segregation indices (DeSO) for {counts[5]};\n"
        f"  population by age {counts[7]}.\n"
        f"Parquet for BI tools: {settings.parquet_dir}\n"
        f"  NOTE: the indicator values are SYNTHETIC (dim_source.is_synthetic), not real statistics; the register\n"
        f"  sample is the real founding ESF project plus synthetic examples (dim_project.is_synthetic).\n"
        f'Try:\n  {command} query "{_example_query()}"\n  {command} status'
    )
    print("\nHTML report (region overview + one page per municipality):")
    args.municipality, args.out = None, None
    return cmd_report(args)


def cmd_check(args: argparse.Namespace) -> int:
    """Preflight the catalogue against the live APIs (or SYDSTAT_*_URL): OK or the drift, per table and KPI."""
    from core.catalog import api_sources
    from core.region import region_municipalities
    from flows.check import as_json, render, run_check

    known = api_sources()
    sources = [args.source] if args.source else known
    if args.source and args.source not in known:
        return _fail(f"{args.source} is loaded from files, not an API; check knows {', '.join(known)}", 2)
    results = run_check(load_settings(), sources, {m["municipality_code"] for m in region_municipalities()})
    if args.json:
        print(json.dumps(as_json(results), ensure_ascii=False, indent=2))
    else:
        print(render(results))
    return 0 if all(r.ok for r in results) else 1


def _example_query() -> str:
    """The example query, on Landskrona in the default region, else on the region's first municipality."""
    from core.region import region

    codes = region().municipality_codes
    return EXAMPLE_QUERY if "1282" in codes or not codes else EXAMPLE_QUERY.replace("'1282'", f"'{codes[0]}'")


def cmd_indicators(args: argparse.Namespace) -> int:
    """search WORDS | add ID --topic …: find indicators in Kolada's catalogue and SCB's tables, add a KPI."""
    from sydstat import indicators

    settings = load_settings()
    try:
        if args.action == "add":
            if len(args.words) != 1 or not args.topic:
                return _fail("usage: sydstat indicators add KPI_ID --topic TOPIC [--theme …] [--direction …]", 2)
            path = indicators.add_kpi(settings, args.words[0], args.topic, args.theme, args.direction, args.target_area)
            print(f"added {args.words[0]} to {path}; the next `sydstat run --source kolada` loads its history")
            return 0
        if not args.words:
            return _fail("usage: sydstat indicators search WORDS", 2)
        sources = (args.source,) if args.source else ("kolada", "scb")
        found = indicators.search(settings, args.words, sources, args.refresh)
    except ValueError as exc:
        return _fail(str(exc), 2 if args.action == "add" else 1)
    except Exception as exc:  # an unreachable API: one line
        return _fail(_one_line(exc))
    for f in found:
        sex = {True: "by sex", False: "no sex", None: ""}[f.by_sex]
        mark = " [in catalogue]" if f.in_catalogue else ""
        print(f"{f.source:<7} {f.id:<10} {f.title[:80]:<80} {f.unit:<8} {sex:<7} {f.municipality_type}{mark}")
    print(f"{len(found)} found", file=sys.stderr)
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    """list | show ID | resolve ID --reason …: the rows validation kept out (sydstat/quarantine.py)."""
    import json

    from sydstat import quarantine

    settings = load_settings()
    if not settings.published_db.is_file():
        return _fail(f"no warehouse at {settings.published_db}; run `sydstat demo` or `sydstat run` first", 1)
    if args.action == "list":
        rows = quarantine.list_rows(settings, args.all, args.source)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
            return 0
        for r in rows:
            state = "resolved" if r["resolved"] else "open"
            print(f"{r['id']:>6}  {state:<8} {r['source']:<10} {r['target_table']:<22} {r['reason'][:90]}")
        print(
            f"{len(rows)} {'rows' if args.all else 'open rows'}; `sydstat quarantine show ID` for the record",
            file=sys.stderr,
        )
        return 0
    if args.id is None:
        return _fail(f"quarantine {args.action} needs an ID (see `sydstat quarantine list`)", 2)
    if args.action == "show":
        row = quarantine.show(settings, args.id)
        if row is None:
            return _fail(f"no quarantined row {args.id}", 1)
        print(json.dumps(row, ensure_ascii=False, default=str, indent=1))
        return 0
    if not (args.reason or "").strip():
        return _fail('quarantine resolve needs --reason "why" (it is kept with the row)', 2)
    if not quarantine.resolve(settings, args.id, args.reason.strip()):
        return _fail(f"no open quarantined row {args.id}", 1)
    print(f"quarantined row {args.id} resolved: {args.reason.strip()}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from sydstat.status import collect_status, render_status

    settings = load_settings()
    report = collect_status(settings)
    if args.json:
        print(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    else:
        render_status(report)
    return 0 if report["healthy"] else 1


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    settings = load_settings()
    db = Path(args.db) if args.db else settings.published_db
    if not db.is_file():
        return _fail(f"no published warehouse at {db}; run `sydstat demo` or `sydstat run` first")
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    if not re.sub(r"--[^\n]*|/\*.*?\*/|;", "", sql, flags=re.S).strip():
        return _fail("empty query: give the SQL to run, e.g. " + EXAMPLE_QUERY, 2)
    from warehouse.db import connect_readonly

    con = connect_readonly(db)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description] if cursor is not None and cursor.description else []
        rows = [] if not columns else cursor.fetchmany(args.limit + 1) if args.limit else cursor.fetchall()
    except duckdb.Error as exc:
        return _fail(f"query failed: {str(exc).splitlines()[0]}")
    finally:
        con.close()
    truncated = bool(args.limit) and len(rows) > args.limit
    rows = rows[: args.limit] if args.limit else rows
    if args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, ensure_ascii=False, indent=1))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns, show_lines=False)
        for r in rows:
            table.add_row(*("NULL" if v is None else str(v) for v in r))
        Console(width=None if sys.stdout.isatty() else 100_000).print(table)
        if truncated:
            print(f"(first {args.limit} rows; use --limit 0 for all)", file=sys.stderr)
    return 0


def cmd_ingest(args: argparse.Namespace, synthetic: bool = False) -> int:
    """Ingest a register file (ESF+ export, Tillväxtverket JSON, Kohesio CSV) and publish."""
    from core.records import safe_name

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no such file: {safe_name(str(path), 300)}", 2)
    from core.config import HomeNotWritable, ensure_home_writable
    from sources.files import preflight
    from sources.registers import UnreadableFile

    try:  # before any flow (and Prefect's server) starts: a home that cannot be written, or a file that cannot
        ensure_home_writable(load_settings().home)  # be read, is refused at once
    except HomeNotWritable as exc:
        return _fail(str(exc))
    try:
        preflight(path)
    except UnreadableFile as exc:
        return _fail(f"cannot read {safe_name(path.name)}: {exc}")
    except OSError as exc:
        return _fail(f"cannot read {safe_name(path.name)}: {exc.strerror}")
    _setup_logging(args.verbose)
    from flows.files import ingest_file

    try:
        summary = ingest_file(str(path.resolve()), synthetic=synthetic)
    except UnreadableFile as exc:
        return _fail(f"cannot read {safe_name(path.name)}: {exc}")
    except Exception as exc:
        return _fail(f"{type(exc).__name__}: {exc}")
    print(f"{safe_name(path.name)}: recognised as {summary['format']}")
    _print_summary(summary)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Parquet export of the published warehouse (read-only: never disturbs a running pipeline)."""
    import duckdb

    from warehouse.export import export_parquet

    settings = load_settings()
    if not settings.published_db.is_file():
        return _fail(f"no published warehouse at {settings.published_db}; run `sydstat demo` or `sydstat run` first")
    target = Path(args.to) if args.to else settings.parquet_dir
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        manifest = export_parquet(con, target, run_id="export")
    except (OSError, duckdb.Error) as exc:
        return _fail(f"export failed: {exc}")
    finally:
        con.close()
    for name, table in manifest["tables"].items():
        print(f"{name:24} {table['rows']:>10} rows  {target / table['path']}")
    print(f"manifest: {target / '_manifest.json'}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Static HTML report from the published marts: overview, one page per municipality, the data dictionary."""
    settings = load_settings()
    if not settings.published_db.is_file():
        return _fail(f"no published warehouse at {settings.published_db}; run `sydstat demo` or `sydstat run` first")
    from rich.console import Console

    from sydstat.report import build_report

    site = Path(args.out) if args.out else settings.reports_dir / "site"
    console = Console(stderr=True)
    started = time.monotonic()
    try:
        with console.status("building the report…") as status:
            result = build_report(
                settings.published_db,
                site,
                municipality=args.municipality,
                progress=lambda page: status.update(f"wrote {page}"),
            )
    except ValueError as exc:
        return _fail(str(exc), 2)
    print(
        f"Report: {len(result.pages)} pages, {result.charts} charts in {time.monotonic() - started:.1f}s\n"
        f"  open {site / 'index.html'}"
    )
    return 0


def cmd_dictionary(args: argparse.Namespace) -> int:
    """Regenerate docs/data-dictionary.md (+ HTML in reports/), or --check that the checked-in file is current."""
    from sydstat.dictionary import DICTIONARY_PATH, build_sections, render_markdown, write_dictionary

    if args.check:
        current = DICTIONARY_PATH.read_text(encoding="utf-8") if DICTIONARY_PATH.is_file() else ""
        if current != render_markdown(build_sections()):
            return _fail(f"{DICTIONARY_PATH} is stale: run `sydstat dictionary` and commit it")
        print(f"{DICTIONARY_PATH} is current")
        return 0
    for path in write_dictionary(html_path=load_settings().reports_dir / "data-dictionary.html"):
        print(f"wrote {path}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_logging(args.verbose)
    from sydstat.serve import serve

    try:
        serve(inbox_interval=args.inbox_interval)
    except RuntimeError as exc:
        return _fail(str(exc))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from sydstat.demo.replay import ReplayServer

    server = ReplayServer(port=args.port).start()
    print(
        f"Replay upstreams serving the SYNTHETIC sample:\n"
        f"  export SYDSTAT_KOLADA_URL={server.url}\n  export SYDSTAT_SCB_URL={server.scb_url}\n"
        f"  export SYDSTAT_FOHM_URL={server.fohm_url}\nCtrl-C to stop."
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sydstat")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    from core.catalog import configured_sources

    parser = argparse.ArgumentParser(
        prog="sydstat", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the whole pipeline on the bundled offline sample (synthetic data)")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser(
        "run",
        help="ingest sources into the warehouse and publish it",
        description="Ingest one source (--source) or all configured sources (the nightly job), "
        "validate, load and publish. Incremental unless --full.",
    )
    run.add_argument("--source", help="only this source (e.g. kolada); default: all configured sources")
    run.add_argument(
        "--offline",
        action="store_true",
        help="rebuild from archived raw snapshots under $SYDSTAT_HOME/raw (no network); every source, "
        "or the one --source names",
    )
    run.add_argument("--full", action="store_true", help="full refresh instead of changes since the last run")
    run.add_argument("--kpi", help="ad-hoc comma-separated Kolada KPI ids to pull (e.g. N00945,N01951)")
    run.add_argument(
        "--allow-deletions",
        action="store_true",
        help="let a full refresh delete more than the catalogue's load.max_delete_share of its scope "
        "(or load with far fewer rows than the last one): for a source that really shrank",
    )
    run.set_defaults(func=cmd_run)

    check = sub.add_parser(
        "check",
        help="preflight the catalogue against the live APIs: OK or the drift per table (exit 1 on drift)",
        description="Reads each catalogued table's metadata (and one small probe per area table) from the live APIs "
        "— or whatever SYDSTAT_KOLADA_URL / SYDSTAT_SCB_URL / SYDSTAT_FOHM_URL point at — and reports, "
        "per table or KPI: OK, or the drift (table or KPI missing, a code or label the catalogue names "
        "that is not offered, codes neither mapped nor declared as totals, variables the catalogue does "
        "not mention), with the grids and years seen. Changes nothing. Run it first against the real "
        "APIs.",
    )
    check.add_argument("--source", choices=configured_sources(), help="only this source (default: all)")
    check.add_argument("--json", action="store_true", help="machine-readable findings")
    check.set_defaults(func=cmd_check)

    status = sub.add_parser("status", help="per source: last run, rows, freshness, failures (exit 1 if unhealthy)")
    status.add_argument("--json", action="store_true", help="machine-readable output for monitoring")
    status.set_defaults(func=cmd_status)

    found = sub.add_parser(
        "indicators",
        help="search Kolada's KPIs and SCB's tables; add a Kolada KPI to the catalogue",
        description="search WORDS: Kolada's KPI catalogue (cached a day in $SYDSTAT_HOME/cache) and SCB's tables "
        "(/tables?query=), printing id, title, unit, whether divided by sex, municipality type (SCB: "
        "the span of years). add ID --topic T: writes the entry into schemas/catalog/kolada.yaml.",
    )
    found.add_argument("action", choices=["search", "add"])
    found.add_argument("words", nargs="*", help="search words, or the KPI id to add")
    found.add_argument("--source", choices=["kolada", "scb"], help="search only this source")
    found.add_argument("--refresh", action="store_true", help="fetch Kolada's catalogue again")
    found.add_argument(
        "--topic",
        choices=["unemployment", "segregation", "public_health", "population", "income", "education"],
        help="add: the topic",
    )
    found.add_argument("--theme", help="add: the theme (a heading, e.g. Arbetslöshet)")
    found.add_argument(
        "--direction",
        default="neutral",
        choices=["higher_is_better", "higher_is_worse", "neutral"],
        help="add: which way is better (default neutral: shown without a rank)",
    )
    found.add_argument("--target-area", type=int, help="add: the public-health målområde 1-8")
    found.set_defaults(func=cmd_indicators)

    quarantine = sub.add_parser(
        "quarantine",
        help="rows validation kept out: list, show ID, resolve ID --reason …",
        description="list: open quarantined rows (--all: resolved too); show ID: the whole record and why; resolve "
        "ID --reason: record a decision (kept with the row; the row itself loads when fixed upstream).",
    )
    quarantine.add_argument("action", choices=["list", "show", "resolve"])
    quarantine.add_argument("id", nargs="?", type=int, help="the row's id (from `list`)")
    quarantine.add_argument("--reason", help="why it is resolved (resolve)")
    quarantine.add_argument("--all", action="store_true", help="list resolved rows too")
    quarantine.add_argument("--source", help="only this source (list)")
    quarantine.add_argument("--json", action="store_true", help="JSON (list)")
    quarantine.set_defaults(func=cmd_quarantine)

    query = sub.add_parser(
        "query",
        help="run read-only SQL on the published warehouse",
        description=f"Read-only SQL on $SYDSTAT_HOME/warehouse.duckdb. Example:\n  {EXAMPLE_QUERY}",
    )
    query.add_argument("sql", help="the SQL text, or - to read it from standard input")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--limit", type=int, default=200, help="rows to show in a table (0 = all; default 200)")
    query.add_argument("--db", help="another DuckDB file to query (default: the published warehouse)")
    query.set_defaults(func=cmd_query)

    ingest = sub.add_parser(
        "ingest",
        help="load a register export or an SCB area file (format detected)",
        description="Project registers (ESF+ CSV/XLSX, Tillväxtverket JSON, Kohesio CSV): personal "
        "data dropped, municipality names resolved (unresolved ones quarantined), "
        "projects loaded with history. SCB area files: the DeSO→RegSO key and the "
        "RegSO områdestyp classification export. The file is archived; then publish.",
    )
    ingest.add_argument("file", help="the register export")
    ingest.set_defaults(func=cmd_ingest)

    export = sub.add_parser(
        "export",
        help="write Parquet for BI tools (dimensions, facts by year, views)",
        description="Export the published warehouse to Parquet: dimensions as files, facts and "
        "the flat view hive-partitioned by year, zstd, with _manifest.json. The target "
        "is a symlink swapped atomically to a new version folder.",
    )
    export.add_argument("--to", help="target path (default $SYDSTAT_HOME/parquet)")
    export.set_defaults(func=cmd_export)

    report = sub.add_parser(
        "report",
        help="static HTML report (region overview + one page per municipality) from the published marts",
        description="Builds $SYDSTAT_HOME/reports/site/: index.html (key indicators over time for the 38, ranking, "
        "Skåne vs Blekinge), kommun/<code>.html per municipality (profile, trends for women and men, "
        "sex gaps, segregation, projects) and the data dictionary. Swedish, accessible (text "
        "alternatives and data tables for every chart), works offline.",
    )
    report.add_argument(
        "--municipality", metavar="CODE", help="only this municipality's page (e.g. 1282) and the overview"
    )
    report.add_argument("--out", help="target folder (default $SYDSTAT_HOME/reports/site)")
    report.set_defaults(func=cmd_report)

    dictionary = sub.add_parser(
        "dictionary",
        help="regenerate the data dictionary (docs/data-dictionary.md)",
        description="Generated from schemas/: DDL comments, glossary, catalogue YAML and "
        "expectation suites. Also writes HTML to $SYDSTAT_HOME/reports/.",
    )
    dictionary.add_argument("--check", action="store_true", help="exit 1 if docs/data-dictionary.md is stale")
    dictionary.set_defaults(func=cmd_dictionary)

    serve = sub.add_parser(
        "serve",
        help="serve all prefect.yaml deployments (schedules, event triggers) + the inbox watcher",
        description="Needs a Prefect server: `prefect server start`, then export "
        "PREFECT_API_URL=http://127.0.0.1:4200/api. Serves nightly, sensor, ingest-*, publish and "
        "register-ingest with the schedules and triggers of prefect.yaml, and turns files dropped into "
        "$SYDSTAT_HOME/inbox/ into sydstat.inbox.received events.",
    )
    serve.add_argument("--inbox-interval", type=float, default=5.0, help="seconds between inbox scans (default 5)")
    serve.set_defaults(func=cmd_serve)

    replay = sub.add_parser("replay", help="serve the synthetic sample as local Kolada, SCB and Folkhälsodata APIs")
    replay.add_argument("--port", type=int, default=8765)
    replay.set_defaults(func=cmd_replay)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry from the temporary server
    # the temporary Prefect server gets 20 s to start by default: a loaded 2-core machine needs more at times
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    args = build_parser().parse_args(argv)
    if args.command == "query" and args.format != "table":
        args.limit = args.limit if args.limit != 200 else 0
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except ConfigError as exc:  # e.g. SYDSTAT_REGION=Skåne: one line, not a traceback
        return _fail(str(exc), 2)
