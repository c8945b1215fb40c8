"""The baselines on a hand-computed log of 4 users and 5 items."""

import math
import warnings

import numpy as np
import pytest

import keras_rec_tx
from keras_rec_tx import baselines

# Full sequences (oldest first). leave_one_out: the last item is the test
# target, the one before the validation target; u3 (2 items) trains only.
# Train: [a b c] [b c] [a c] [c d]; validation: u0 a, u1 d, u2 d;
# test: u0 d (history a b c a), u1 e (b c d), u2 b (a c d).
LOG = [list("abcad"), list("bcde"), list("acdb"), list("cd")]


@pytest.fixture(scope="module")
def tiny():
    with warnings.catch_warnings():  # u0 repeats a: kept on purpose.
        warnings.simplefilter("ignore", UserWarning)
        data = keras_rec_tx.data.Interactions.from_sequences(LOG)
    index = {item: i + 1 for i, item in enumerate(data.item_ids)}
    return data, index, *data.leave_one_out()


def _scores(index, values):
    """A score row `(1, 6)` from {item: score}, padding column 0 = 0."""
    row = np.zeros((1, 6))
    for item, value in values.items():
        row[0, index[item]] = value
    return row


def test_most_popular_counts_training_items(tiny):
    data, index, train, valid, test = tiny
    pop = baselines.MostPopular().fit(train)
    expected = _scores(index, {"a": 2, "b": 2, "c": 4, "d": 1, "e": 0})
    np.testing.assert_array_equal(pop.score([[index["a"]]]), expected)
    ids, scores = pop.recommend([[index["c"]]], k=3)
    assert ids.tolist() == [[index["a"], index["b"], index["d"]]]
    assert scores.tolist() == [[2.0, 2.0, 1.0]]


def test_most_popular_evaluate_hand_computed(tiny):
    # Validation ranks (history excluded, ties pessimistic): u0's target
    # a is in its history, so -inf, tied with padding, b and c below d
    # and e: rank 5; u1 (target d, a above): 1; u2 (target d, b above): 1.
    data, index, train, valid, test = tiny
    pop = baselines.MostPopular().fit(train)
    m = pop.evaluate(valid, eval_ks=(1, 2))
    assert m["recall@1"] == 0.0
    assert m["recall@2"] == pytest.approx(2 / 3)
    assert m["ndcg@2"] == pytest.approx(2 / math.log2(3) / 3)
    assert m["mrr"] == pytest.approx((1 / 6 + 1 / 2 + 1 / 2) / 3)


def test_markov_transitions_with_popularity_backoff(tiny):
    # From c: only d followed (P = 1). P(item): a 2/9, b 2/9, c 4/9, d 1/9.
    data, index, train, valid, test = tiny
    markov = baselines.MarkovChain(backoff=0.1).fit(train)
    expected = _scores(
        index,
        {"a": 0.2 / 9, "b": 0.2 / 9, "c": 0.4 / 9, "d": 1 + 0.1 / 9},
    )
    np.testing.assert_allclose(
        markov.score([[index["b"], index["c"]]]), expected
    )
    # From a: b and c followed once each; popularity breaks the tie.
    ids, _ = markov.recommend([[index["a"]]], k=2)
    assert ids.tolist() == [[index["c"], index["b"]]]
    # An empty history or one ending in d (no transition): popularity.
    popularity = _scores(
        index, {"a": 0.2 / 9, "b": 0.2 / 9, "c": 0.4 / 9, "d": 0.1 / 9}
    )
    for history in ([], [index["d"]]):
        np.testing.assert_allclose(markov.score([history]), popularity)


def test_markov_evaluate_hand_computed(tiny):
    # Test: u0 (last a, target d): b, c excluded, d only by popularity
    # but above e: rank 0. u1 (last d: no transition; target e): a above
    # e by popularity: rank 1. u2 (last d; target b): rank 0.
    data, index, train, valid, test = tiny
    markov = baselines.MarkovChain(backoff=0.1).fit(train)
    m = markov.evaluate(test, eval_ks=(1,))
    assert m["recall@1"] == pytest.approx(2 / 3)
    assert m["mrr"] == pytest.approx((1 + 1 / 2 + 1) / 3)


def test_item_knn_cosine_and_neighbourhood(tiny):
    # Users with both: ab 1, ac 2, bc 2, cd 1; users per item a 2, b 2,
    # c 4, d 1. Cosine: ab 1/2, ac = bc = 2/sqrt(8), cd 1/2.
    data, index, train, valid, test = tiny
    knn = baselines.ItemKNN(neighbors=10, decay=0.5, backoff=0).fit(train)
    r = 2 / math.sqrt(8)
    # History [a, b]: b weighs 1, a 0.5.
    expected = _scores(
        index, {"a": 0.5, "b": 0.5 * 0.5, "c": r + 0.5 * r, "d": 0.0}
    )
    np.testing.assert_allclose(knn.score([[index["a"], index["b"]]]), expected)
    # One neighbour each: a -> c, b -> c, c -> a (tie with b: lower
    # index), d -> c. History [c] then scores only a.
    one = baselines.ItemKNN(neighbors=1, backoff=0).fit(train)
    expected = _scores(index, {"a": r})
    np.testing.assert_allclose(one.score([[index["c"]]]), expected)
    # The popularity back-off orders the rest by users per item (of 9).
    pop = baselines.ItemKNN(neighbors=1, backoff=0.01).fit(train)
    share = {"a": 2 / 9, "b": 2 / 9, "c": 4 / 9, "d": 1 / 9}
    expected = _scores(
        index,
        {
            item: 0.01 * p + (r if item == "a" else 0)
            for item, p in share.items()
        },
    )
    np.testing.assert_allclose(pop.score([[index["c"]]]), expected)


def test_ease_matches_the_closed_form(tiny):
    data, index, train, valid, test = tiny
    ease = baselines.EASE(l2=2.0).fit(train)
    x = np.zeros((4, 6))
    for u, seq in enumerate(["abc", "bc", "ac", "cd"]):
        for item in seq:
            x[u, index[item]] = 1.0
    p = np.linalg.inv(x.T @ x + 2.0 * np.eye(6))
    b = -p / np.diag(p)[None, :]
    np.fill_diagonal(b, 0.0)
    np.testing.assert_allclose(ease.weights, b, atol=1e-12)
    # Repeats count once: [a, c, a] is user 2's 0/1 row "ac".
    history = [index["a"], index["c"], index["a"]]
    np.testing.assert_allclose(ease.score([history]), x[2:3] @ b, atol=1e-12)


def test_ease_refuses_large_catalogues(tiny):
    data, index, train, valid, test = tiny
    with pytest.raises(ValueError, match="max_items=4.*num_items=5"):
        baselines.EASE(max_items=4).fit(train)


def test_recommend_excludes_history_and_padding(tiny):
    data, index, train, valid, test = tiny
    for cls in (baselines.MostPopular, baselines.MarkovChain):
        model = cls().fit(train)
        histories = [[index["c"], index["a"]], []]
        ids, scores = model.recommend(histories, k=5)
        assert ids.shape == scores.shape == (2, 5)
        assert set(ids[0, :3]) == {index["b"], index["d"], index["e"]}
        assert np.isneginf(scores[0, 3:]).all()
        assert 0 not in ids[1] and np.isfinite(scores[1]).all()
        kept, _ = model.recommend(histories, k=5, exclude_seen=False)
        assert index["c"] in kept[0]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: baselines.MarkovChain(backoff=-1.0), "backoff"),
        (lambda: baselines.ItemKNN(neighbors=0), "neighbors"),
        (lambda: baselines.ItemKNN(decay=0.0), "decay"),
        (lambda: baselines.ItemKNN(backoff=-1.0), "backoff"),
        (lambda: baselines.EASE(l2=0.0), "l2"),
    ],
)
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=f"Received: {match}="):
        make()


def test_bad_calls(tiny):
    data, index, train, valid, test = tiny
    with pytest.raises(ValueError, match="Call `fit`"):
        baselines.MostPopular().recommend([[1]])
    with pytest.raises(ValueError, match="training SequenceSplit"):
        baselines.MostPopular().fit(valid)
    pop = baselines.MostPopular().fit(train)
    with pytest.raises(ValueError, match="Received: k=6"):
        pop.recommend([[1]], k=6)
    with pytest.raises(ValueError, match="0..5"):
        pop.recommend([[7]], k=2)
    with pytest.raises(ValueError, match="Received: protocol="):
        pop.evaluate(valid, protocol="sampled")
    with pytest.raises(ValueError, match="evaluation SequenceSplit"):
        pop.evaluate(train)


def test_compare_returns_popularity_and_markov(tiny):
    data, index, train, valid, test = tiny
    table = baselines.compare(train, test)
    assert set(table) == {"most_popular", "markov"}
    assert table["markov"]["mrr"] == pytest.approx(
        baselines.MarkovChain().fit(train).evaluate(test)["mrr"]
    )
    assert {"recall@10", "ndcg@10", "recall@50", "ndcg@50", "mrr"} <= set(
        table["most_popular"]
    )
