"""Counts of the benchmark files in the shared data directory.

The files are not in the repository (their licences forbid it): set
KERAS_REC_TX_TEST_DATA (default ../shared/data relative to the repo root,
then /work/shared/data) to run these tests.
"""

import os
import pathlib
import warnings

import numpy as np
import pytest

from keras_rec_tx.datasets import load

ROOT = pathlib.Path(__file__).resolve().parents[2]


def data_dir():
    candidates = [
        os.environ.get("KERAS_REC_TX_TEST_DATA", "../shared/data"),
        "/work/shared/data",
    ]
    for candidate in candidates:
        path = pathlib.Path(candidate)
        path = path if path.is_absolute() else ROOT / path
        if path.is_dir():
            return path
    return None


DATA_DIR = data_dir()
pytestmark = pytest.mark.skipif(
    DATA_DIR is None,
    reason="benchmark data not found: set KERAS_REC_TX_TEST_DATA to the "
    "folder holding ml-100k/, sasrec-amazon-games/, s3rec-amazon-beauty/",
)


def load_checked(name):
    folder = {
        "ml-100k": "ml-100k",
        "sasrec-amazon-games": "sasrec-amazon-games",
        "s3rec-amazon-beauty": "s3rec-amazon-beauty",
    }[name]
    if not (DATA_DIR / folder).is_dir():
        pytest.skip(f"{DATA_DIR / folder} is missing")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # checksum mismatch would warn
        return load(name, data_dir=DATA_DIR, download=False)


@pytest.mark.parametrize(
    "name, interactions, users, items, has_time",
    [
        ("ml-100k", 100_000, 943, 1_682, True),
        ("sasrec-amazon-games", 287_107, 31_013, 23_715, False),
        ("s3rec-amazon-beauty", 198_502, 22_363, 12_101, False),
    ],
)
def test_counts(name, interactions, users, items, has_time):
    data = load_checked(name)
    assert data.num_interactions == interactions
    assert data.num_users == users
    assert data.num_items == items
    assert data.has_time == has_time


def test_ml_100k_details():
    data = load_checked("ml-100k")
    assert len(data.item_titles) == 1_682
    assert data.item_titles[1] == "Toy Story (1995)"
    for user in range(data.num_users):
        begin, end = data.offsets[user], data.offsets[user + 1]
        assert (np.diff(data.timestamps[begin:end]) >= 0).all()
    assert data.lengths.min() >= 20
    _, _, test = data.leave_one_out()
    assert len(test) == 943
    high = load("ml-100k", data_dir=DATA_DIR, min_rating=4, download=False)
    assert high.num_interactions == 34_174 + 21_201


def test_games_split_sizes():
    data = load_checked("sasrec-amazon-games")
    train, valid, test = data.leave_one_out()
    # 112 users have fewer than 3 interactions: training only.
    assert len(test) == len(valid) == 31_013 - 112
    assert data.lengths.max() == 860
    # File order is kept: ids 1.. map to themselves.
    np.testing.assert_array_equal(data.item_ids, np.arange(1, 23_716))
    np.testing.assert_array_equal(data.user_ids, np.arange(1, 31_014))


def test_beauty_lengths_and_padding():
    data = load_checked("s3rec-amazon-beauty")
    assert data.lengths.min() == 5 and data.lengths.max() == 204
    train, _, _ = data.leave_one_out()
    bucketed = train.batches(max_len=50).padding_fraction()
    plain = train.batches(max_len=50, bucketing=False).padding_fraction()
    assert bucketed < plain
