"""Segregation indices over the areas of one municipality (SOURCES.md §5). Pure numpy/pandas.

For areas i with counts a_i (group a, e.g. foreign background) and b_i (the rest), A = Σa, B = Σb, t_i = a_i + b_i:
  dissimilarity   D   = ½ Σ |a_i/A − b_i/B|            (0 = even, 1 = complete separation)
  isolation       xPx = Σ (a_i/A)(a_i/t_i)              (chance an a-member's neighbour is an a-member)
  exposure        xPy = Σ (a_i/A)(b_i/t_i)              (xPx + xPy = 1)
  entropy index   H   = Σ (t_i/T)(E − E_i) / E          (Theil; multi-group; E the municipality's entropy)
Values depend on the area unit: DeSO-based D is not SCB's SAMS-based index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def two_group(a, b) -> dict:
    """D, isolation and exposure for one municipality's areas; NaN when a group is absent."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = (a + b) > 0
    a, b = a[keep], b[keep]
    A, B = a.sum(), b.sum()
    out = {"areas": int(keep.sum()), "population": float(A + B), "group_share": float(A / (A + B)) if A + B else np.nan}
    if A == 0 or B == 0:
        return {**out, "dissimilarity": np.nan, "isolation": np.nan, "exposure": np.nan}
    t = a + b
    return {
        **out,
        "dissimilarity": float(0.5 * np.abs(a / A - b / B).sum()),
        "isolation": float(((a / A) * (a / t)).sum()),
        "exposure": float(((a / A) * (b / t)).sum()),
    }


def _entropy(shares: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(shares > 0, shares * np.log(1 / shares), 0.0)
    return terms.sum(axis=-1)


def entropy_index(counts) -> float:
    """Theil's H for an areas × groups matrix of counts; NaN if only one group is present."""
    counts = np.asarray(counts, dtype=float)
    counts = counts[counts.sum(axis=1) > 0]
    t = counts.sum(axis=1)
    T = t.sum()
    if T == 0:
        return np.nan
    E = _entropy(counts.sum(axis=0) / T)
    if E == 0:
        return np.nan
    Ei = _entropy(counts / t[:, None])
    return float(((t / T) * (E - Ei)).sum() / E)


def indices_by_municipality(
    population: pd.DataFrame,
    group_column: str,
    group_a: str,
    area_column: str = "area_code",
    by: tuple[str, ...] = ("municipality_code", "year"),
) -> pd.DataFrame:
    """Per municipality and year: D, isolation, exposure (group_a vs the rest) and H over all groups of
    `group_column`, from long rows (area, group, persons)."""
    rows = []
    for key, frame in population.groupby(list(by), sort=True):
        wide = frame.pivot_table(index=area_column, columns=group_column, values="persons", aggfunc="sum", fill_value=0)
        a = wide[group_a] if group_a in wide else pd.Series(0, index=wide.index)
        b = wide.drop(columns=[group_a], errors="ignore").sum(axis=1)
        rows.append({**dict(zip(by, key, strict=True)), **two_group(a, b), "entropy_index": entropy_index(wide.values)})
    return pd.DataFrame(rows)
