import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_rec_tx.data import Interactions


def make(df, **kwargs):
    kwargs.setdefault("user", "u")
    kwargs.setdefault("item", "i")
    return Interactions.from_dataframe(df, **kwargs)


def frame():
    return pd.DataFrame(
        {
            "u": ["b", "a", "a", "b", "a", "b", "c", "c", "c"],
            "i": ["z", "x", "y", "x", "z", "y", "x", "w", "z"],
            "t": [30, 20, 10, 10, 30, 20, 5, 6, 7],
        }
    )


def test_remap_and_csr():
    data = make(frame(), time="t")
    assert data.num_users == 3 and data.num_items == 4
    assert data.num_interactions == 9 and data.has_time
    # Items sorted: w, x, y, z -> 1..4; users a, b, c -> 0..2.
    np.testing.assert_array_equal(data.item_ids, ["w", "x", "y", "z"])
    np.testing.assert_array_equal(data.user_ids, ["a", "b", "c"])
    np.testing.assert_array_equal(data.offsets, [0, 3, 6, 9])
    np.testing.assert_array_equal(
        data.item_indices, [3, 2, 4, 2, 3, 4, 2, 1, 4]
    )
    np.testing.assert_array_equal(
        data.timestamps, [10, 20, 30, 10, 20, 30, 5, 6, 7]
    )
    assert data.item_indices.dtype == np.int32
    assert data.timestamps.dtype == np.int64
    assert data.offsets.dtype == np.int64
    np.testing.assert_array_equal(data.sequence(1), [2, 3, 4])
    np.testing.assert_array_equal(data.encode_items(["x", "w"]), [2, 1])
    np.testing.assert_array_equal(data.decode_items([4, 1]), ["z", "w"])
    with pytest.raises(ValueError, match=r"not in the catalogue.*'nope'"):
        data.encode_items(["x", "nope"])
    with pytest.raises(ValueError, match="0 is padding"):
        data.decode_items([0])
    assert not data.item_indices.flags.writeable


def test_integer_ids_follow_sorted_order():
    df = pd.DataFrame({"u": [7, 7, 3], "i": [100, 5, 42]})
    data = make(df)
    np.testing.assert_array_equal(data.item_ids, [5, 42, 100])
    np.testing.assert_array_equal(data.user_ids, [3, 7])
    # No time: input order within a user is kept.
    np.testing.assert_array_equal(data.item_indices, [2, 3, 1])
    assert not data.has_time and data.timestamps is None


def test_ties_keep_input_order():
    df = pd.DataFrame(
        {"u": [1] * 5, "i": [5, 4, 3, 2, 1], "t": [2, 1, 2, 1, 2]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = make(df, time="t")
    np.testing.assert_array_equal(
        data.decode_items(data.item_indices), [4, 2, 5, 3, 1]
    )


def test_datetime_timestamps():
    df = pd.DataFrame(
        {
            "u": [1, 1, 2],
            "i": [1, 2, 3],
            "t": pd.to_datetime(
                [
                    "2020-01-01 00:00:01",
                    "2020-01-01 00:00:00",
                    "1999-12-31 00:00:00",
                ]
            ),
        }
    )
    data = make(df, time="t")
    np.testing.assert_array_equal(
        data.timestamps, [1577836800, 1577836801, 946598400]
    )
    df["t"] = df["t"].dt.tz_localize("Europe/Paris")
    data = make(df, time="t")
    assert data.timestamps[0] == 1577836800 - 3600


def test_float_timestamps_are_floored():
    df = pd.DataFrame({"u": [1, 1, 2], "i": [1, 2, 1], "t": [10.7, 3.2, 0.5]})
    np.testing.assert_array_equal(make(df, time="t").timestamps, [3, 10, 0])


def test_summary_and_repr():
    data = make(frame(), time="t")
    summary = data.summary()
    assert summary["users"] == 3 and summary["items"] == 4
    assert summary["interactions"] == 9
    assert summary["mean_length"] == 3.0 and summary["median_length"] == 3.0
    assert summary["density"] == pytest.approx(9 / 12)
    assert "users=3" in repr(data) and "interactions=9" in repr(data)


def test_item_titles():
    data = make(frame(), item_titles={"x": "Ex", "z": "Zed", "q": "unused"})
    assert data.item_titles == {2: "Ex", 4: "Zed"}
    assert make(frame()).item_titles is None


def test_to_dataframe_round_trip():
    data = make(frame(), time="t")
    again = make(
        data.to_dataframe(), user="user_id", item="item_id", time="timestamp"
    )
    np.testing.assert_array_equal(again.item_indices, data.item_indices)
    np.testing.assert_array_equal(again.timestamps, data.timestamps)


# --------------------------------------------------------------------------
# Bad input.


def test_missing_column_suggests_close_name():
    df = pd.DataFrame({"user_id": [1], "item_id": [2], "timestamp": [3]})
    with pytest.raises(ValueError, match=r"'user_idd'.*Did you mean 'user_id'"):
        Interactions.from_dataframe(df, user="user_idd")
    with pytest.raises(ValueError, match=r"'time'.*Did you mean 'timestamp'"):
        Interactions.from_dataframe(df, time="time")
    with pytest.raises(ValueError, match=r"'movieId'.*Available columns"):
        Interactions.from_dataframe(df, item="movieId")


def test_not_a_dataframe():
    with pytest.raises(TypeError, match="`df` must be a pandas DataFrame"):
        Interactions.from_dataframe([[1, 2]])


def test_empty_frame():
    with pytest.raises(ValueError, match="empty"):
        make(pd.DataFrame({"u": [], "i": []}))


@pytest.mark.parametrize("column", ["u", "i"])
def test_missing_ids(column):
    df = pd.DataFrame({"u": [1, 2, 3], "i": [1, 2, 3]}, dtype=object)
    df.loc[1, column] = None
    with pytest.raises(
        ValueError, match=rf"Column '{column}' has 1 missing ids.*row 1"
    ):
        make(df)


def test_mixed_id_types():
    df = pd.DataFrame({"u": [1, 2], "i": [1, "a"]})
    with pytest.raises(
        ValueError, match=r"'i' mixes id types \[.int., .str.\].*astype\(str\)"
    ):
        make(df)


def test_nan_timestamps():
    df = pd.DataFrame({"u": [1, 1], "i": [1, 2], "t": [1.0, np.nan]})
    with pytest.raises(ValueError, match=r"'t' has 1 missing or infinite"):
        make(df, time="t")
    df["t"] = pd.to_datetime(["2020-01-01", None])
    with pytest.raises(ValueError, match=r"'t' has 1 missing timestamps \(NaT"):
        make(df, time="t")


def test_non_numeric_timestamps():
    df = pd.DataFrame({"u": [1, 1], "i": [1, 2], "t": ["5", "2020-01-01"]})
    with pytest.raises(
        ValueError, match=r"'t' has 1 non-numeric.*'2020-01-01'.*to_datetime"
    ):
        make(df, time="t")
    df["t"] = [True, False]
    with pytest.raises(ValueError, match="non-numeric timestamps"):
        make(df, time="t")


def test_mixed_milliseconds_and_seconds():
    df = pd.DataFrame(
        {
            "u": [1, 1, 2],
            "i": [1, 2, 3],
            "t": [1_600_000_000_000, 1_600_000_000, 5],
        }
    )
    with pytest.raises(ValueError, match=r"'t' mixes .*milliseconds.*seconds"):
        make(df, time="t")


def test_all_milliseconds_warns_and_converts():
    df = pd.DataFrame(
        {"u": [1, 2], "i": [1, 2], "t": [1_600_000_000_123, 1_600_000_001_999]}
    )
    with pytest.warns(UserWarning, match="looks like milliseconds"):
        data = make(df, time="t")
    np.testing.assert_array_equal(
        data.timestamps, [1_600_000_000, 1_600_000_001]
    )


def test_microseconds_raise():
    df = pd.DataFrame({"u": [1], "i": [1], "t": [1_600_000_000_000_000]})
    with pytest.raises(ValueError, match="micro- or nanoseconds"):
        make(df, time="t")


def test_single_user_warns():
    df = pd.DataFrame({"u": [1, 1, 1], "i": [1, 2, 3]})
    with pytest.warns(UserWarning, match="single user"):
        data = make(df)
    train, valid, test = data.leave_one_out()
    assert len(test) == 1


def test_duplicates_keep_all_warns_once_with_count():
    df = pd.DataFrame(
        {"u": [1, 1, 1, 1, 2], "i": [5, 6, 5, 5, 5], "t": [1, 2, 3, 4, 1]}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = make(df, time="t")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "2 rows repeat" in messages[0]
    assert data.num_interactions == 5


@pytest.mark.parametrize("dedupe, times", [("first", [1, 2]), ("last", [2, 4])])
def test_duplicates_first_last(dedupe, times):
    df = pd.DataFrame(
        {"u": [1, 1, 1, 1, 2], "i": [5, 6, 5, 5, 5], "t": [4, 2, 1, 3, 1]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = make(df, time="t", dedupe=dedupe)
    np.testing.assert_array_equal(data.timestamps[:2], times)
    assert data.num_interactions == 3


def test_bad_dedupe():
    with pytest.raises(ValueError, match="`dedupe` must be one of"):
        make(frame(), dedupe="drop")


def test_min_rating_filters():
    df = pd.DataFrame(
        {"u": [1, 1, 2, 2], "i": [1, 2, 3, 4], "r": [4.5, 2.0, 4.0, 5]}
    )
    data = make(df, rating="r", min_rating=4)
    np.testing.assert_array_equal(data.item_ids, [1, 3, 4])
    with pytest.raises(ValueError, match="nothing is left"):
        make(df, rating="r", min_rating=6)


def test_min_rating_bad_inputs():
    df = pd.DataFrame({"u": [1, 2], "i": [1, 2], "r": [1.0, -1.0]})
    with pytest.raises(ValueError, match="needs a rating column"):
        make(df, min_rating=3)
    with pytest.raises(ValueError, match=r"'r' has 1 negative ratings"):
        make(df, rating="r", min_rating=3)
    df["r"] = [1.0, np.nan]
    with pytest.raises(ValueError, match=r"'r' has 1 missing or infinite"):
        make(df, rating="r", min_rating=3)
    df["r"] = [1, "good"]
    with pytest.raises(ValueError, match=r"'r' has non-numeric ratings.*good"):
        make(df, rating="r", min_rating=3)
    df["r"] = [1, 2]
    with pytest.raises(TypeError, match="`min_rating` must be"):
        make(df, rating="r", min_rating="3")
    with pytest.raises(ValueError, match="`min_rating` must be"):
        make(df, rating="r", min_rating=-1)


# --------------------------------------------------------------------------
# Preprocessing.


def test_k_core_is_iterative():
    # Item 9 has 2 interactions; once it is gone user 2 has 1 left, then
    # item 1 has 1 left (user 1), so user 1 drops below 2 too... until
    # only users 3, 4 on items 1, 2 remain.
    df = pd.DataFrame(
        {
            "u": [1, 1, 2, 2, 3, 3, 4, 4, 5],
            "i": [9, 3, 9, 1, 1, 2, 1, 2, 3],
        }
    )
    data = make(df).k_core(user_k=2, item_k=2)
    np.testing.assert_array_equal(data.user_ids, [3, 4])
    np.testing.assert_array_equal(data.item_ids, [1, 2])
    np.testing.assert_array_equal(data.item_indices, [1, 2, 1, 2])
    for user in range(data.num_users):
        assert len(data.sequence(user)) >= 2
    assert (np.bincount(data.item_indices)[1:] >= 2).all()
    with pytest.raises(ValueError, match="removed every interaction"):
        make(df).k_core(user_k=10)
    with pytest.raises(ValueError, match="`user_k` must be"):
        make(df).k_core(user_k=0)


def test_min_sequence_length_reindexes_and_keeps_titles():
    df = pd.DataFrame({"u": [1, 1, 2], "i": ["a", "b", "c"], "t": [1, 2, 3]})
    data = make(df, time="t", item_titles={"b": "Bee", "c": "Sea"})
    kept = data.min_sequence_length(2)
    assert kept.num_users == 1 and kept.num_items == 2
    assert kept.item_titles == {2: "Bee"}
    np.testing.assert_array_equal(kept.timestamps, [1, 2])
    with pytest.raises(ValueError, match="`n` must be"):
        data.min_sequence_length(0)


def test_from_sequences():
    data = Interactions.from_sequences(
        [["a", "b", "c"], [], ["c", "a"]], timestamps=[[3, 2, 1], [], [5, 6]]
    )
    assert data.num_users == 2
    np.testing.assert_array_equal(data.user_ids, [0, 2])
    np.testing.assert_array_equal(
        data.decode_items(data.sequence(0)), ["c", "b", "a"]
    )
    with pytest.raises(ValueError, match="same lengths"):
        Interactions.from_sequences([[1, 2]], timestamps=[[1]])
    with pytest.raises(ValueError, match="missing or infinite"):
        Interactions.from_sequences([[1, 2]], timestamps=[[1, None]])


# --------------------------------------------------------------------------
# Splits.


def test_leave_one_out():
    df = pd.DataFrame(
        {
            "u": [0, 0, 0, 0, 1, 1, 2, 2, 2],
            "i": [1, 2, 3, 4, 5, 6, 7, 8, 9],
            "t": [1, 2, 3, 4, 1, 2, 1, 2, 3],
        }
    )
    data = make(df, time="t")
    train, valid, test = data.leave_one_out()
    assert train.kind == "train" and train.is_training and valid.kind == "valid"
    seqs = [data.decode_items(s).tolist() for s in train.sequences()]
    assert seqs == [[1, 2], [5, 6], [7]]  # user 1 (< 3) is train only
    assert data.decode_items(valid.targets).tolist() == [3, 8]
    assert data.decode_items(test.targets).tolist() == [4, 9]
    np.testing.assert_array_equal(valid.users, [0, 2])
    hist = [data.decode_items(s).tolist() for s in test.sequences()]
    assert hist == [[1, 2, 3], [7, 8]]  # train + validation item
    assert test.targets.dtype == np.int32
    assert "valid" in repr(valid)


def test_time_split():
    df = pd.DataFrame(
        {
            "u": [0, 0, 0, 0, 0, 1, 1, 2],
            "i": [1, 2, 3, 4, 5, 6, 7, 8],
            "t": [1, 2, 10, 11, 20, 15, 25, 30],
        }
    )
    data = make(df, time="t")
    train, valid, test = data.time_split(10, 20)
    assert [data.decode_items(s).tolist() for s in train.sequences()] == [
        [1, 2]
    ]
    # valid: first interaction in [10, 20) with a history: user 0 -> 3.
    assert data.decode_items(valid.targets).tolist() == [3]
    # test: first interaction >= 20 with a history: user 0 -> 5, 1 -> 7.
    assert data.decode_items(test.targets).tolist() == [5, 7]
    hist = [data.decode_items(s).tolist() for s in test.sequences()]
    assert hist == [[1, 2, 3, 4], [6]]
    # Dates work too.
    t2 = data.time_split("1970-01-01 00:00:10", pd.Timestamp(20, unit="s"))
    np.testing.assert_array_equal(t2[2].targets, test.targets)
    with pytest.raises(ValueError, match="valid_time must be <= test_time"):
        data.time_split(20, 10)
    with pytest.raises(ValueError, match="needs timestamps"):
        make(df).time_split(10, 20)


rows = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 6), st.integers(0, 3)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows, with_time=st.booleans())
def test_split_preserves_multiset_and_tie_order(rows, with_time):
    df = pd.DataFrame(rows, columns=["u", "i", "t"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = make(df, time="t" if with_time else None)
    train, valid, test = data.leave_one_out()
    parts = pd.concat(
        [s.to_dataframe() for s in (train, valid, test)], ignore_index=True
    )
    columns = ["user_id", "item_id"] + (["timestamp"] if with_time else [])
    got = Counter(map(tuple, parts[columns].to_numpy().tolist()))
    want = Counter(
        map(tuple, df[["u", "i", "t"][: len(columns)]].to_numpy().tolist())
    )
    assert got == want
    # Per user: the stable time sort of the input rows.
    expected = df.sort_values(["u", "t"] if with_time else ["u"], kind="stable")
    np.testing.assert_array_equal(
        data.decode_items(data.item_indices), expected["i"].to_numpy()
    )
    if with_time:
        np.testing.assert_array_equal(data.timestamps, expected["t"].to_numpy())


def test_nullable_dtypes():
    df = pd.DataFrame(
        {
            "u": [1, 1, 2],
            "i": [1, 2, 3],
            "t": pd.array([5, None, 7], dtype="Int64"),
            "r": pd.array([5, None, 4], dtype="Int64"),
        }
    )
    with pytest.raises(ValueError, match=r"'t' has 1 missing or infinite"):
        make(df, time="t")
    with pytest.raises(ValueError, match=r"'r' has 1 missing or infinite"):
        make(df, rating="r", min_rating=4)
    df["t"] = pd.array([5, 6, 7], dtype="Int64")
    np.testing.assert_array_equal(make(df, time="t").timestamps, [5, 6, 7])
