"""JSON-stat 2.0 (SCB's PxWebApi 2.0 and Folkhälsodata answer in it): the order of a dimension's categories, one
definition for the client reading table metadata and the transform reading data."""

from __future__ import annotations


def category_codes(category: dict) -> list[str]:
    """A dimension's category codes in their published order (`index` as a list or as code → position)."""
    index = category.get("index")
    if index is None:  # a single-category dimension may omit the index
        return list(category.get("label", {}))
    if isinstance(index, list):
        return [str(c) for c in index]
    return [code for code, _ in sorted(index.items(), key=lambda kv: kv[1])]
