"""Scoring the catalogue in chunks gives the whole-catalogue answer."""

import keras
import numpy as np
import pytest

import keras_rec_tx as krt
from keras_rec_tx.metrics import exclude_items, target_rank
from keras_rec_tx.models.chunked_top_k import chunked_target_rank, chunked_top_k

NUM_ITEMS = 37


@pytest.fixture(scope="module")
def model():
    return krt.zoo.get(
        "sasrec_plus",
        num_items=NUM_ITEMS,
        d_model=8,
        d_ff=16,
        max_len=6,
        compile=False,
    )


def _brute_force(hidden, table, exclude):
    scores = hidden @ table.T
    scores[:, 0] = -np.inf
    for row, ids in enumerate(exclude):
        scores[row, ids[ids > 0]] = -np.inf
    return scores


def test_chunks_match_the_whole_table():
    rng = np.random.default_rng(0)
    hidden = rng.normal(size=(4, 8)).astype("float32")
    table = rng.normal(size=(NUM_ITEMS + 1, 8)).astype("float32")
    exclude = rng.integers(0, NUM_ITEMS + 1, size=(4, 9)).astype("int32")
    expected = _brute_force(hidden, table, exclude)
    order = np.argsort(-expected, axis=1, kind="stable")[:, :20]
    for chunk in (5, NUM_ITEMS):  # uneven chunks; one chunk
        ids, scores = chunked_top_k(hidden, table, 20, exclude, chunk)
        ids = keras.ops.convert_to_numpy(ids)
        np.testing.assert_array_equal(ids, order, err_msg=f"chunk={chunk}")
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(scores),
            np.take_along_axis(expected, order, axis=1),
            rtol=1e-5,
            atol=1e-6,
        )


def test_recommend_predict_and_candidates_with_small_chunks(model):
    rng = np.random.default_rng(1)
    histories = [list(rng.integers(1, NUM_ITEMS + 1, size=n)) for n in (2, 9)]
    whole = model.recommend(histories, k=NUM_ITEMS)  # ends in 0s (seen)
    x = {"item_ids": np.array([[0, 0, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]])}
    served = model.serve_top_k(x, k=5)
    model.score_chunk_size = 16
    try:
        chunked = model.recommend(histories, k=NUM_ITEMS)
        served_chunked = model.serve_top_k(x, k=5)
        allowed = model.recommend(histories, k=3, candidates=[9, 3, 20, 3])
    finally:
        model.score_chunk_size = 2**16
    np.testing.assert_array_equal(chunked[0], whole[0])
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(served_chunked[0]),
        keras.ops.convert_to_numpy(served[0]),
    )
    # Only the allow-list, best first, seen items left out.
    rows = zip(allowed[0], histories, whole[0], allowed[1])
    for row, history, best, scores in rows:
        kept = [i for i in best if i > 0 and i in row]
        assert set(row[row > 0]) <= {3, 9, 20} - set(history)
        assert list(row[row > 0]) == kept
        assert np.all(np.isneginf(scores[row == 0]))
    with pytest.raises(ValueError, match="candidates"):
        model.recommend(histories, k=3, candidates=[])
    with pytest.raises(ValueError, match="item ids"):
        model.recommend(histories, k=3, candidates=[NUM_ITEMS + 1])


def test_item_embeddings_are_the_table_without_padding(model):
    table = model.item_embeddings()
    assert table.shape == (NUM_ITEMS, 8)
    hidden = keras.ops.convert_to_numpy(
        model({"item_ids": np.array([[0, 0, 0, 0, 1, 2]])})[:, -1]
    )
    ids, scores = model.recommend([[1, 2]], k=1)
    assert ids[0, 0] == 3 + np.argmax(
        np.delete(hidden @ table.T, [0, 1], axis=1)
    )
    np.testing.assert_allclose(
        scores[0, 0], (hidden @ table.T)[0, ids[0, 0] - 1], rtol=1e-5
    )


def test_chunked_rank_is_the_rank_of_the_whole_matrix():
    rng = np.random.default_rng(2)
    hidden = rng.normal(size=(6, 8)).astype("float32")
    table = rng.normal(size=(NUM_ITEMS + 1, 8)).astype("float32")
    table[20] = table[3]  # a tie with item 3
    targets = np.array([3, 20, 5, 0, 36, 7], "int32")
    exclude = rng.integers(0, NUM_ITEMS + 1, size=(6, 5)).astype("int32")
    exclude[2, 0] = 5  # a target already seen: excluded, ranks last
    scores = exclude_items(hidden @ table.T, exclude)
    expected = keras.ops.convert_to_numpy(target_rank(targets, scores))
    for chunk in (5, 16):
        rank = chunked_target_rank(hidden, table, targets, exclude, chunk)
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(rank), expected, err_msg=str(chunk)
        )


def test_evaluate_in_chunks_matches(model):
    data = krt.datasets.synthetic(num_users=30, num_items=NUM_ITEMS, seed=0)
    _, _, test = data.leave_one_out()
    batches = test.batches(batch_size=16, max_len=6, bucketing=False)
    model.compile()
    whole = model.evaluate(batches, return_dict=True, verbose=0)
    model.score_chunk_size = 16
    try:
        model.compile()  # a new test step for the chunked scoring
        chunked = model.evaluate(batches, return_dict=True, verbose=0)
    finally:
        model.score_chunk_size = 2**16
    for key in ("recall@10", "ndcg@10", "mrr"):
        assert chunked[key] == pytest.approx(whole[key], abs=1e-6), key
