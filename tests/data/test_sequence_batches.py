import itertools
import types

import keras
import numpy as np
import pandas as pd
import pytest

from keras_rec_tx.data import TIME_ORIGIN, Interactions
from keras_rec_tx.datasets import synthetic


def small(num_users=40, seed=0):
    return synthetic(
        num_users=num_users,
        num_items=60,
        mean_length=9,
        min_length=2,
        seed=seed,
    )


def pad_left(values, length):
    values = np.asarray(values)[-length:] if len(values) else np.asarray([])
    return np.concatenate([np.zeros(length - len(values)), values])


def reference_train_row(data, user, end, length, max_len):
    """Independent per-row reference: inputs seq[:-1], targets seq[1:]."""
    begin = data.offsets[user]
    items = data.item_indices[begin:end]
    times = data.timestamps[begin:end] - data.time_origin
    n = min(len(items) - 1, max_len)
    x = pad_left(items[:-1][-n:], length)
    y = pad_left(items[1:][-n:], length)
    ts = pad_left(times[:-1][-n:], length)
    qts = pad_left(times[1:][-n:], length)
    return x, y, ts, qts


def all_rows(batches):
    for index in range(len(batches)):
        x, y = batches[index][:2]
        users = batches.batch_users(index)
        for row, user in enumerate(users):
            yield user, {k: v[row] for k, v in x.items()}, y[row]


def test_train_batches_match_reference():
    data = small()
    train, _, _ = data.leave_one_out()
    batches = train.batches(batch_size=8, max_len=6)
    ends = dict(zip(train.users.tolist(), train.ends.tolist(), strict=True))
    seen = []
    for index in range(len(batches)):
        x, y, _ = batches[index]  # bucketed: token weights (tested below)
        assert set(x) == {"item_ids", "timestamps", "query_timestamps"}
        for value in (*x.values(), y):
            assert value.dtype == np.int32
            assert value.shape == x["item_ids"].shape
    for user, x, y in all_rows(batches):
        seen.append(user)
        ref = reference_train_row(data, user, ends[user], len(y), 6)
        np.testing.assert_array_equal(x["item_ids"], ref[0])
        np.testing.assert_array_equal(y, ref[1])
        np.testing.assert_array_equal(x["timestamps"], ref[2])
        np.testing.assert_array_equal(x["query_timestamps"], ref[3])
    # One sequence per user with >= 2 training items, each exactly once.
    expected = train.users[train.lengths >= 2]
    assert sorted(seen) == sorted(expected.tolist())


def test_eval_batches_match_reference():
    data = small()
    _, valid, test = data.leave_one_out()
    origin = data.time_origin
    for split in (valid, test):
        batches = split.batches(batch_size=8, max_len=5)
        ends = dict(zip(split.users.tolist(), split.ends.tolist(), strict=True))
        for user, x, y in all_rows(batches):
            begin, end = data.offsets[user], ends[user]
            history = data.item_indices[begin:end]
            times = data.timestamps[begin : end + 1] - origin
            length = len(x["item_ids"])
            assert y.shape == () and y == data.item_indices[end]
            np.testing.assert_array_equal(
                x["item_ids"], pad_left(history, length)
            )
            np.testing.assert_array_equal(
                x["timestamps"], pad_left(times[:-1][-5:], length)
            )
            # The last query time is the request (target) time.
            np.testing.assert_array_equal(
                x["query_timestamps"], pad_left(times[1:][-5:], length)
            )
            assert x["query_timestamps"][-1] == times[-1]


def test_left_padding_and_truncation():
    df = pd.DataFrame(
        {"u": [0] * 7 + [1] * 3, "i": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
    )
    data = Interactions.from_dataframe(df, user="u", item="i")
    train, valid, test = data.leave_one_out()
    x, y = test.batches(max_len=4, bucketing=False)[0]
    np.testing.assert_array_equal(x["item_ids"], [[3, 4, 5, 6], [0, 0, 8, 9]])
    np.testing.assert_array_equal(y, [7, 10])
    assert set(x) == {"item_ids"}  # no time, no timestamp inputs
    x, y = train.batches(max_len=3, bucketing=False, shuffle=False)[0]
    # User 1 has one training item (no target): not in training batches.
    np.testing.assert_array_equal(x["item_ids"], [[2, 3, 4]])
    np.testing.assert_array_equal(y, [[3, 4, 5]])


def orders(batches):
    return [tuple(batches.batch_users(i)) for i in range(len(batches))]


def test_shuffle_is_seeded_and_changes_each_epoch():
    train, valid, _ = small().leave_one_out()
    a = train.batches(batch_size=4, seed=3)
    b = train.batches(batch_size=4, seed=3)
    c = train.batches(batch_size=4, seed=4)
    assert orders(a) == orders(b) and orders(a) != orders(c)
    first = orders(a)
    a.on_epoch_end()
    assert orders(a) != first
    b.on_epoch_end()
    assert orders(a) == orders(b)
    # Evaluation splits keep their order by default.
    v = valid.batches(batch_size=4, bucketing=False)
    assert not v.shuffle
    before = orders(v)
    v.on_epoch_end()
    assert orders(v) == before
    assert np.concatenate(before).tolist() == valid.users.tolist()


def skewed(short, long):
    """300 users, 90% with `short` interactions, the rest with `long`."""
    rng = np.random.default_rng(0)
    lengths = np.where(rng.random(300) < 0.9, short, long)
    users = np.repeat(np.arange(300), lengths)
    df = pd.DataFrame({"u": users, "i": rng.integers(0, 500, len(users))})
    with pytest.warns(UserWarning):  # repeated (user, item) pairs
        return Interactions.from_dataframe(df, user="u", item="i")


def test_bucketing_reduces_padding_on_skewed_lengths():
    train, _, _ = skewed(10, 60).leave_one_out()
    plain = train.batches(batch_size=16, max_len=50, bucketing=False)
    bucketed = train.batches(batch_size=16, max_len=50)
    assert plain.num_real_tokens == bucketed.num_real_tokens
    assert bucketed.padding_fraction() < 0.5 * plain.padding_fraction()
    # padding_fraction matches a count over the actual batches.
    total = real = 0
    shapes = set()
    for i in range(len(bucketed)):
        x = bucketed[i][0]
        total += x["item_ids"].size
        real += int((x["item_ids"] > 0).sum())
        shapes.add(x["item_ids"].shape[1])
    assert real == bucketed.num_real_tokens
    assert bucketed.padding_fraction() == pytest.approx(1 - real / total)
    assert shapes <= set(bucketed.bucket_lengths) and len(shapes) > 1
    assert len(bucketed.bucket_lengths) <= 5  # at most 4, and max_len
    # Custom buckets; max_len is added.
    custom = train.batches(batch_size=16, max_len=50, bucket_lengths=[20])
    np.testing.assert_array_equal(custom.bucket_lengths, [20, 50])
    # The default lengths are chosen to pad little.
    assert custom.padding_fraction() > bucketed.padding_fraction()


def test_first_two_batches_differ_in_length():
    # TensorFlow infers the tf.data signature from the first two batches.
    train, valid, _ = small(num_users=80).leave_one_out()
    for batches in (
        train.batches(batch_size=4, max_len=20),
        valid.batches(batch_size=4, max_len=20),
    ):
        for _ in range(3):
            widths = [batches[i][0]["item_ids"].shape[1] for i in (0, 1)]
            assert widths[0] != widths[1]
            batches.on_epoch_end()


def test_random_crop():
    df = pd.DataFrame({"u": [0] * 30 + [1] * 3, "i": list(range(1, 34))})
    data = Interactions.from_dataframe(df, user="u", item="i")
    train, _, _ = data.leave_one_out()
    batches = train.batches(max_len=5, random_crop=True, bucketing=False)
    windows = set()
    for _ in range(8):
        for user, x, y in all_rows(batches):
            if user == 0:
                # A window of consecutive items of the training sequence.
                np.testing.assert_array_equal(np.diff(x["item_ids"]), 1)
                np.testing.assert_array_equal(y, x["item_ids"] + 1)
                assert 1 <= x["item_ids"][0] and y[-1] <= 28
                windows.add(int(y[-1]))
        batches.on_epoch_end()
    assert len(windows) > 2
    with pytest.raises(ValueError, match="random_crop applies to the training"):
        data.leave_one_out()[1].batches(random_crop=True)


def test_sampled_protocol():
    data = synthetic(num_users=60, num_items=200, mean_length=10, seed=2)
    _, _, test = data.leave_one_out()
    batches = test.batches(
        batch_size=16, protocol="sampled", num_candidates=20, max_users=50
    )
    again = test.batches(
        batch_size=16, protocol="sampled", num_candidates=20, max_users=50
    )
    assert batches.num_sequences == 50
    users = []
    for index in range(len(batches)):
        x, y = batches[index]
        cands = x["candidates"]
        assert cands.dtype == np.int32 and cands.shape == (len(y), 21)
        np.testing.assert_array_equal(cands[:, 0], y)
        np.testing.assert_array_equal(cands, again[index][0]["candidates"])
        for row, user in enumerate(batches.batch_users(index)):
            users.append(user)
            negatives = cands[row, 1:]
            assert len(set(negatives.tolist())) == 20
            assert not set(negatives.tolist()) & set(
                data.sequence(user).tolist()
            )
            assert negatives.min() >= 1 and negatives.max() <= 200
    assert len(set(users)) == 50
    other = test.batches(protocol="sampled", num_candidates=20, seed=1)
    assert other.num_sequences == 60  # max_users above the user count
    assert not np.array_equal(
        other[0][0]["candidates"][:16], batches[0][0]["candidates"]
    )
    # Full protocol has no candidates; sampled is for evaluation only.
    assert "candidates" not in test.batches()[0][0]
    with pytest.raises(ValueError, match="evaluation splits only"):
        data.leave_one_out()[0].batches(protocol="sampled")


def test_sampled_protocol_dense_users():
    # Users that saw most of the catalogue take the explicit path.
    data = synthetic(num_users=20, num_items=40, mean_length=15, seed=0)
    _, _, test = data.leave_one_out()
    longest = int(data.lengths.max())
    available = 40 - max(len(set(data.sequence(u).tolist())) for u in range(20))
    assert longest > 10
    batches = test.batches(protocol="sampled", num_candidates=available)
    x, y = batches[0]
    for row, user in enumerate(batches.batch_users(0)):
        negatives = set(x["candidates"][row, 1:].tolist())
        assert len(negatives) == available
        assert not negatives & set(data.sequence(user).tolist())
    with pytest.raises(ValueError, match="Lower num_candidates"):
        test.batches(protocol="sampled", num_candidates=available + 1)


def test_timestamps_must_fit_int32():
    df = pd.DataFrame({"u": [0, 0, 1], "i": [1, 2, 3], "t": [0, 4 * 10**9, 5]})
    data = Interactions.from_dataframe(df, user="u", item="i", time="t")
    train, _, _ = data.leave_one_out()
    with pytest.raises(ValueError, match="between 1931-12 and 2068-01"):
        train.batches()


def test_fixed_week_aligned_origin():
    t0 = 1_600_000_000
    df = pd.DataFrame(
        {"u": [0, 0, 1, 1], "i": [1, 2, 3, 4], "t": [t0, t0 + 5, t0, t0 + 9]}
    )
    data = Interactions.from_dataframe(df, user="u", item="i", time="t")
    assert data.time_origin == TIME_ORIGIN
    assert data.time_origin % 604800 == 0
    x, y = data.leave_one_out()[0].batches(shuffle=False, bucketing=False)[0]
    assert x["timestamps"][0, -1] == t0 - data.time_origin
    assert x["query_timestamps"][0, -1] == t0 + 5 - data.time_origin


def test_token_weighting_evens_out_bucketed_batches():
    data = skewed(4, 40)
    train, valid, _ = data.leave_one_out()
    bucketed = train.batches(batch_size=16, max_len=50)
    assert bucketed.token_weighting
    # Real target positions per sequence: the history minus one, capped.
    real = np.minimum(np.diff(data.offsets)[:300] - 3, 50)
    mean_batch = 16 * real[real > 0].mean()
    counts, weights = [], []
    for i in range(len(bucketed)):
        x, y, weight = bucketed[i]
        assert weight.dtype == np.float32 and weight.shape == y.shape
        np.testing.assert_array_equal(weight == 0, y == 0)
        assert np.all(weight[y > 0] == weight.max())
        counts.append(np.count_nonzero(y))
        weights.append(float(weight.max()))
    counts, weights = np.array(counts), np.array(weights)
    # The batches' real positions differ a lot; weight / count does not:
    # each real position weighs 1 / (batch_size * mean length).
    assert counts.max() > 4 * counts.min()
    np.testing.assert_allclose(weights / counts, 1 / mean_batch, rtol=1e-5)
    # Off by default without bucketing, and it can be switched either way.
    assert len(train.batches(bucketing=False)[0]) == 2
    assert len(train.batches(token_weighting=False)[0]) == 2
    plain = train.batches(batch_size=16, bucketing=False, token_weighting=True)
    x, y, weight = plain[0]
    assert weight.max() == pytest.approx(np.count_nonzero(y) / mean_batch)
    with pytest.raises(ValueError, match="token_weighting applies to the tr"):
        valid.batches(token_weighting=True)


def test_drop_remainder():
    train, _, _ = small().leave_one_out()
    n = int((train.lengths >= 2).sum())
    kept = train.batches(batch_size=16, drop_remainder=False)
    dropped = train.batches(batch_size=16, drop_remainder=True)
    assert len(kept) == -(-n // 16) and len(dropped) == n // 16
    assert all(len(dropped[i][1]) == 16 for i in range(len(dropped)))
    with pytest.raises(ValueError, match="leaves no batch"):
        train.batches(batch_size=10 * n, drop_remainder=True)


def assert_padded(padded, plain, rows):
    """`padded` is `plain` with `rows - len(plain rows)` rows of zeros."""
    assert len(padded[1]) == rows
    real = len(plain[1])
    for got, want in zip(padded, plain, strict=True):
        if isinstance(want, dict):
            assert got.keys() == want.keys()
            got, want = (
                np.stack(list(got.values())),
                np.stack(list(want.values())),
            )
            got, want = np.moveaxis(got, 0, -1), np.moveaxis(want, 0, -1)
        np.testing.assert_array_equal(got[:real], want)
        assert not got[real:].any()  # no item, no target, weight 0


@pytest.mark.parametrize("split", [0, 2])
def test_row_multiple_pads_rows_without_a_target(split):
    part = small().leave_one_out()[split]
    plain = part.batches(batch_size=11, max_len=10)
    padded = part.batches(batch_size=11, max_len=10, row_multiple=8)
    assert len(padded) == len(plain)
    for i in range(len(plain)):
        rows = -(-len(plain[i][1]) // 8) * 8
        assert_padded(padded[i], plain[i], rows)


def test_pad_last_batch_to_batch_size():
    _, valid, _ = small().leave_one_out()
    plain = valid.batches(batch_size=16)
    padded = valid.batches(batch_size=16, pad_last_batch=True)
    last = len(plain) - 1
    assert len(plain[last][1]) < 16
    for i in range(len(plain)):
        assert_padded(padded[i], plain[i], 16)
    # The users of a batch are its real rows.
    assert len(padded.batch_users(last)) == len(plain[last][1])


def test_distribution_sets_the_multiple_and_each_process_share(monkeypatch):
    """Under a `keras.distribution`, rows are padded to a multiple of the
    batch axis (here 8 devices) and each of 2 processes keeps its half."""
    train, _, _ = small().leave_one_out()
    plain = train.batches(batch_size=11, max_len=10)
    whole = train.batches(batch_size=11, max_len=10, row_multiple=8)
    expected = [whole[i] for i in range(len(whole))]
    for process in (0, 1):
        fake = types.SimpleNamespace(
            num_model_replicas=8, num_processes=2, data_shard_id=process
        )
        monkeypatch.setattr(
            keras.distribution, "distribution", lambda fake=fake: fake
        )
        for i in range(len(plain)):
            got, want = plain[i], expected[i]
            half = len(want[1]) // 2
            share = slice(process * half, (process + 1) * half)
            np.testing.assert_array_equal(got[1], want[1][share])
            np.testing.assert_array_equal(got[2], want[2][share])
            for key, value in want[0].items():
                np.testing.assert_array_equal(got[0][key], value[share])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 0}, "`batch_size` must be"),
        ({"max_len": 0}, "`max_len` must be"),
        ({"protocol": "sampled-100"}, "`protocol` must be one of"),
        ({"max_users": 0}, "`max_users` must be"),
        ({"bucket_lengths": [0, 4]}, r"`bucket_lengths\[0\]` must be"),
        ({"bucket_lengths": [80]}, "`bucket_lengths` must be"),
        ({"row_multiple": 0}, "`row_multiple` must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    _, valid, _ = small().leave_one_out()
    with pytest.raises(ValueError, match=match):
        valid.batches(**kwargs)


def test_empty_training_split():
    df = pd.DataFrame({"u": [0, 1], "i": [1, 2]})
    data = Interactions.from_dataframe(df, user="u", item="i")
    with pytest.raises(ValueError, match="no sequence with a target"):
        data.leave_one_out()[0].batches()


def test_keras_fit_and_evaluate():
    data = small(num_users=48)
    train, valid, test = data.leave_one_out()
    n = data.num_items + 1
    ids = keras.Input((None,), dtype="int32", name="item_ids")
    ts = keras.Input((None,), dtype="int32", name="timestamps")
    qts = keras.Input((None,), dtype="int32", name="query_timestamps")
    gap = keras.ops.cast(qts - ts, "float32") / 86400.0
    hidden = keras.layers.Embedding(n, 8)(ids) + keras.layers.Dense(8)(
        keras.ops.expand_dims(gap, -1)
    )
    logits = keras.layers.Dense(n)(hidden)
    inputs = {"item_ids": ids, "timestamps": ts, "query_timestamps": qts}
    model = keras.Model(inputs, logits)
    model.compile(
        "adam",
        keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=0
        ),
    )
    batches = train.batches(batch_size=16, max_len=12)
    history = model.fit(batches, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    last = keras.Model(inputs, logits[:, -1, :])
    last.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseTopKCategoricalAccuracy(k=10)],
    )
    result = last.evaluate(
        test.batches(batch_size=16, max_len=12), verbose=0, return_dict=True
    )
    assert np.isfinite(result["loss"])


def test_default_bucket_lengths():
    from keras_rec_tx.data.sequence_batches import default_bucket_lengths

    def positions(lengths, buckets):
        return np.asarray(buckets)[np.searchsorted(buckets, lengths)].sum()

    # Exact: three lengths hold these without padding; max_len added.
    lengths = [2, 2, 3, 9, 10, 50]
    np.testing.assert_array_equal(
        default_bucket_lengths(lengths, 50), [3, 10, 50]
    )
    # One length (max_len) when every sequence is as long.
    np.testing.assert_array_equal(default_bucket_lengths([7, 7], 7), [7])
    np.testing.assert_array_equal(default_bucket_lengths([3, 3], 50), [3, 50])
    # Against brute force over every set of <= 4 lengths: the fewest
    # within 10% of the best positions.
    rng = np.random.default_rng(0)
    lengths = np.minimum(rng.geometric(0.08, 300), 30)
    best = {}
    for k in range(1, 5):
        for combo in itertools.combinations(range(1, 31), k):
            if combo[-1] >= lengths.max():
                best[k] = min(best.get(k, np.inf), positions(lengths, combo))
    chosen = default_bucket_lengths(lengths, 30)
    used = chosen[chosen <= lengths.max()]
    k = next(k for k in best if best[k] <= 1.1 * min(best.values()))
    assert len(used) == k
    assert positions(lengths, chosen) == best[k]
    assert len(default_bucket_lengths(lengths, 30, max_buckets=2)) <= 3
    # A long max_len stays cheap (the candidate lengths are coarsened).
    long = rng.geometric(0.001, 10_000)
    assert len(default_bucket_lengths(long, 20_000)) <= 5
