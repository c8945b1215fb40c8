import keras
import numpy as np
import pytest

from keras_rec_tx import zoo
from keras_rec_tx.models import SequentialRecommender
from keras_rec_tx.regularizers import NormPenalty

NUM_ITEMS = 30


def tiny(**kwargs):
    config = dict(
        num_items=NUM_ITEMS,
        max_len=8,
        d_model=16,
        num_blocks=1,
        num_heads=2,
        dropout=0.0,
        loss="softmax",
        seed=1,
    )
    config.update(kwargs)
    model = SequentialRecommender(**config)
    model.build()
    return model


def cyclic_batch(batch=16, length=8, seed=0):
    """Sequences where the next item is always item + 1 (mod catalogue)."""
    rng = np.random.default_rng(seed)
    start = rng.integers(0, NUM_ITEMS, size=(batch, 1))
    seq = (start + np.arange(length + 1)) % NUM_ITEMS + 1
    return seq[:, :-1].astype("int32"), seq[:, 1:].astype("int32")


def test_call_shape_and_dtype():
    model = tiny()
    x, _ = cyclic_batch()
    out = model(x)
    assert tuple(out.shape) == (16, 8, 16)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


def test_build_builds_every_sublayer():
    # While any sublayer is unbuilt (the evaluation loss, which training
    # never calls), Keras traces the whole model symbolically before every
    # `train_on_batch`: a cost on each step.
    model = tiny()
    assert [x.name for x in model._flatten_layers() if not x.built] == []


@pytest.mark.parametrize("position", ["learned", "rope", "rope+learned"])
def test_causal(position):
    model = tiny(position=position)
    x, _ = cyclic_batch()
    changed = x.copy()
    changed[:, 5:] = (changed[:, 5:] + 7) % NUM_ITEMS + 1
    a = keras.ops.convert_to_numpy(model(x))
    b = keras.ops.convert_to_numpy(model(changed))
    np.testing.assert_allclose(a[:, :5], b[:, :5], atol=1e-5)
    assert not np.allclose(a[:, 5:], b[:, 5:])


@pytest.mark.parametrize("position", ["learned", "rope", "rope+learned"])
def test_left_padding_does_not_change_last_state(position):
    model = tiny(position=position)
    x, _ = cyclic_batch(length=5)
    padded = np.concatenate([np.zeros((16, 3), "int32"), x], axis=1)
    a = keras.ops.convert_to_numpy(model(x))[:, -1]
    b = keras.ops.convert_to_numpy(model(padded))[:, -1]
    np.testing.assert_allclose(a, b, atol=1e-5)
    # Padded positions hold zeros and no NaN anywhere.
    full = keras.ops.convert_to_numpy(model(padded))
    assert np.all(np.isfinite(full))
    np.testing.assert_array_equal(full[:, :3], 0.0)


def test_attend_to_padding_lets_queries_see_padded_slots():
    model = tiny(attend_to_padding=True)
    x, _ = cyclic_batch(length=5)
    padded = np.concatenate([np.zeros((16, 3), "int32"), x], axis=1)
    a = keras.ops.convert_to_numpy(model(x))[:, -1]
    full = keras.ops.convert_to_numpy(model(padded))
    # Three more padded keys change the newest state (they take weight).
    assert not np.allclose(a, full[:, -1], atol=1e-4)
    assert np.all(np.isfinite(full))
    np.testing.assert_array_equal(full[:, :3], 0.0)
    # Still causal among real items.
    changed = padded.copy()
    changed[:, 6:] = (changed[:, 6:] + 7) % NUM_ITEMS + 1
    np.testing.assert_allclose(
        full[:, :6],
        keras.ops.convert_to_numpy(model(changed))[:, :6],
        atol=1e-5,
    )
    clone = SequentialRecommender.from_config(model.get_config())
    assert clone.attend_to_padding is True


def test_embeddings_initializer_sets_the_embedding_scale():
    model = tiny(embeddings_initializer="glorot_normal")
    # Xavier normal: the scale follows each table's shape.
    items = keras.ops.convert_to_numpy(model.item_embedding.embeddings)
    positions = keras.ops.convert_to_numpy(
        model.backbone.position_embedding.embeddings
    )
    np.testing.assert_allclose(
        items.std(), np.sqrt(2.0 / (NUM_ITEMS + 1 + 16)), rtol=0.15
    )
    np.testing.assert_allclose(
        positions.std(), np.sqrt(2.0 / (8 + 16)), rtol=0.2
    )
    clone = SequentialRecommender.from_config(model.get_config())
    clone.build()
    assert keras.ops.convert_to_numpy(
        clone.item_embedding.embeddings
    ).std() == pytest.approx(items.std(), rel=0.2)
    default = keras.ops.convert_to_numpy(tiny().item_embedding.embeddings)
    assert default.std() == pytest.approx(0.0176, rel=0.15)


def test_item_dropout_drops_both_sides_in_training_only():
    x, y = cyclic_batch()
    # Unit-scale embeddings, so that the logits (and the loss) move.
    init = keras.initializers.RandomNormal(stddev=1.0, seed=3)
    plain = tiny(embeddings_initializer=init)
    dropped = tiny(embeddings_initializer=init, item_dropout=0.5)
    dropped.set_weights(plain.get_weights())
    hidden = keras.ops.convert_to_numpy(plain(x))
    # Inference reads the whole table.
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(dropped(x)), hidden, atol=1e-6
    )
    # Training drops out the history's item vectors (dropout=0 here) ...
    trained = keras.ops.convert_to_numpy(dropped(x, training=True))
    assert not np.allclose(trained, hidden, atol=1e-3)
    # ... and the table the training loss scores against, but not the
    # table of a non-training or an evaluation (1-D target) batch.
    base = float(plain.compute_loss(x, y, hidden, training=True))
    assert float(
        dropped.compute_loss(x, y, hidden, training=False)
    ) == pytest.approx(base, rel=1e-5)
    assert float(
        dropped.compute_loss(x, y, hidden, training=True)
    ) != pytest.approx(base, rel=1e-3)
    eval_base = float(plain.compute_loss(x, y[:, -1], hidden, training=True))
    assert float(
        dropped.compute_loss(x, y[:, -1], hidden, training=True)
    ) == pytest.approx(eval_base, rel=1e-5)
    clone = SequentialRecommender.from_config(dropped.get_config())
    assert clone.item_dropout == 0.5
    with pytest.raises(ValueError, match="item_dropout"):
        tiny(item_dropout=1.0)


def test_truncates_to_max_len():
    model = tiny()
    x, _ = cyclic_batch(length=12)
    a = keras.ops.convert_to_numpy(model(x))
    b = keras.ops.convert_to_numpy(model(x[:, -8:]))
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="position"):
        SequentialRecommender(num_items=5, position="sinusoid")
    with pytest.raises(ValueError, match="num_items"):
        SequentialRecommender(num_items=0)
    with pytest.raises(ValueError, match="time_encoding"):
        SequentialRecommender(num_items=5, time_encoding="clock")
    model = tiny()
    with pytest.raises(ValueError, match="shape"):
        model(np.ones((4,), "int32"))
    with pytest.raises(ValueError, match="item_ids"):
        model({"items": np.ones((2, 3), "int32")})


def test_time_model_needs_timestamps():
    model = tiny(time_encoding="hybrid")
    x, _ = cyclic_batch()
    with pytest.raises(ValueError, match="timestamps"):
        model(x)
    times = np.cumsum(np.full(x.shape, 3600), axis=1).astype("int32")
    out = model({"item_ids": x, "timestamps": times, "query_timestamps": times})
    assert tuple(out.shape) == (16, 8, 16)


def test_compute_loss_keeps_regularizer_losses():
    x, y = cyclic_batch()
    plain = tiny()
    penalised = tiny(user_norm_penalty=NormPenalty(0.5))
    penalised.set_weights(plain.get_weights())
    hidden = plain(x)
    base = float(plain.compute_loss(x, y, hidden))
    norms = np.linalg.norm(keras.ops.convert_to_numpy(hidden), axis=-1)
    with_penalty = float(penalised.compute_loss(x, y, penalised(x)))
    np.testing.assert_allclose(
        with_penalty - base, 0.5 * norms.mean(), rtol=1e-4
    )
    # A kernel regularizer inside a sublayer lands in `model.losses` and the
    # overridden compute_loss must add it.
    plain.item_embedding.add_loss(keras.ops.convert_to_tensor(2.0))
    extra = float(plain.compute_loss(x, y, hidden))
    np.testing.assert_allclose(extra - base, 2.0, rtol=1e-5)


def test_training_sample_weight_reaches_the_loss():
    # Bucketed batches carry token weights (SequenceBatches): a weight of
    # 3 at every position triples the training loss; padding weights 0.
    x, y = cyclic_batch()
    model = tiny()
    hidden = model(x)
    base = float(model.compute_loss(x, y, hidden))
    weight = np.full(y.shape, 3.0, "float32")
    tripled = float(model.compute_loss(x, y, hidden, sample_weight=weight))
    np.testing.assert_allclose(tripled, 3 * base, rtol=1e-5)
    model.compile(optimizer="adam")
    history = model.fit(x, y, sample_weight=weight, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_fit_then_evaluate_metrics_match_numpy():
    model = tiny()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), jit_compile=False)
    x, y = cyclic_batch(batch=64, seed=3)
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    assert "user_norm" in history.history
    hist, target = cyclic_batch(batch=40, seed=4)
    target = target[:, -1]
    metrics = model.evaluate(hist, target, return_dict=True, verbose=0)
    for name in ("recall@10", "ndcg@10", "recall@50", "ndcg@50", "mrr"):
        assert name in metrics
    scores = keras.ops.convert_to_numpy(model.score(hist))
    target_score = scores[np.arange(40), target]
    rank = (scores > target_score[:, None]).sum(1)
    np.testing.assert_allclose(metrics["recall@10"], (rank < 10).mean(), 1e-5)
    ndcg = np.where(rank < 10, 1 / np.log2(rank + 2), 0).mean()
    np.testing.assert_allclose(metrics["ndcg@10"], ndcg, rtol=1e-4)
    np.testing.assert_allclose(metrics["mrr"], (1 / (rank + 1)).mean(), 1e-4)
    assert metrics["recall@10"] > 0.5  # it learned the +1 rule


def test_sampled_protocol_uses_candidates():
    model = tiny()
    model.compile(optimizer="adam", jit_compile=False)
    hist, target = cyclic_batch(batch=8)
    target = target[:, -1]
    scores = keras.ops.convert_to_numpy(model.score(hist, exclude_seen=False))
    rng = np.random.default_rng(0)
    negatives = rng.integers(1, NUM_ITEMS + 1, size=(8, 5))
    candidates = np.concatenate([target[:, None], negatives], 1).astype("int32")
    metrics = model.evaluate(
        {"item_ids": hist, "candidates": candidates},
        target,
        return_dict=True,
        verbose=0,
    )
    cand_scores = np.take_along_axis(scores, candidates, 1)
    rank = (cand_scores[:, 1:] >= cand_scores[:, :1]).sum(1)
    np.testing.assert_allclose(metrics["mrr"], (1 / (rank + 1)).mean(), 1e-4)


def test_recommend_excludes_seen_and_validates():
    model = tiny()
    histories = [[1, 2, 3], [4], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]]
    ids, scores = model.recommend(histories, k=5)
    assert ids.shape == (3, 5) and scores.shape == (3, 5)
    for row, history in zip(ids, histories):
        assert not set(row.tolist()) & set(history)
        assert 0 not in row
    assert np.all(np.diff(scores, axis=1) <= 0)
    padded = np.zeros((1, 8), "int32")
    padded[0, -3:] = [1, 2, 3]
    ids2, _ = model.recommend(padded, k=5)
    np.testing.assert_array_equal(ids2[0], ids[0])
    seen_ids, _ = model.recommend(histories, k=NUM_ITEMS, exclude_seen=False)
    assert set(seen_ids[0].tolist()) == set(range(1, NUM_ITEMS + 1))
    with pytest.raises(ValueError, match="values from 1 to 35"):
        model.recommend([[1, NUM_ITEMS + 5]])
    with pytest.raises(ValueError, match="k"):
        model.recommend([[1]], k=NUM_ITEMS + 1)


def test_save_and_load_same_backend(tmp_path):
    model = tiny(position="rope", norm="rmsnorm", ffn="swiglu")
    model.compile(optimizer="adam", jit_compile=False)
    x, y = cyclic_batch()
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.score(x)),
        keras.ops.convert_to_numpy(loaded.score(x)),
        atol=1e-5,
    )
    assert loaded.get_config() == model.get_config()


@pytest.mark.parametrize("name", zoo.list())
def test_every_preset_builds_and_steps(name):
    preset = zoo.describe(name)
    model = zoo.get(name, num_items=NUM_ITEMS, d_model=16, max_len=8)
    x, y = cyclic_batch()
    inputs = {"item_ids": x}
    if preset["architecture"].get("time_encoding"):
        times = np.cumsum(np.full(x.shape, 600), axis=1).astype("int32")
        inputs.update(timestamps=times, query_timestamps=times + 600)
    logs = model.fit(inputs, y, epochs=1, verbose=0).history
    assert np.isfinite(logs["loss"][0])


def test_recommend_with_unix_timestamps():
    from keras_rec_tx.data import TIME_ORIGIN

    model = tiny(time_encoding="hybrid")
    histories = [[1, 2, 3], [4, 5]]
    unix = [
        [1_700_000_000, 1_700_003_600, 1_700_090_000],
        [1_600_000_000, 1_600_000_060],
    ]
    ids, scores = model.recommend(histories, k=4, timestamps=unix)
    x = np.zeros((2, 8), "int32")
    t = np.zeros((2, 8), "int32")
    for i, (h, ts) in enumerate(zip(histories, unix)):
        x[i, -len(h) :] = h
        t[i, -len(h) :] = np.asarray(ts) - TIME_ORIGIN
    q = np.roll(t, -1, axis=1)
    q[:, -1] = t[:, -1]
    q = np.where(x > 0, q, 0)
    inputs = {"item_ids": x, "timestamps": t, "query_timestamps": q}
    scores_direct = keras.ops.convert_to_numpy(model.score(inputs))
    np.testing.assert_allclose(
        np.sort(scores_direct, 1)[:, ::-1][:, :4], scores, rtol=1e-5
    )
    with pytest.raises(ValueError, match="timestamps"):
        model.recommend(histories, k=4)
    with pytest.raises(ValueError, match="unix SECONDS"):
        model.recommend([[1]], timestamps=[[10**13]])


def test_item_replacement_noises_the_history_in_training_only():
    x, y = cyclic_batch()
    plain = tiny()
    noisy = tiny(item_replacement=0.5)
    noisy.set_weights(plain.get_weights())
    hidden = keras.ops.convert_to_numpy(plain(x))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(noisy(x)), hidden, atol=1e-6
    )
    trained = keras.ops.convert_to_numpy(noisy(x, training=True))
    assert not np.allclose(trained, hidden, atol=1e-3)
    # It trains (the seed generator's state is carried by fit on every
    # backend) and survives a config round trip.
    noisy.compile(optimizer="adam")
    noisy.fit(x, y, epochs=2, verbose=0)
    clone = SequentialRecommender.from_config(noisy.get_config())
    assert clone.item_replacement == 0.5
    with pytest.raises(ValueError, match="item_replacement"):
        tiny(item_replacement=-0.1)


def test_item_table_multiple_pads_the_table_never_the_items():
    """Extra table rows (for a sharded table) change no score, metric,
    loss or recommendation, even where they would score highest."""
    plain = tiny()
    padded = tiny(item_table_multiple=8)
    table = padded.item_embedding.embeddings
    assert tuple(table.shape) == (32, 16)  # 31 rows rounded up to 32
    assert tuple(padded.backbone.embeddings.shape) == (31, 16)
    weights = plain.get_weights()
    weights[0] = np.concatenate([weights[0], np.full((1, 16), 1e3)])
    padded.set_weights([w.astype("float32") for w in weights])
    np.testing.assert_array_equal(
        padded.item_embeddings(), plain.item_embeddings()
    )
    x, y = cyclic_batch()
    for a, b in zip(
        plain.recommend(x, k=30), padded.recommend(x, k=30), strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(padded.score(x)),
        keras.ops.convert_to_numpy(plain.score(x)),
        rtol=1e-6,
        atol=1e-6,
    )
    plain.compile("adam")
    padded.compile("adam")
    evaluations = [
        m.evaluate(x, y[:, -1], return_dict=True, verbose=0)
        for m in (plain, padded)
    ]
    for name, value in evaluations[0].items():
        assert evaluations[1][name] == pytest.approx(value, rel=1e-6)
    clone = SequentialRecommender.from_config(padded.get_config())
    assert clone.backbone.item_table_rows == 32
    with pytest.raises(ValueError, match="item_table_multiple"):
        tiny(item_table_multiple=0)


def test_rows_without_a_target_are_padding():
    """Rows of zeros (a batch padded for the devices) count in no metric,
    in no loss and not in the reported loss's weighting."""
    model = tiny()
    model.compile("adam")
    x, y = cyclic_batch()
    zeros = np.zeros((5, 8), "int32")
    padded_x, padded_y = np.concatenate([x, zeros]), np.concatenate([y, zeros])
    target = y[:, -1]
    padded_target = np.concatenate([target, np.zeros(5, "int32")])
    plain = model.evaluate(x, target, return_dict=True, verbose=0)
    padded = model.evaluate(
        padded_x, padded_target, return_dict=True, verbose=0
    )
    for name, value in plain.items():
        assert padded[name] == pytest.approx(value, rel=1e-6), name
    # Two evaluation batches of 16 rows: the second has 5 real rows.
    both_x = np.concatenate([x, x[:5], np.zeros((11, 8), "int32")])
    both_target = np.concatenate([target, target[:5], np.zeros(11, "int32")])
    both = model.evaluate(
        both_x, both_target, batch_size=16, return_dict=True, verbose=0
    )
    real = model.evaluate(
        both_x[:21],
        both_target[:21],
        batch_size=16,
        return_dict=True,
        verbose=0,
    )
    for name, value in real.items():
        assert both[name] == pytest.approx(value, rel=1e-6), name
    weights = model.get_weights()
    loss = model.train_on_batch(x, y, return_dict=True)["loss"]
    model.set_weights(weights)
    padded_loss = model.train_on_batch(padded_x, padded_y, return_dict=True)
    assert padded_loss["loss"] == pytest.approx(loss, rel=1e-6)


def test_layout_map_shards_only_the_item_table():
    mesh = keras.distribution.DeviceMesh(
        (2, 4), ["batch", "model"], [f"cpu:{i}" for i in range(8)]
    )
    layout_map = SequentialRecommender.get_layout_map(mesh)
    table = layout_map[
        "sequential_recommender/backbone/item_embedding/embeddings"
    ]
    assert tuple(table.axes) == ("model", None)
    assert (
        layout_map["sequential_recommender/backbone/block_0/ffn_inner/kernel"]
        is None
    )
    with pytest.raises(ValueError, match="model_parallel_dim_name"):
        SequentialRecommender.get_layout_map(mesh, "items")


def test_predict_drops_the_rows_that_pad_batches():
    from keras_rec_tx.datasets import synthetic

    _, _, test = synthetic(num_users=20, num_items=NUM_ITEMS).leave_one_out()
    model = tiny()
    plain = model.predict(test.batches(batch_size=7))
    padded = model.predict(test.batches(batch_size=7, row_multiple=8))
    assert plain.keys() == padded.keys()
    for key, value in plain.items():
        np.testing.assert_array_equal(padded[key], value)
