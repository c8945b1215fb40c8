"""Sorting a shuffled log: the packed-key sort is numpy's stable argsort."""

import numpy as np
import pandas as pd

from keras_rec_tx.data import Interactions
from keras_rec_tx.data._sorting import stable_argsort


def test_packed_sort_is_the_stable_argsort():
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 50, 1000)  # many ties
    np.testing.assert_array_equal(
        stable_argsort(keys), np.argsort(keys, kind="stable")
    )
    wide = rng.integers(0, 2**62, 100)  # key and row need > 63 bits
    np.testing.assert_array_equal(
        stable_argsort(wide), np.argsort(wide, kind="stable")
    )


def test_shuffled_log_with_ties_keeps_input_order_of_ties():
    rng = np.random.default_rng(1)
    n = 400
    df = pd.DataFrame(
        {
            "user": rng.integers(0, 20, n).astype("int32"),
            "item": np.arange(n),  # the input order, to check ties
            "time": rng.integers(0, 30, n),
        }
    )
    data = Interactions.from_dataframe(
        df, user="user", item="item", time="time"
    )
    expected = df.iloc[np.lexsort((df["time"], df["user"]))]
    np.testing.assert_array_equal(
        data.decode_items(data.item_indices), expected["item"]
    )
    np.testing.assert_array_equal(data.timestamps, expected["time"])
