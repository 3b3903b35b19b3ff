"""`sydstat report`: a static, offline, accessible HTML site in $SYDSTAT_HOME/reports/site/ from the published marts.

index.html (region overview: small multiples of the headline indicators, ranking, Skåne vs Blekinge), one page per
municipality under kommun/ (profile, trends for women and men, sex gaps, segregation, projects), the data dictionary,
charts as SVG files under diagram/ and one stylesheet. Nothing is fetched at view time.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sydstat.report import pages
from sydstat.report.data import load_report_data

HERE = Path(__file__).parent


@dataclass
class ReportResult:
    site: Path
    pages: list[Path] = field(default_factory=list)
    charts: int = 0


def build_report(
    db: Path, site: Path, municipality: str | None = None, progress: Callable[[str], None] | None = None
) -> ReportResult:
    """Build the site from the published DB. With `municipality`, only the overview and that municipality's page."""
    data = load_report_data(db)
    codes = list(data.municipalities.municipality_code)
    if municipality is not None and municipality not in codes:
        raise ValueError(
            f"unknown municipality code {municipality!r}: the report covers the region's "
            f"{len(codes)} municipalities ({', '.join(codes[:3])}, …)"
        )
    site.mkdir(parents=True, exist_ok=True)
    (site / "static").mkdir(exist_ok=True)
    for asset in ("report.css", "favicon.svg", "tables.js"):
        shutil.copyfile(HERE / "static" / asset, site / "static" / asset)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from core.region import region

    region_name = region().name
    common = {
        "municipalities": data.municipalities.to_dict("records"),
        "synthetic_sources": data.synthetic_sources,
        "generated_from_name": Path(data.generated_from).name,
        "region_name": region_name,
    }
    result = ReportResult(site)

    def write(relative: str, template: str, **context) -> None:
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        root = "../" * relative.count("/")
        context.setdefault("current", None)
        path.write_text(env.get_template(template).render(root=root, **common, **context), encoding="utf-8")
        result.pages.append(path)
        result.charts += sum(1 for key in ("overview", "trends", "sex_gap", "segregation") if context.get(key))
        if progress:
            progress(relative)

    write(
        "index.html",
        "index.html",
        title=f"Social hållbarhet i {region_name}",
        overview=pages.overview_figure(data, site),
        maps=pages.overview_maps(data),
        ranking=pages.ranking_table(data),
        counties=pages.counties_table(data),
        grounds=pages.grounds_table(data),
    )
    for m in data.municipalities.itertuples():
        code, name = m.municipality_code, m.municipality_name
        if municipality is not None and code != municipality:
            continue
        context = {
            "title": name,
            "name": name,
            "county": m.county_name,
            "profile": pages.profile_table(data, code),
            "place": pages.place_map(data, code, name),
            "peers": pages.peer_table(data, code),
            "trends": pages.trends_figure(data, code, name, site),
            "sex_gap": pages.sex_gap_figure(data, code, name, site),
            "segregation": pages.segregation_figure(data, code, name, site),
            "area_types": pages.area_types_table(data, code),
            "projects": pages.projects_table(data, code),
        }
        write(f"kommun/{code}.html", "municipality.html", current=code, **context)
    from sydstat.dictionary import build_sections, render_html

    (site / "datakatalog.html").write_text(render_html(build_sections()), encoding="utf-8")
    result.pages.append(site / "datakatalog.html")
    return result
