import numpy as np
import pytest

from keras_rec_tx.datasets import synthetic


def test_shapes_and_determinism():
    a = synthetic(num_users=300, num_items=80, mean_length=20, seed=5)
    b = synthetic(num_users=300, num_items=80, mean_length=20, seed=5)
    c = synthetic(num_users=300, num_items=80, mean_length=20, seed=6)
    assert a.num_users == 300 and a.num_items == 80 and a.has_time
    np.testing.assert_array_equal(a.item_indices, b.item_indices)
    np.testing.assert_array_equal(a.timestamps, b.timestamps)
    assert not np.array_equal(a.item_indices, c.item_indices)
    assert a.lengths.min() >= 5
    assert abs(a.lengths.mean() - 20) < 2.5
    assert a.item_indices.min() >= 1 and a.item_indices.max() <= 80
    assert a.timestamps.dtype == np.int64
    for user in range(a.num_users):
        begin, end = a.offsets[user], a.offsets[user + 1]
        assert (np.diff(a.timestamps[begin:end]) > 0).all()


def count_model_recall_at_10(data):
    """Recall@10 on the leave-one-out test of a count-based 2nd-order model.

    Scores items by how often they followed the last history item, plus
    how often they came two steps after the second-last one (the walk
    resumes after a popular detour), with the full-catalogue protocol
    (history items excluded). A good sequence model should do at least
    as well.
    """
    train, _, test = data.leave_one_out()
    n = data.num_items + 1
    one, two = np.zeros((n, n)), np.zeros((n, n))
    for seq in train.sequences():
        np.add.at(one, (seq[:-1], seq[1:]), 1)
        np.add.at(two, (seq[:-2], seq[2:]), 1)
    one /= np.maximum(one.sum(1, keepdims=True), 1)
    two /= np.maximum(two.sum(1, keepdims=True), 1)
    popularity = np.bincount(data.item_indices, minlength=n).astype(float)
    hits = 0
    for history, target in zip(test.sequences(), test.targets, strict=True):
        scores = one[history[-1]] + 1e-6 * popularity
        if len(history) > 1:
            scores += 0.5 * two[history[-2]]
        scores[0] = -np.inf
        scores[history] = -np.inf
        hits += target in np.argsort(-scores)[:10]
    return hits / len(test)


def test_structure_is_learnable():
    data = synthetic(num_users=1000, num_items=500, mean_length=30, seed=0)
    assert count_model_recall_at_10(data) >= 0.92
    # Test targets are rarely in the history (they would be unrankable).
    _, _, test = data.leave_one_out()
    pairs = zip(test.sequences(), test.targets, strict=True)
    assert np.mean([t in h for h, t in pairs]) < 0.02
    # Without structure (every step a random jump) the same model fails.
    noise = synthetic(
        num_users=1000,
        num_items=500,
        mean_length=30,
        jump_probability=1.0,
        seed=0,
    )
    assert count_model_recall_at_10(noise) < 0.4


def test_long_gaps_lead_to_popular_items():
    data = synthetic(num_users=2000, num_items=500, mean_length=30, seed=1)
    popularity = np.bincount(data.item_indices, minlength=501)
    top = np.zeros(501, dtype=bool)
    top[np.argsort(-popularity)[:20]] = True
    gaps, nxt = [], []
    for user in range(data.num_users):
        begin, end = data.offsets[user], data.offsets[user + 1]
        gap = np.diff(data.timestamps[begin:end]).astype(float)
        gaps.append(gap / np.median(gap))
        nxt.append(data.item_indices[begin + 1 : end])
    gaps, nxt = np.concatenate(gaps), np.concatenate(nxt)
    long = gaps > 10
    assert 0.01 < long.mean() < 0.04
    assert top[nxt[long]].mean() > 0.3
    assert top[nxt[long]].mean() > 3 * top[nxt[~long]].mean()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_users": 0}, "`num_users` must be"),
        ({"mean_length": 2}, "`mean_length` must be"),
        ({"jump_probability": 1.5}, "`jump_probability` must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthetic(**kwargs)
