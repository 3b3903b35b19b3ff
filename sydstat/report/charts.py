"""Report charts: matplotlib → standalone SVG files (no JavaScript, nothing fetched at view time).

Accessibility: the Okabe-Ito colour-blind-safe palette, restricted to colours with ≥ 3:1 contrast on white
(WCAG 1.4.11), and every series also told apart by line style and marker, so no chart relies on colour alone. Text
stays text in the SVG (svg.fonttype none) so it scales and can be read by assistive tools; each chart also gets an alt
text and a data table in the HTML beside it (see pages.py). Output is deterministic (fixed hash salt, no dates in
the metadata).
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Okabe-Ito, the members with ≥ 3:1 contrast on white; grey only for context lines.
BLUE, VERMILLION, GREEN, PURPLE, BLACK, CONTEXT = "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#C8C8C8"
SERIES_STYLE = {
    "K": {"color": VERMILLION, "linestyle": "-", "marker": "o", "label": "Kvinnor"},
    "M": {"color": BLUE, "linestyle": "-", "marker": "s", "label": "Män"},
    "T": {"color": GREEN, "linestyle": "-", "marker": "^", "label": "Totalt"},
    "region": {"color": BLACK, "linestyle": "--", "marker": None, "label": "Regionens snitt"},
    "region K": {"color": VERMILLION, "linestyle": ":", "marker": None, "label": "Regionens snitt, kvinnor"},
    "region M": {"color": BLUE, "linestyle": ":", "marker": None, "label": "Regionens snitt, män"},
    "Skåne län": {"color": BLUE, "linestyle": "-", "marker": "o", "label": "Skåne (snitt)"},
    "Blekinge län": {"color": VERMILLION, "linestyle": "--", "marker": "s", "label": "Blekinge (snitt)"},
}

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "sydstat",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 9,
        "axes.titleweight": "bold",
        "axes.edgecolor": "#595959",
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "figure.dpi": 100,
    }
)


def _save(fig, path: Path) -> Path:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "sydstat"})
    plt.close(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _grid(panels: int, columns: int = 3, height: float = 2.4):
    rows = max(1, -(-panels // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(3.3 * columns, height * rows), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[panels:]:
        ax.set_visible(False)
    return fig, flat[:panels]


def _title(ax, title: str) -> None:
    ax.set_title(textwrap.fill(title, 40), loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))


def _plot(ax, frame: pd.DataFrame, style: dict, linewidth: float = 1.6) -> None:
    ax.plot(
        frame["year"],
        frame["value"],
        color=style["color"],
        linestyle=style["linestyle"],
        marker=style["marker"],
        markersize=3,
        linewidth=linewidth,
        label=style["label"],
    )


def _mark_breaks(ax, years) -> None:
    for year in sorted(set(years)):
        ax.axvline(year - 0.5, color="#595959", linestyle=":", linewidth=1)
        ax.annotate(
            "serie-\nbrott",
            (year - 0.5, 1),
            xycoords=("data", "axes fraction"),
            fontsize=7,
            ha="right",
            va="top",
            color="#333333",
        )


def region_small_multiples(panels: list[dict], path: Path) -> Path:
    """One panel per indicator: every municipality as a thin grey line, Skåne's and Blekinge's averages on top.

    panels: {title, municipalities: frame(municipality_code, year, value), counties: frame(county_name, year, value),
    breaks: [years]}.
    """
    fig, axes = _grid(len(panels), height=2.7)
    for ax, panel in zip(axes, panels, strict=True):
        for _, series in panel["municipalities"].groupby("municipality_code"):
            ax.plot(series["year"], series["value"], color=CONTEXT, linewidth=0.6)
        for county, series in panel["counties"].groupby("county_name"):
            _plot(ax, series, SERIES_STYLE.get(county, SERIES_STYLE["T"]), linewidth=2.2)
        _mark_breaks(ax, panel["breaks"])
        _title(ax, panel["title"])
    handles, labels = axes[0].get_legend_handles_labels() if axes else ([], [])
    if handles:
        fig.legend(handles, labels, loc="lower center", ncols=len(handles), frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return _save(fig, path)


def municipality_trends(panels: list[dict], path: Path) -> Path:
    """One panel per indicator: the municipality's women, men (or total) against the region's average.

    panels: {title, series: {key in SERIES_STYLE: frame(year, value)}, breaks: [years]}.
    """
    fig, axes = _grid(len(panels), height=2.7)
    for ax, panel in zip(axes, panels, strict=True):
        for key, frame in panel["series"].items():
            if not frame.empty:
                _plot(ax, frame, SERIES_STYLE[key])
        _mark_breaks(ax, panel["breaks"])
        _title(ax, panel["title"])
    labels = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            labels.setdefault(label, handle)
    if labels:
        fig.legend(
            list(labels.values()),
            list(labels),
            loc="lower center",
            ncols=len(labels),
            frameon=False,
            bbox_to_anchor=(0.5, -0.02),
        )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return _save(fig, path)


def sex_gap_bars(frame: pd.DataFrame, path: Path) -> Path:
    """Horizontal bars: women − men in percentage points per indicator; hatching tells the sign, not colour alone."""
    frame = frame.sort_values("gap_women_minus_men")
    fig, ax = plt.subplots(figsize=(7.5, 0.38 * len(frame) + 1.0))
    colours = [VERMILLION if g > 0 else BLUE for g in frame["gap_women_minus_men"]]
    hatches = ["" if g > 0 else "//" for g in frame["gap_women_minus_men"]]
    bars = ax.barh(frame["label"], frame["gap_women_minus_men"], color=colours, edgecolor="#333333", linewidth=0.5)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax.axvline(0, color=BLACK, linewidth=0.8)
    ax.set_xlabel("Kvinnor minus män, procentenheter (högre = kvinnor har högre värde)")
    fig.tight_layout()
    return _save(fig, path)


def segregation_lines(municipality: pd.DataFrame, region: pd.DataFrame, name: str, path: Path) -> Path:
    """Dissimilarity index over the years: the municipality against the region's municipalities' average; the first
    year on a new area grid is marked like a series break."""
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    if "is_grid_break" in municipality:
        _mark_breaks(ax, municipality.loc[municipality.is_grid_break.astype(bool), "year"].tolist())
    _plot(ax, municipality.rename(columns={"dissimilarity": "value"}), {**SERIES_STYLE["T"], "label": name})
    _plot(ax, region.rename(columns={"dissimilarity": "value"}), SERIES_STYLE["region"])
    ax.set_ylim(0, max(0.5, float(pd.concat([municipality.dissimilarity, region.dissimilarity]).max()) * 1.15))
    ax.set_ylabel("Segregationsindex D (0-1)")
    ax.legend(frameon=False, loc="lower left")
    fig.tight_layout()
    return _save(fig, path)
