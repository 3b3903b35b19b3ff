"""Published totals against the sum of their parts. Pure.

SCB publishes totals inside its code lists (`Kon` '1+2' or 'TotSa', `UtlBakgrund` 'SA', `Alder` 'tot'/'totalt'/'TotSA',
`Fodelseregion` 'tot'; SOURCES.md §2). A total is never a group of its own: it is the published figure the parts must
add up to — exactly, or within a tolerance where SCB adds cell-key noise (CKM, from 2025): independent noise on n
parts adds up as √n, so a total may miss its parts by max(absolute × √n, relative × total).
"""

from __future__ import annotations

import pandas as pd


def sum_violations(
    frame: pd.DataFrame,
    keys: list[str],
    totals: dict[str, str],
    tolerance: dict | None = None,
    noisy_from: int | None = None,
) -> pd.DataFrame:
    """Rows whose total misses the sum of its parts by more than allowed. `totals`: column → the value that marks its
    total (e.g. {'sex': 'T', 'age_group': 'total'}); each is checked within every combination of the other `keys`.
    `tolerance` applies from the year `noisy_from` on (every year when None); earlier years must add up exactly.
    Columns: the keys, total, parts_sum, parts, check."""
    tolerance = tolerance or {}
    frames = []
    for column, total in totals.items():
        others = [k for k in keys if k != column]
        parts = (
            frame[frame[column] != total]
            .groupby(others, as_index=False, dropna=False)
            .persons.agg(parts_sum="sum", parts="count")
        )
        published = frame[frame[column] == total].rename(columns={"persons": "total"})
        frames.append(published[[*keys, "total"]].merge(parts, on=others).assign(check=f"Σ {column} = {total}"))
    checked = pd.concat(frames, ignore_index=True).dropna(subset=["total", "parts_sum"])
    checked = checked[checked.parts > 0]
    gap = (checked.total - checked.parts_sum).abs().astype(float)
    allowed = pd.concat(
        [
            checked.total.astype(float) * float(tolerance.get("relative", 0)),
            checked.parts.astype(float) ** 0.5 * float(tolerance.get("absolute", 0)),
        ],
        axis=1,
    ).max(axis=1)
    if noisy_from is not None:
        allowed = allowed.where(checked.year >= noisy_from, 0.0)
    return checked[gap > allowed].reset_index(drop=True)


def describe_violations(
    violations: pd.DataFrame,
    table_id: str,
    keys: list[str],
    tolerance: dict | None,
    limit: int = 3,
    noisy_from: int | None = None,
) -> str:
    examples = "; ".join(
        " ".join(str(getattr(r, k)) for k in keys) + f": {r.check} ({r.total} vs {r.parts_sum})"
        for r in violations.head(limit).itertuples()
    )
    allowed = f"{tolerance or {'absolute': 0}}" + (f" from {noisy_from}, exactly before" if noisy_from else "")
    return (
        f"table {table_id}: {len(violations)} totals miss the sum of their parts by more than the tolerance "
        f"{allowed} — e.g. {examples}"
    )


def derive_missing_parts(frame: pd.DataFrame, keys: list[str], column: str, total: str) -> pd.DataFrame:
    """Where exactly one part of `column` is missing (NULL) and the total and every other part are published, the
    missing part is the total minus the others. Only for the variables the catalogue names (`derive_from_total`):
    with CKM noise a derived part carries the noise of all the others."""
    others = [k for k in keys if k != column]
    parts = frame[column] != total
    stats = frame[parts].groupby(others, dropna=False).persons.agg(known="sum", n_missing=lambda s: s.isna().sum())
    totals = frame[~parts].set_index(others).persons.rename("published")
    stats = stats.join(totals, how="inner")
    fillable = stats[(stats.n_missing == 1) & stats.published.notna()]
    if fillable.empty:
        return frame
    fill = (fillable.published - fillable.known).rename("derived")
    out = frame.merge(fill.reset_index(), on=others, how="left")
    target = (out[column] != total) & out.persons.isna() & out.derived.notna()
    out.loc[target, "persons"] = out.loc[target, "derived"]
    return out.drop(columns="derived")
