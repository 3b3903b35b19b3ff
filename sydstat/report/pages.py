"""Report pages: turn ReportData into figures (charts.py), tables and HTML (templates/, Jinja2 with autoescape).

Every figure is a dict the `_figure.html` template renders: src, alt (a sentence that says what the chart shows and its
main message), caption, attribution, and `table` — the same numbers as an accessible data table.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from sydstat.report import charts, maps
from sydstat.report.data import TOPIC_LABELS, ReportData, attribution_text

UNIT_SUFFIX = {"percent": " %", "sek": " kr", "days": " dagar", "years": " år"}
SEX_WORDS = {"K": "kvinnor", "M": "män", "T": "totalt"}
REGION_WORDS = {"region": "regionens snitt", "region K": "regionens snitt, kvinnor", "region M": "regionens snitt, män"}
REGISTER_LABELS = {
    "esf_plus": "ESF+",
    "tillvaxtverket": "Tillväxtverket",
    "kohesio": "Kohesio",
    "esf_projektbanken": "ESF projektbanken",
}


def number(value, unit: str | None = None, decimals: int | None = None) -> str:
    """Swedish number formatting: decimal comma, narrow no-break space between thousands; '–' for missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or pd.isna(value):
        return "–"
    value = float(value)
    if decimals is None:
        decimals = 0 if abs(value) >= 1000 else 1
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",").replace("-", "−")
    return text + UNIT_SUFFIX.get(unit or "", "")


def rank_text(r) -> str | None:
    """'rang 3 av 38' for an indicator with a direction (1 = best); None for one without: a size order is no rank."""
    if r.direction in ("higher_is_better", "higher_is_worse") and not pd.isna(r.rank_in_region):
        return f"rang {int(r.rank_in_region)} av {int(r.municipalities_ranked)}"
    return None


def change_text(value, unit: str | None) -> str:
    """A change of a share is in percentage points ('procentenheter'), not per cent."""
    if unit == "percent":
        text = number(value, None)
        return text if text == "–" else f"{text} procentenheter"
    return number(value, unit)


def date_text(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def project_name(name: str, is_synthetic: bool) -> str:
    """The register's name, marked as a synthetic example once (the sample's names may already say so)."""
    if is_synthetic and "syntetiskt exempel" not in name.casefold():
        return name + " (syntetiskt exempel)"
    return name


def _short(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _panel_title(row) -> str:
    return f"{TOPIC_LABELS.get(row.topic, row.topic)}: {_short(row.title, 70)}"


# ------------------------------------------------------------------------------------------------ region overview


def overview_figure(data: ReportData, out: Path) -> dict | None:
    total = data.trends[data.trends.sex == "T"]
    if total.empty:
        return None
    panels, header, by_year, sentences, attributions = [], ["År"], {}, [], set(total.attribution)
    for row in data.headlines.itertuples():
        series = total[total.indicator_id == row.indicator_id]
        if series.empty:
            continue
        counties = (
            series.groupby(["county_name", "year"], as_index=False)["county_average"]
            .first()
            .rename(columns={"county_average": "value"})
        )
        panels.append(
            {
                "title": _panel_title(row),
                "municipalities": series[["municipality_code", "year", "value"]],
                "counties": counties,
                "breaks": series.loc[series.is_series_break, "year"].unique().tolist(),
            }
        )
        for county in sorted(counties.county_name.unique(), reverse=True):
            header.append(f"{_short(row.title, 40)} – {county.removesuffix(' län')}")
            c = counties[counties.county_name == county].dropna(subset=["value"])
            for year, value in zip(c.year, c.value, strict=True):
                by_year.setdefault(int(year), {})[header[-1]] = number(value, row.unit)
            if not c.empty:
                sentences.append(
                    f"{TOPIC_LABELS.get(row.topic, row.topic)}, {county.removesuffix(' län')}: "
                    f"{number(c.value.iloc[0], row.unit)} år {int(c.year.iloc[0])}, "
                    f"{number(c.value.iloc[-1], row.unit)} år {int(c.year.iloc[-1])}"
                )
    charts.region_small_multiples(panels, out / "diagram" / "region.svg")
    return {
        "src": "diagram/region.svg",
        "width": 990,
        "alt": (
            f"Linjediagram i {len(panels)} delar, ett per nyckeltal. Tunna grå linjer är regionens kommuner, "
            + (
                "heldragen blå linje med ringar är Skånes snitt och streckad orange linje med kvadrater Blekinges "
                "snitt. "
                if set(data.municipalities.county_name) == {"Skåne län", "Blekinge län"}
                else "tjocka linjer är länens snitt. "
            )
            + "; ".join(sentences)
            + "."
        ),
        "caption": "Nyckeltal per år: varje kommun (grå) och länens snitt (ovägda medelvärden av kommunerna). "
        "Prickade lodlinjer markerar seriebrott.",
        "attribution": attribution_text(attributions),
        "table": {
            "caption": "Länens snitt per år",
            "header": header,
            "rows": [[str(y)] + [v.get(h, "–") for h in header[1:]] for y, v in sorted(by_year.items())],
        },
    }


def ranking_table(data: ReportData) -> dict:
    headline = data.profile[data.profile.indicator_id.isin(data.headlines.indicator_id)]
    latest_year = headline.groupby("indicator_id")["year"].max()
    shown = [r for r in data.headlines.itertuples() if r.indicator_id in latest_year.index]
    header = ["Kommun"] + [f"{_short(r.title, 40)} ({int(latest_year[r.indicator_id])})" for r in shown]
    reference = {r.indicator_id: int(latest_year[r.indicator_id]) for r in shown}
    ids = [r.indicator_id for r in shown]
    rows = []
    for m in data.municipalities.itertuples():
        cells = [Markup('<a href="kommun/{}.html">{}</a>').format(m.municipality_code, m.municipality_name)]
        mine = headline[headline.municipality_code == m.municipality_code].set_index("indicator_id")
        for indicator_id in ids:
            if indicator_id in mine.index:
                r = mine.loc[indicator_id]
                # an older value says its year; a rank is only given where the catalogue gives a direction
                extras = [str(int(r.year))] if int(r.year) != reference[indicator_id] else []
                extras += [t for t in [rank_text(r)] if t]
                cells.append(number(r.value, r.unit) + (f" ({'; '.join(extras)})" if extras else ""))
            else:
                cells.append("–")
        rows.append(cells)
    return {
        "caption": "Kommunerna och deras nyckeltal, senaste år med värde",
        "header": header,
        "rows": rows,
        "note": attribution_text(headline.attribution) + ". Rang: sydstats beräkning, bland kommunerna med värde "
        "samma år (1 = bäst enligt katalogens riktning; nyckeltal utan riktning rangordnas inte). Ett år "
        "inom parentes: kommunens senaste värde är äldre än kolumnens år.",
    }


def counties_table(data: ReportData) -> dict:
    """The region's counties side by side (the counties of its municipalities, in the overview's order)."""
    headline = data.profile[data.profile.indicator_id.isin(data.headlines.indicator_id)]
    counties = sorted(data.municipalities.county_name.dropna().unique(), reverse=True)
    rows = []
    for r in data.headlines.itertuples():
        mine = headline[headline.indicator_id == r.indicator_id]
        if mine.empty:
            continue
        latest = mine[mine.year == mine.year.max()]
        by_county = latest.groupby("county_name")["county_average"].first()
        rows.append(
            [r.title, str(int(mine.year.max()))]
            + [number(by_county.get(c), r.unit) for c in counties]
            + [number(latest.region_average.iloc[0], r.unit)]
        )
    short = [c.removesuffix(" län") for c in counties]
    return {
        "caption": f"{', '.join(short)} och hela regionen, senaste året (ovägda medelvärden av kommunerna)",
        "header": ["Nyckeltal", "År", *short, "Regionen"],
        "rows": rows,
        "note": attribution_text(headline.attribution) + ".",
    }


# ------------------------------------------------------------------------------------------- one municipality


def profile_table(data: ReportData, code: str) -> dict:
    mine = data.profile[data.profile.municipality_code == code]
    rows = []
    for r in mine.itertuples():
        change = change_text(r.change_5_years, r.unit)
        if r.change_crosses_series_break and change != "–":
            change += " (över ett seriebrott)"
        rows.append(
            [
                r.indicator_title,
                str(int(r.year)),
                number(r.value, r.unit),
                rank_text(r) or "ingen rang (ingen riktning)",
                number(r.region_average, r.unit),
                change,
                r.attribution,
            ]
        )
    return {
        "caption": "Senaste värde per nyckeltal (totalt för kvinnor och män)",
        "header": ["Nyckeltal", "År", "Värde", "Rang i regionen", "Regionens snitt", "Förändring på 5 år", "Källa"],
        "rows": rows,
        "note": "Rang, snitt och förändring: sydstats beräkningar. Rang 1 = bäst enligt "
        "katalogens riktning; nyckeltal utan riktning rangordnas inte. Förändringen av en "
        "andel anges i procentenheter.",
    }


def trends_figure(data: ReportData, code: str, name: str, out: Path) -> dict | None:
    trends = data.trends
    panels, header, by_year, attributions = [], ["År"], {}, set()
    for row in data.headlines.itertuples():
        mine = trends[(trends.indicator_id == row.indicator_id) & (trends.municipality_code == code)]
        if mine.empty:
            continue
        attributions |= set(mine.attribution)
        sexes = ["K", "M"] if mine.sex.isin(["K", "M"]).any() else ["T"]
        series = {s: mine[mine.sex == s][["year", "value"]] for s in sexes}
        for s in sexes:  # each sex against the region's average for the same sex
            series["region" if s == "T" else f"region {s}"] = mine[mine.sex == s][["year", "region_average"]].rename(
                columns={"region_average": "value"}
            )
        panels.append(
            {
                "title": _panel_title(row),
                "series": series,
                "breaks": mine.loc[mine.is_series_break, "year"].unique().tolist(),
            }
        )
        for key, frame in series.items():
            label = f"{_short(row.title, 36)} – {REGION_WORDS.get(key) or SEX_WORDS[key]}"
            header.append(label)
            for year, value in zip(frame.year, frame.value, strict=True):
                by_year.setdefault(int(year), {})[label] = number(value, row.unit)
    if not panels:
        return None
    src = f"diagram/{code}-utveckling.svg"
    charts.municipality_trends(panels, out / src)
    return {
        "src": src,
        "width": 990,
        "alt": (
            f"Linjediagram i {len(panels)} delar för {name}: kvinnor (orange, ringar) och män (blå, kvadrater) "
            f"jämfört med regionens snitt för kvinnor respektive män (prickade linjer i samma färg), eller "
            f"totalt (grön, trianglar) mot regionens snitt (svart streckad linje), per år. Siffrorna finns i "
            f"tabellen under diagrammet."
        ),
        "caption": f"{name} jämfört med regionens snitt för samma kön (ovägt medelvärde av kommunerna). Prickade "
        f"lodlinjer markerar seriebrott.",
        "attribution": attribution_text(attributions),
        "table": {
            "caption": f"Nyckeltal per år för {name}",
            "header": header,
            "rows": [[str(y)] + [v.get(h, "–") for h in header[1:]] for y, v in sorted(by_year.items())],
        },
    }


def sex_gap_figure(data: ReportData, code: str, name: str, out: Path) -> dict | None:
    mine = data.sex_gap[data.sex_gap.municipality_code == code].copy()
    if mine.empty:
        return None
    mine["label"] = [_short(t, 52) for t in mine.indicator_title]
    src = f"diagram/{code}-kon.svg"
    charts.sex_gap_bars(mine, out / src)
    widest = mine.loc[mine.gap_women_minus_men.abs().idxmax()]
    return {
        "src": src,
        "width": 750,
        "alt": (
            f"Liggande stapeldiagram för {name}: skillnaden mellan kvinnor och män i procentenheter för "
            f"{len(mine)} nyckeltal, senaste år. Störst skillnad: {widest.indicator_title}, "
            f"{number(widest.gap_women_minus_men)} procentenheter."
        ),
        "caption": "Kvinnor minus män, procentenheter. Staplar åt höger (heldragna) betyder högre värde för "
        "kvinnor, åt vänster (snedstreckade) högre för män.",
        "attribution": attribution_text(mine.attribution),
        "table": {
            "caption": f"Kvinnor och män i {name}, senaste år",
            "header": ["Nyckeltal", "År", "Kvinnor", "Män", "Skillnad (procentenheter)"],
            "rows": [
                [
                    r.indicator_title,
                    str(int(r.year)),
                    number(r.value_women, "percent"),
                    number(r.value_men, "percent"),
                    number(r.gap_women_minus_men),
                ]
                for r in mine.itertuples()
            ],
        },
    }


def segregation_figure(data: ReportData, code: str, name: str, out: Path) -> dict | None:
    seg = data.segregation
    mine = seg[seg.municipality_code == code]
    if mine.empty:
        return None
    region = seg[seg.municipality_code.isin(data.municipalities.municipality_code)]
    region = region.groupby("year", as_index=False)["dissimilarity"].mean()
    src = f"diagram/{code}-segregation.svg"
    charts.segregation_lines(mine, region, name, out / src)
    first, last = mine.iloc[0], mine.iloc[-1]
    regional = dict(zip(region.year, region.dissimilarity, strict=True))
    return {
        "src": src,
        "width": 650,
        "alt": (
            f"Linjediagram: segregationsindex D för {name} (grön, trianglar) och regionens snitt (svart "
            f"streckad) per år. {name}: {number(first.dissimilarity, decimals=2)} år {int(first.year)}, "
            f"{number(last.dissimilarity, decimals=2)} år {int(last.year)}."
        ),
        "caption": "Olikhetsindex D (0 = utländsk och svensk bakgrund bor lika fördelat över kommunens "
        "DeSO-områden, 1 = helt åtskilt), sydstats beräkning ur befolkning per DeSO. Inte jämförbart "
        "med SCB:s SAMS-baserade index (som inte laddas: inget bekräftat id i SCB:s API). SCB byter "
        "områdesindelning (DeSO 2018 → DeSO 2025): året då indexet först räknas på den nya "
        "indelningen är ett serieavbrott (markerat i tabellen). Tabellens sista kolumn: samma mått "
        "för personer med låg ekonomisk standard mot övriga.",
        "attribution": attribution_text(mine.attribution),
        "table": {
            "caption": f"Segregationsindex för {name}",
            "header": [
                "År",
                "Områdesindelning",
                f"D {name}",
                "D regionens snitt",
                "Antal DeSO",
                "Befolkning",
                "D låg/ej låg ekonomisk standard",
            ],
            "rows": [
                [
                    str(int(r.year)),
                    grid_label(r.grid, r.is_grid_break),
                    number(r.dissimilarity, decimals=3),
                    number(regional.get(r.year), decimals=3),
                    str(int(r.areas)),
                    number(r.population, decimals=0),
                    number(r.d_economic, decimals=3)
                    + (
                        f" ({grid_label(r.grid_economic, False)})"
                        if isinstance(r.grid_economic, str) and r.grid_economic != r.grid
                        else ""
                    ),
                ]
                for r in mine.itertuples()
            ],
        },
    }


def grid_label(grid: str, is_break: bool) -> str:
    """'DeSO2025' → 'DeSO 2025', with the series break said where the index first uses the new grid."""
    label = re.sub(r"(\D+)(\d{4})", r"\1 \2", grid or "")
    return f"{label} (ny indelning, serieavbrott)" if is_break else label


def area_types_table(data: ReportData, code: str) -> dict | None:
    mine = data.area_types[data.area_types.municipality_code == code]
    if mine.empty:
        return None
    latest = mine[mine.year == mine.year.max()]
    return {
        "caption": f"RegSO-områden per områdestyp, {int(latest.year.iloc[0])} (1 = stora socioekonomiska "
        f"utmaningar, 5 = mycket goda förutsättningar)",
        "header": ["Områdestyp", "Antal RegSO", "Befolkning"],
        "rows": [
            [str(int(r.area_type)), str(int(r.regso_count)), number(r.population, decimals=0)]
            for r in latest.itertuples()
        ],
        "note": "Källa: SCB (områdestyper); befolkning: sydstats summering.",
    }


def projects_table(data: ReportData, code: str) -> dict | None:
    mine = data.projects[data.projects.municipality_code == code]
    if mine.empty:
        return None
    coverage = {"local": "kommunen", "programme_area": "hela programområdet", "national": "hela landet"}
    rows = [
        [
            project_name(r.name, r.is_synthetic),
            REGISTER_LABELS.get(r.register, r.register),
            r.owner_name or "–",
            f"{date_text(r.start_date)} – {date_text(r.end_date)}",
            number(r.total_budget_sek, "sek", 0),
            coverage.get(r.coverage, r.coverage),
        ]
        for r in mine.itertuples()
    ]
    return {
        "caption": "Projekt som verkar i kommunen (hela projektets budget, inte kommunens andel)",
        "header": ["Projekt", "Register", "Projektägare", "Period", "Total budget", "Verkar i"],
        "rows": rows,
        "note": attribution_text(mine.attribution) + ".",
    }


# ------------------------------------------------------------------------------------------------ maps and peers


def _latest_headlines(data: ReportData):
    """(headline row, its reference year, {code: value that year}) for each headline indicator with values."""
    profile = data.profile
    for row in data.headlines.itertuples():
        mine = profile[profile.indicator_id == row.indicator_id]
        if mine.empty:
            continue
        year = int(mine.year.max())
        values = {r.municipality_code: float(r.value) for r in mine.itertuples() if int(r.year) == year}
        yield row, year, values


def overview_maps(data: ReportData) -> list[dict]:
    """One choropleth per headline indicator, its reference year in the title, the values in a table beside it."""
    codes = list(data.municipalities.municipality_code)
    names = dict(zip(data.municipalities.municipality_code, data.municipalities.municipality_name, strict=True))
    out = []
    for row, year, values in _latest_headlines(data):
        label = f"{row.title} {year}, per kommun"
        svg = maps.choropleth(
            codes,
            {c: values.get(c) for c in codes},
            label,
            lambda v, u=row.unit: number(v, u),
            f"map-{row.indicator_id}",
        )
        out.append(
            {
                "svg": svg,
                "caption": label,
                "attribution": maps.attribution(),
                "table": {
                    "caption": label,
                    "header": ["Kommun", f"Värde {year}"],
                    "rows": [
                        [names[c], number(values.get(c), row.unit)] for c in sorted(codes, key=lambda c: names[c])
                    ],
                },
            }
        )
    return out


def place_map(data: ReportData, code: str, name: str) -> dict | None:
    """The municipality's place in the region, on the map of the first headline indicator."""
    first = next(iter(_latest_headlines(data)), None)
    if first is None:
        return None
    row, year, values = first
    codes = list(data.municipalities.municipality_code)
    label = f"{name} i regionen: {row.title} {year}"
    return {
        "svg": maps.choropleth(
            codes,
            {c: values.get(c) for c in codes},
            label,
            lambda v, u=row.unit: number(v, u),
            f"map-{code}",
            highlight=code,
        ),
        "caption": label + f" ({name} markerad)",
        "attribution": maps.attribution(),
    }


def peer_table(data: ReportData, code: str) -> dict | None:
    """The headline indicators beside the municipalities of the same SKR kommungrupp in the region and the
    region's average: "how do we do compared with municipalities like us"."""
    munis = data.municipalities.set_index("municipality_code")
    group = munis.kommungrupp.get(code)
    if group is None or pd.isna(group):
        return None
    peers = [c for c in munis.index if munis.kommungrupp.get(c) == group]
    header = [
        "Nyckeltal",
        "År",
        munis.municipality_name[code],
        f"Snitt för {group.lower()} i regionen ({len(peers)} kommuner)",
        "Regionens snitt",
    ]
    rows = []
    for row, year, values in _latest_headlines(data):
        peer_values = [values[c] for c in peers if c in values]
        region_values = list(values.values())
        rows.append(
            [
                row.title,
                str(year),
                number(values.get(code), row.unit),
                number(sum(peer_values) / len(peer_values) if peer_values else None, row.unit),
                number(sum(region_values) / len(region_values) if region_values else None, row.unit),
            ]
        )
    others = ", ".join(munis.municipality_name[c] for c in peers if c != code) or "inga andra i regionen"
    return {
        "caption": f"Jämfört med kommuner som liknar {munis.municipality_name[code]} (SKR:s kommungrupp {group})",
        "header": header,
        "rows": rows,
        "note": f"Samma kommungrupp i regionen: {others}. Snitten är ovägda medelvärden av kommunerna samma "
        f"år: sydstats beräkning.",
    }


def grounds_table(data: ReportData) -> dict:
    """Per ground of discrimination: the breakdowns the warehouse has, or plainly that open statistics have none."""
    rows = [
        [r.ground, "ja" if r.covered else "nej", r.breakdowns if r.covered else r.gap_note]
        for r in data.grounds.itertuples()
    ]
    return {
        "caption": "Diskrimineringsgrunderna (diskrimineringslagen 2008:567): vad de inlästa källorna delar upp på",
        "header": ["Diskrimineringsgrund", "Finns i lagret", "Uppdelning, eller varför inte"],
        "rows": rows,
        "note": "Räknat ur de inlästa data (vyn discrimination_grounds). Bakgrund och födelseregion beskriver "
        "var man eller ens föräldrar är födda, inte etnisk tillhörighet. Inget skattas eller fylls i.",
    }
