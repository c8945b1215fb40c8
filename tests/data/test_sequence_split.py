import numpy as np
import pandas as pd
import pytest

from keras_rec_tx.data import Interactions, SequenceBatches, SequenceSplit


def data():
    df = pd.DataFrame(
        {
            "u": [0, 0, 0, 0, 1, 1, 1],
            "i": [1, 2, 3, 4, 5, 6, 7],
            "t": [10, 20, 30, 40, 10, 20, 30],
        }
    )
    return Interactions.from_dataframe(df, user="u", item="i", time="t")


def test_properties():
    train, valid, test = data().leave_one_out()
    np.testing.assert_array_equal(train.lengths, [2, 1])
    np.testing.assert_array_equal(test.lengths, [3, 2])
    np.testing.assert_array_equal(test.targets, [4, 7])
    assert train.targets is None and len(test) == 2
    assert test.interactions.num_users == 2


def test_to_dataframe():
    train, valid, test = data().leave_one_out()
    df = train.to_dataframe()
    assert df["item_id"].tolist() == [1, 2, 5]
    assert df["timestamp"].tolist() == [10, 20, 10]
    assert valid.to_dataframe()["item_id"].tolist() == [3, 6]


def test_batches_returns_sequence_batches():
    train, _, _ = data().leave_one_out()
    batches = train.batches()
    assert isinstance(batches, SequenceBatches)
    assert batches.batch_size == 128 and batches.max_len == 50
    assert batches.shuffle and batches.bucketing


def test_bad_rows():
    d = data()
    with pytest.raises(ValueError, match="kind must be one of"):
        SequenceSplit(d, [0], [0], [1], kind="eval")
    with pytest.raises(ValueError, match="inside its user's sequence"):
        SequenceSplit(d, [0], [0], [5], kind="train")
    with pytest.raises(ValueError, match="non-empty history"):
        SequenceSplit(d, [0], [0], [0], kind="test")
    with pytest.raises(ValueError, match="non-empty history"):
        SequenceSplit(d, [0], [0], [4], kind="test")  # target past the end
