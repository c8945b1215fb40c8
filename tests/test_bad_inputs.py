"""Bad and edge inputs: each gets a clear ValueError/TypeError naming the
argument, or a finite, valid result; never a backend or NumPy error.

`CASES` is the table: (name, callable, bad input as keyword arguments,
expected error type, fragment of the expected message). Append rows to
extend it; a callable takes the keyword arguments only.
"""

import functools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keras_rec_tx import datasets, experiment, metrics, zoo
from keras_rec_tx.data import Interactions

NUM_ITEMS = 15  # the catalogue of _data() and of _model()


@functools.cache
def _data():
    return datasets.synthetic(num_users=40, num_items=15, seed=0)


def _split(kind):
    return dict(zip(("train", "valid", "test"), _data().leave_one_out()))[kind]


def train_batches(**kwargs):
    return _split("train").batches(**kwargs)


def valid_batches(**kwargs):
    return _split("valid").batches(**kwargs)


def from_dataframe(**kwargs):
    df = pd.DataFrame(
        {"user_id": [1, 1, 2], "item_id": [5, 6, 5], "t": [1, 2, 3]}
    )
    return Interactions.from_dataframe(df, **kwargs)


def from_duplicated_columns(**kwargs):
    df = pd.DataFrame([[1, 5, 6]], columns=["user_id", "item_id", "item_id"])
    return Interactions.from_dataframe(df, **kwargs)


def time_split(**kwargs):
    return _data().time_split(**{"test_time": 1_600_000_000, **kwargs})


def target_rank(**kwargs):
    return metrics.target_rank(
        kwargs.get("y_true", np.array([0])),
        kwargs.get("y_pred", np.ones((1, 4), "float32")),
    )


@functools.cache
def _model():
    """A tiny compiled model of the shared data's catalogue."""
    return zoo.get(
        "sasrec_plus", num_items=NUM_ITEMS, d_model=8, d_ff=16, max_len=5
    )


@functools.lru_cache(maxsize=1)
def _shared_model():
    return _model()


def model_method(name):
    """A method of the shared tiny model."""
    return lambda **kwargs: getattr(_model(), name)(**kwargs)


def model_fit(**kwargs):
    return _model().fit(**{"epochs": 1, "verbose": 0, **kwargs})


def small_model_fit(**kwargs):
    """A model of 10 items fitted on the 15-item batches."""
    small = zoo.get("sasrec_plus", num_items=10, d_model=8, max_len=5)
    return small.fit(train_batches(max_len=5), epochs=1, verbose=0)


def zoo_get(**kwargs):
    return zoo.get("sasrec_plus", **{"num_items": 5, **kwargs})


def method(name):
    """A method of the shared synthetic `Interactions`."""
    return lambda **kwargs: getattr(_data(), name)(**kwargs)


S = "`sequences`"
CASES = [
    # SequenceSplit.batches / SequenceBatches
    ("batch_size bool", train_batches, {"batch_size": True}, TypeError,
     "`batch_size` must be an integer"),
    ("batch_size 0", train_batches, {"batch_size": 0}, ValueError,
     "`batch_size` must be an integer >= 1"),
    ("max_len float", train_batches, {"max_len": 10.0}, TypeError,
     "`max_len`"),
    ("shuffle str", train_batches, {"shuffle": "no"}, TypeError,
     "`shuffle` must be True or False"),
    ("bucketing int", train_batches, {"bucketing": 1}, TypeError,
     "`bucketing`"),
    ("bucket_lengths float", train_batches, {"bucket_lengths": [2.5, 4]},
     TypeError, "`bucket_lengths[0]`"),
    ("bucket_lengths str", train_batches, {"bucket_lengths": "4,8"},
     TypeError, "`bucket_lengths` must be a list"),
    ("bucket_lengths empty", train_batches, {"bucket_lengths": []},
     ValueError, "`bucket_lengths` must not be empty"),
    ("seed negative", train_batches, {"seed": -1}, ValueError, "`seed`"),
    ("protocol", valid_batches, {"protocol": "sampled-100"}, ValueError,
     "`protocol` must be one of"),
    ("max_users 0", valid_batches, {"max_users": 0}, ValueError,
     "`max_users`"),
    ("num_candidates str", valid_batches, {"num_candidates": "100"},
     TypeError, "`num_candidates`"),
    ("drop_remainder None", train_batches, {"drop_remainder": None},
     TypeError, "`drop_remainder`"),
    # Interactions constructors
    ("from_sequences str", Interactions.from_sequences,
     {"sequences": "abc"}, TypeError, S),
    ("from_sequences flat", Interactions.from_sequences,
     {"sequences": [1, 2, 3]}, TypeError, "sequences[0] is a int"),
    ("from_sequences user_ids", Interactions.from_sequences,
     {"sequences": [[1, 2], [3]], "user_ids": ["a", "a"]}, ValueError,
     "`user_ids` must be unique"),
    ("from_sequences timestamps", Interactions.from_sequences,
     {"sequences": [[1, 2]], "timestamps": "12"}, TypeError,
     "`timestamps`"),
    ("from_dataframe df", Interactions.from_dataframe, {"df": [[1, 2]]},
     TypeError, "`df` must be a pandas DataFrame"),
    ("same user and item column", from_dataframe,
     {"user": "item_id", "item": "item_id"}, ValueError,
     "name the same column"),
    ("duplicated column names", from_duplicated_columns, {}, ValueError,
     "several columns named 'item_id'"),
    ("column not a name", from_dataframe, {"user": ["user_id"]},
     TypeError, "`user` must be a column name"),
    ("dedupe", from_dataframe, {"dedupe": "drop"}, ValueError,
     "`dedupe` must be one of"),
    ("item_titles", from_dataframe, {"item_titles": ["a"]}, TypeError,
     "`item_titles`"),
    ("min_rating str", from_dataframe, {"min_rating": "3"}, TypeError,
     "`min_rating`"),
    ("item_indices float", Interactions,
     {"offsets": [0, 2], "item_indices": [1.5, 2.0]}, TypeError,
     "`item_indices` must hold integers"),
    ("item_indices ragged", Interactions,
     {"offsets": [0, 2], "item_indices": [[1], [2, 3]]}, ValueError,
     "`item_indices` must be a rectangular array"),
    ("offsets str", Interactions,
     {"offsets": ["0", "1"], "item_indices": [1]}, TypeError, "`offsets`"),
    # Interactions methods
    ("time_split bool", time_split, {"valid_time": True}, TypeError,
     "`valid_time`"),
    ("time_split text", time_split, {"valid_time": "soon"}, ValueError,
     "`valid_time` must be unix seconds"),
    ("time_split nan", time_split, {"valid_time": math.nan}, ValueError,
     "`valid_time` must be finite"),
    ("k_core float", method("k_core"), {"user_k": 2.0}, TypeError,
     "`user_k`"),
    ("min_sequence_length 0", method("min_sequence_length"), {"n": 0},
     ValueError, "`n` must be an integer >= 1"),
    ("sequence out of range", method("sequence"), {"user": 40},
     ValueError, "`user` must be an integer in [0, 39]"),
    ("decode_items float", method("decode_items"), {"indices": [1.5]},
     TypeError, "`indices` must hold integers"),
    ("encode_items ragged", method("encode_items"), {"ids": [[1], [1, 2]]},
     ValueError, "`ids` must be a rectangular array"),
    # datasets
    ("synthetic float users", datasets.synthetic, {"num_users": 10.5},
     TypeError, "`num_users`"),
    ("synthetic probability", datasets.synthetic, {"jump_probability": 2},
     ValueError, "`jump_probability`"),
    ("synthetic seed str", datasets.synthetic, {"seed": "0"}, TypeError,
     "`seed`"),
    ("load name int", datasets.load, {"name_or_path": 123}, TypeError,
     "`name_or_path`"),
    ("load download str", datasets.load,
     {"name_or_path": "ml-100k", "download": "yes"}, TypeError,
     "`download`"),
    ("load format", datasets.load,
     {"name_or_path": "ml-100k", "format": "xml"}, ValueError,
     "`format` must be one of"),
    # metrics
    ("label above catalogue", target_rank, {"y_true": np.array([4])},
     ValueError, "`y_true` must be indices in [0, 4)"),
    ("label negative", target_rank, {"y_true": np.array([-1])},
     ValueError, "`y_true` must be indices"),
    ("label text", target_rank, {"y_true": np.array(["a"])}, TypeError,
     "`y_true` must hold integer"),
    ("scores 1-D", target_rank, {"y_pred": np.ones(4, "float32")},
     ValueError, "`y_pred` must have shape (B, C)"),
    ("recall k 0", metrics.RecallAtK, {"k": 0}, ValueError, "`k`"),
    # experiment
    ("run epochs 0", experiment.run,
     {"preset": "sasrec", "data": _data(), "epochs": 0}, ValueError,
     "`epochs` must be an integer >= 1"),
    ("run patience str", experiment.run,
     {"preset": "sasrec", "data": _data(), "patience": "5"}, TypeError,
     "`patience`"),
    # the model (keras_rec_tx.models, zoo.get)
    ("fit batches above the catalogue", small_model_fit, {}, ValueError,
     "num_items=10"),
    ("fit array above the catalogue", model_fit,
     {"x": np.full((2, 3), 16), "y": np.ones((2, 3))}, ValueError,
     "num_items=15"),
    ("fit negative ids", model_fit,
     {"x": np.full((2, 3), -1), "y": np.ones((2, 3))}, ValueError,
     "values from -1"),
    ("fit float ids", model_fit,
     {"x": np.ones((2, 3), "float32"), "y": np.ones((2, 3))}, TypeError,
     "integer item indices"),
    ("evaluate target above", model_method("evaluate"),
     {"x": np.ones((2, 3), "int32"), "y": np.array([1, 99]), "verbose": 0},
     ValueError, "num_items=15"),
    ("evaluate target 0 with a history", model_method("evaluate"),
     {"x": np.ones((2, 3), "int32"), "y": np.array([1, 0]), "verbose": 0},
     ValueError, "rows [1] have a history but target 0"),
    ("predict above", model_method("predict"),
     {"x": np.full((1, 3), 40), "verbose": 0}, ValueError, "from 40 to 40"),
    ("recommend empty history", model_method("recommend"),
     {"histories": [[1], []]}, ValueError, "empty"),
    ("recommend right padding", model_method("recommend"),
     {"histories": np.array([[3, 0]])}, ValueError, "LEFT-padded"),
    ("recommend k too large", model_method("recommend"),
     {"histories": [[1]], "k": 16}, ValueError, "`k` must be"),
    ("recommend batch_size -1", model_method("recommend"),
     {"histories": [[1]], "batch_size": -1}, ValueError, "`batch_size`"),
    ("recommend str history", model_method("recommend"),
     {"histories": "abc"}, TypeError, "`histories`"),
    ("recommend exclude_seen str", model_method("recommend"),
     {"histories": [[1]], "exclude_seen": "no"}, TypeError,
     "`exclude_seen`"),
    ("zoo dropout str", zoo_get, {"dropout": "0.2"}, TypeError, "`dropout`"),
    ("zoo eval_ks int", zoo_get, {"eval_ks": 10}, TypeError, "`eval_ks`"),
    ("zoo steps_per_epoch -10", zoo_get,
     {"steps_per_epoch": -10, "schedule": "warmup_cosine"}, ValueError,
     "`steps_per_epoch`"),
    ("zoo unknown key", zoo_get, {"learnig_rate": 1e-3}, ValueError,
     "Training recipe keys"),
    ("save h5", model_method("save"), {"filepath": "/tmp/m.h5"},
     ValueError, ".keras"),
]  # fmt: skip


@pytest.mark.parametrize(
    "function, kwargs, error, fragment",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_gets_a_clear_error(function, kwargs, error, fragment):
    with pytest.raises(error) as info:
        function(**kwargs)
    assert fragment in str(info.value)


# ---------------------------------------------------------------------------
# Property-based: random integer arrays give a clear error or valid output.

ids = st.one_of(
    st.integers(-(2**40), 2**40),
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1]),
)
ragged = st.lists(st.lists(ids, max_size=8), max_size=8)
FAST = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FAST
@given(sequences=ragged)
def test_random_sequences_give_valid_batches_or_a_clear_error(sequences):
    try:
        data = Interactions.from_sequences(sequences)
        train, valid, _ = data.leave_one_out()
        parts = [train.batches(batch_size=3, max_len=4)]
        if len(valid):
            parts.append(valid.batches(batch_size=3, max_len=4))
    except (ValueError, TypeError) as error:
        assert str(error)
        return
    for batches in parts:
        assert batches.num_items == data.num_items
        assert 1 <= batches.max_item_index <= batches.num_items
        for i in range(len(batches)):
            x, y = batches[i][:2]
            for array in (x["item_ids"], y):
                assert array.dtype == np.int32
                assert 0 <= array.min() and array.max() <= batches.num_items
                assert array.max() <= batches.max_item_index


@FAST
@given(
    offsets=st.lists(st.integers(-3, 12), max_size=5),
    items=st.one_of(
        st.lists(ids, max_size=10),
        st.lists(st.floats(allow_nan=True), max_size=4),
        ragged,
    ),
)
def test_random_csr_arrays_give_a_valid_log_or_a_clear_error(offsets, items):
    try:
        data = Interactions(offsets, items)
    except (ValueError, TypeError) as error:
        assert str(error)
        return
    assert data.num_interactions == len(items)
    assert data.item_indices.min(initial=1) >= 1
    assert data.item_indices.max(initial=0) <= data.num_items


@FAST
@given(
    labels=st.lists(st.integers(-5, 10), min_size=4, max_size=4),
    scores=st.lists(
        st.sampled_from([0.0, 1.0, -1.0, math.nan, math.inf, -math.inf]),
        min_size=6,
        max_size=6,
    ),
    dtype=st.sampled_from(["int32", "int64", "float32", "uint8"]),
)
def test_random_labels_and_scores_give_finite_metrics_or_a_clear_error(
    labels, scores, dtype
):
    y_true = np.array(labels).astype(dtype)
    y_pred = np.tile(np.array(scores, "float32"), (len(labels), 1))
    for metric in (metrics.RecallAtK(3), metrics.NDCGAtK(3), metrics.MRR()):
        try:
            metric.update_state(y_true, y_pred)
        except (ValueError, TypeError) as error:
            assert "y_true" in str(error)
            return
        value = float(metric.result())
        assert math.isfinite(value) and 0.0 <= value <= 1.0


@FAST
@given(
    rows=st.one_of(
        ragged,
        st.lists(
            st.lists(st.integers(-3, 20), min_size=3, max_size=3),
            min_size=2,
            max_size=2,
        ),
    ),
    dtype=st.sampled_from(["int32", "int64", "float32"]),
)
def test_random_ids_give_a_valid_model_result_or_a_clear_error(rows, dtype):
    model = _shared_model()  # one model: each new one compiles again
    try:
        ids, scores = model.recommend(rows, k=3)
    except (ValueError, TypeError) as error:
        assert str(error)
    else:
        assert ids.shape == (len(rows), 3)
        assert ((ids >= 0) & (ids <= NUM_ITEMS)).all()
        assert not np.isnan(scores).any()
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        return
    x = np.asarray(rows).astype(dtype)
    for call in (
        lambda: model.fit(x, x, epochs=1, verbose=0),
        lambda: model.evaluate(x, x[:, -1], verbose=0, return_dict=True),
    ):
        try:
            out = call()
        except (ValueError, TypeError) as error:
            assert str(error)
            continue
        if isinstance(out, dict):
            assert all(math.isfinite(v) for v in out.values())
