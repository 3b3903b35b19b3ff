"""Segregation index maths: hand-computed cases and properties."""

import numpy as np
import pandas as pd
import pytest

from transforms.segregation import entropy_index, indices_by_municipality, two_group


def test_hand_computed_two_areas():
    # area 1: 30 a, 10 b; area 2: 10 a, 50 b.  A = 40, B = 60
    out = two_group([30, 10], [10, 50])
    assert out["dissimilarity"] == pytest.approx(0.5 * (abs(30 / 40 - 10 / 60) + abs(10 / 40 - 50 / 60)))
    assert out["isolation"] == pytest.approx((30 / 40) * (30 / 40) + (10 / 40) * (10 / 60))
    assert out["isolation"] + out["exposure"] == pytest.approx(1.0)
    assert (out["areas"], out["population"], out["group_share"]) == (2, 100.0, 0.4)


def test_even_and_complete_separation():
    assert two_group([10, 20, 30], [20, 40, 60])["dissimilarity"] == pytest.approx(0.0)
    assert two_group([10, 0, 5], [0, 7, 0])["dissimilarity"] == pytest.approx(1.0)
    assert entropy_index([[10, 20], [20, 40], [30, 60]]) == pytest.approx(0.0)
    assert entropy_index([[10, 0], [0, 7]]) == pytest.approx(1.0)


def test_hand_computed_entropy():
    counts = np.array([[30, 10], [10, 50]], dtype=float)
    shares = np.array([0.4, 0.6])
    E = -(shares * np.log(shares)).sum()
    Ei = [-(p * np.log(p)).sum() for p in (np.array([0.75, 0.25]), np.array([1 / 6, 5 / 6]))]
    expected = (0.4 * (E - Ei[0]) + 0.6 * (E - Ei[1])) / E
    assert entropy_index(counts) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(20))
def test_properties_on_random_cities(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 500, size=(rng.integers(2, 40), 3))
    out = two_group(counts[:, 0], counts[:, 1:].sum(axis=1))
    assert 0 <= out["dissimilarity"] <= 1 and 0 <= entropy_index(counts) <= 1
    order = rng.permutation(len(counts))
    shuffled = two_group(counts[order, 0], counts[order, 1:].sum(axis=1))
    assert shuffled["dissimilarity"] == pytest.approx(out["dissimilarity"])
    assert entropy_index(counts[order]) == pytest.approx(entropy_index(counts))


def test_absent_group_gives_nan_not_zero():
    out = two_group([0, 0], [5, 6])
    assert np.isnan(out["dissimilarity"]) and np.isnan(entropy_index([[0, 5], [0, 6]]))


def test_indices_by_municipality_long_input():
    rows = [
        ("1280", 2024, "A1", "utländsk", 30),
        ("1280", 2024, "A1", "svensk", 10),
        ("1280", 2024, "A2", "utländsk", 10),
        ("1280", 2024, "A2", "svensk", 50),
        ("1282", 2024, "B1", "utländsk", 5),
        ("1282", 2024, "B1", "svensk", 5),
    ]
    frame = pd.DataFrame(rows, columns=["municipality_code", "year", "area_code", "background", "persons"])
    out = indices_by_municipality(frame, "background", "utländsk").set_index("municipality_code")
    assert out.loc["1280", "dissimilarity"] == pytest.approx(two_group([30, 10], [10, 50])["dissimilarity"])
    assert out.loc["1282", "dissimilarity"] == pytest.approx(0.0) and out.loc["1282", "areas"] == 1
