"""The plain Keras path a user takes: raw ids in and out, a schedule sized
by `fit`, `summary`, `predict`, atomic `.keras` saves and clear errors for
data that does not fit the catalogue (all three backends, tiny sizes)."""

import keras
import numpy as np
import pandas as pd
import pytest

import keras_rec_tx as krt

TINY = {"d_model": 8, "d_ff": 16, "max_len": 6, "dropout": 0.0}


def frame(num_users=12, num_items=7, length=5, seed=0):
    """A log with string item ids and datetime times."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(num_users):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=u)
        for j in range(length):
            item = f"sku-{(u + j) % num_items}"
            rows.append((f"user-{u}", item, start + pd.Timedelta(hours=j)))
    rng.shuffle(rows)
    return pd.DataFrame(rows, columns=["customer", "product", "ts"])


def interactions():
    return krt.data.Interactions.from_dataframe(
        frame(), user="customer", item="product", time="ts"
    )


def test_vocabulary_raw_ids_in_and_out_and_saved(tmp_path):
    data = interactions()
    model = krt.zoo.get("sasrec_plus", data=data, **TINY)
    assert model.item_vocabulary == sorted(set(frame()["product"]))
    ids, scores = model.recommend([["sku-1", "sku-2"], ["sku-3"]], k=3)
    assert ids.shape == (2, 3) and all(i.startswith("sku-") for i in ids[0])
    assert not {"sku-1", "sku-2"} & set(ids[0])
    with pytest.raises(ValueError, match="sku-99"):
        model.recommend([["sku-1", "sku-99"]], k=3)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.item_vocabulary == model.item_vocabulary
    again, again_scores = loaded.recommend([["sku-1", "sku-2"], ["sku-3"]], k=3)
    np.testing.assert_array_equal(again, ids)
    np.testing.assert_allclose(again_scores, scores, atol=1e-5)


def test_recommend_users_dataframe_and_datetimes():
    data = interactions()
    model = krt.zoo.get("rope_swiglu_time", data=data, **TINY)
    top = model.recommend_users(data, k=2)
    assert list(top.columns) == ["user_id", "item_id", "score", "rank"]
    assert len(top) == 2 * data.num_users
    seen = frame().groupby("customer")["product"].apply(set)
    for row in top.itertuples():
        assert row.item_id not in seen[row.user_id]
    some = model.recommend_users(data, k=1, users=["user-3", "user-0"])
    assert some["user_id"].tolist() == ["user-3", "user-0"]
    with pytest.raises(ValueError, match="nobody"):
        model.recommend_users(data, users=["nobody"])
    # Datetimes and unix seconds give the same recommendations.
    times = [pd.date_range("2024-02-01", periods=2, freq="h")]
    a = model.recommend([["sku-1", "sku-2"]], k=3, timestamps=times)
    seconds = [[t.value // 10**9 for t in times[0]]]
    b = model.recommend([["sku-1", "sku-2"]], k=3, timestamps=seconds)
    np.testing.assert_array_equal(a[0], b[0])


def test_recommend_edges():
    model = krt.zoo.get("sasrec_plus", num_items=5, **TINY)
    with pytest.raises(ValueError, match="empty"):
        model.recommend([[1, 2], []], k=2)
    with pytest.raises(ValueError, match="LEFT-padded"):
        model.recommend(np.array([[1, 2, 0, 0]]), k=2)
    with pytest.raises(ValueError, match="batch_size"):
        model.recommend([[1]], k=2, batch_size=-1)
    with pytest.raises(ValueError, match="values from -1"):
        model.recommend([[1, -1]], k=2)
    # Fewer unseen items than k: the rest is 0 with score -inf.
    ids, scores = model.recommend([[1, 2, 3, 4]], k=3)
    assert ids[0, 0] == 5 and ids[0, 1:].tolist() == [0, 0]
    assert np.isneginf(scores[0, 1:]).all()


def test_fit_sizes_the_schedule_from_its_own_run():
    data = krt.datasets.synthetic(num_users=80, num_items=20, seed=0)
    train, _, _ = data.leave_one_out()
    # One padded length: one compiled train step per fit.
    batches = train.batches(batch_size=8, max_len=6, bucketing=False)
    # The preset file says 175 steps an epoch; this fit has 10.
    model = krt.zoo.get("warmup_cosine", num_items=20, **TINY, epochs=3)
    schedule = model.optimizer._learning_rate
    model.fit(batches, epochs=3, verbose=0)
    assert schedule.steps_per_epoch == len(batches) and schedule.epochs == 3
    peak = schedule.learning_rate
    after_one = float(schedule(len(batches)))
    assert after_one > 0.5 * peak
    # Fixed at 1 step an epoch (10x fewer than this fit's), a schedule
    # has decayed to its floor after one epoch: what fit now prevents.
    fixed = krt.zoo.get(
        "warmup_cosine", num_items=20, steps_per_epoch=1, epochs=3, **TINY
    )
    fixed.fit(batches, epochs=1, verbose=0)
    short = fixed.optimizer._learning_rate
    assert short.steps_per_epoch == 1
    assert float(short(len(batches))) < 0.05 * peak
    # Batches longer than the model's max_len (token weights cut too).
    fixed.fit(
        train.batches(batch_size=8, max_len=12, bucketing=False),
        epochs=1,
        verbose=0,
    )


def test_weight_average_is_sized_by_fit_and_validated():
    data = krt.datasets.synthetic(num_users=80, num_items=20, seed=0)
    train, valid, _ = data.leave_one_out()
    batches = train.batches(batch_size=8, max_len=6, bucketing=False)
    valid_batches = valid.batches(max_len=6, bucketing=False)
    model = krt.zoo.get("sasrec_plus", num_items=20, **TINY, ema_momentum=0.999)
    history = model.fit(
        batches, validation_data=valid_batches, epochs=2, verbose=0
    )
    # 20 steps: Keras's average at 0.999 would end 98% the initial weights.
    assert model.optimizer.ema_momentum == pytest.approx(0.5)
    # Validation scored the average, which is what fit ends with.
    scored = model.evaluate(valid_batches, return_dict=True, verbose=0)
    assert scored["ndcg@10"] == pytest.approx(
        history.history["val_ndcg@10"][-1], abs=1e-5
    )
    # A longer fit sizes it again from the preset's 0.999, not from 0.5.
    model.fit(batches, epochs=4, verbose=0)
    assert model.optimizer.ema_momentum == pytest.approx(0.75)
    # A fit of unknown length says what it could not size.
    with pytest.warns(UserWarning, match="weight average's momentum"):
        model.fit((batches[i] for i in range(2)), epochs=1, verbose=0)


def test_summary_predict_and_catalogue_checks(tmp_path):
    data = krt.datasets.synthetic(num_users=40, num_items=30, seed=0)
    _, _, test = data.leave_one_out()
    model = krt.zoo.get("sasrec_plus", num_items=30, top_k=4, **TINY)
    model.summary(print_fn=lambda *a, **k: None)
    batches = test.batches(batch_size=16, max_len=6)
    out = model.predict(batches, verbose=0)
    assert out["item_ids"].shape == (40, 4)
    np.testing.assert_array_equal(out["users"], np.arange(40))
    history = data.sequence(7)[:-1][-6:]  # the test input: all but the last
    ids, _ = model.recommend([history], k=4)
    np.testing.assert_array_equal(out["item_ids"][7], ids[0])
    small = krt.zoo.get("sasrec_plus", num_items=10, **TINY)
    with pytest.raises(ValueError, match="num_items=10"):
        small.fit(batches, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="num_items=10"):
        small.evaluate(batches, verbose=0)
    x = np.array([[1, 2, 11]], "int32")
    with pytest.raises(ValueError, match="num_items=10"):
        small.fit(x, np.array([[2, 11, 3]]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="num_items=10"):
        small.predict(x, verbose=0)
    with pytest.raises(ValueError, match=".keras"):
        small.save(tmp_path / "m.h5")


def test_zoo_get_training_overrides_and_warning():
    with pytest.warns(UserWarning, match="not sized from data"):
        krt.zoo.get("sasrec_plus", **TINY)
    model = krt.zoo.get(
        "warmup_cosine", num_items=5, learning_rate=3e-3, epochs=7, **TINY
    )
    assert model.optimizer._learning_rate.learning_rate == 3e-3
    assert model.optimizer._learning_rate.epochs == 7
    with pytest.raises(ValueError, match="Training recipe keys"):
        krt.zoo.get("sasrec_plus", num_items=5, learing_rate=1e-3)


def test_pretrained_preset_loads_by_name():
    model = krt.zoo.get("rope_swiglu", weights="rope_swiglu_synthetic")
    assert model.item_vocabulary is not None
    ids, scores = model.recommend([model.item_vocabulary[:3]], k=5)
    assert ids.shape == (1, 5) and np.isfinite(scores).all()
    with pytest.raises(ValueError, match="drop"):
        krt.zoo.get("rope_swiglu", weights="rope_swiglu_synthetic", d_model=8)


def test_one_call_fit_from_a_dataframe(capsys):
    df = frame()
    model = krt.fit(
        df,
        "sasrec_plus",
        user="customer",
        item="product",
        time="ts",
        epochs=1,
        **TINY,
    )
    assert {"recall@10", "ndcg@10"} <= set(model.test_metrics)
    assert set(model.baseline_metrics) == {"most_popular", "markov"}
    printed = capsys.readouterr().out
    assert "sasrec_plus" in printed and "markov" in printed
    top = model.recommend_users(df, user="customer", item="product", k=2)
    assert set(top["user_id"]) == set(df["customer"])
