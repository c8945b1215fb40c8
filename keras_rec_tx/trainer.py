"""One call from a DataFrame to a trained model: `keras_rec_tx.fit`."""

from __future__ import annotations

from typing import Any

import keras
import pandas as pd

from keras_rec_tx import baselines, zoo
from keras_rec_tx.data import Interactions
from keras_rec_tx.experiment import StopOnNonFinite
from keras_rec_tx.utils import check_int, enable_compilation_cache


def fit(
    data: pd.DataFrame | Interactions,
    preset: str = "rope_swiglu",
    *,
    user: str = "user_id",
    item: str = "item_id",
    time: str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    patience: int | None = None,
    compare_baselines: bool = True,
    compilation_cache: bool = True,
    verbose: int = 1,
    **overrides: Any,
) -> keras.Model:
    """Trains preset `preset` on an interaction log and returns the model.

    Does what the README's plain Keras path does, in one call: reads the
    DataFrame (`Interactions.from_dataframe`), splits it leave-one-out,
    builds the preset sized from the data (its item vocabulary inside),
    fits with early stopping on validation NDCG@10 (best weights
    restored; training stops at a non-finite loss), and reports the test
    metrics. With `compare_baselines` it also prints the most-popular and
    Markov-chain baselines on the same test split, so you see at once
    whether the Transformer earns its cost on your data.

    Args:
        data: a pandas DataFrame (one row per interaction) or an
            `Interactions`.
        preset: a preset name (`keras_rec_tx.zoo.list()`).
        user, item, time: column names of a DataFrame `data` (`time`
            optional; time-aware presets need it).
        epochs: most epochs to train; `None`: the preset's.
        batch_size: sequences per batch; `None`: the preset's.
        patience: epochs without a better validation NDCG@10 before
            stopping; `None`: the preset's.
        compare_baselines: print the baselines' test metrics.
        compilation_cache: under JAX, keep the compiled programs on disk
            for later runs (`keras_rec_tx.utils.enable_compilation_cache`).
        verbose: 0 silent, 1 progress and the comparison.
        **overrides: architecture or training-recipe overrides of the
            preset (`d_model=`, `learning_rate=`, ...).

    Returns:
        The trained `keras_rec_tx.models.SequentialRecommender`; its test
        metrics are in `model.test_metrics` and the baselines' in
        `model.baseline_metrics`.

    Example:

    ```python
    import keras_rec_tx as krt

    df = krt.datasets.synthetic(num_users=300, num_items=60).to_dataframe()
    model = krt.fit(df, "sasrec_plus", epochs=3, d_model=16, verbose=0)
    model.recommend_users(df, k=5)
    ```
    """
    if isinstance(data, pd.DataFrame):
        data = Interactions.from_dataframe(
            data, user=user, item=item, time=time
        )
    elif not isinstance(data, Interactions):
        raise TypeError(
            "`data` must be a pandas DataFrame or an Interactions. "
            f"Received: {type(data).__name__}"
        )
    if compilation_cache:
        enable_compilation_cache()
    recipe = zoo.describe(preset)["training"]
    recipe.update(
        (key, value)
        for key, value in overrides.items()
        if key in zoo.TRAINING_KEYS
    )
    epochs = check_int("epochs", epochs, minimum=1, allow_none=True)
    batch_size = check_int("batch_size", batch_size, minimum=1, allow_none=True)
    patience = check_int("patience", patience, minimum=1, allow_none=True)
    epochs = recipe["epochs"] if epochs is None else epochs
    batch_size = recipe["batch_size"] if batch_size is None else batch_size
    if patience is None:
        patience = recipe["early_stopping_patience"]
    model = zoo.get(preset, data=data, **overrides)
    if model.time_encoder is not None and not data.has_time:
        raise ValueError(
            f"Preset {preset!r} is time-aware: pass the time column (time=...)."
        )
    train, valid, test = data.leave_one_out()
    max_len = model.max_len
    model.fit(
        train.batches(batch_size=batch_size, max_len=max_len),
        # Evaluation rows padded to the batch size count in no metric:
        # one shape per bucket length, compiled once.
        validation_data=valid.batches(max_len=max_len, pad_last_batch=True),
        epochs=epochs,
        callbacks=[
            # (With an EMA, `fit` puts keras.callbacks.SwapEMAWeights first.)
            StopOnNonFinite(),
            keras.callbacks.EarlyStopping(
                monitor="val_ndcg@10",
                mode="max",
                patience=patience,
                restore_best_weights=True,
            ),
        ],
        verbose=verbose,
    )
    test_batches = test.batches(max_len=max_len, pad_last_batch=True)
    model.test_metrics = model.evaluate(
        test_batches, return_dict=True, verbose=0
    )
    model.baseline_metrics = {}
    if compare_baselines:
        model.baseline_metrics = baselines.compare(
            train, test_batches, max_len=max_len
        )
    if verbose:
        print(
            comparison_table(preset, model.test_metrics, model.baseline_metrics)
        )
    return model


def comparison_table(
    name: str, metrics: dict[str, float], baseline_metrics: dict[str, dict]
) -> str:
    """A small text table: the model's test metrics and the baselines'."""
    keys = ("recall@10", "ndcg@10", "mrr")
    lines = [f"{'test':<16}" + "".join(f"{k:>11}" for k in keys)]
    rows = {name: metrics, **baseline_metrics}
    for row, values in rows.items():
        cells = "".join(
            f"{float(values.get(k, float('nan'))):>11.4f}" for k in keys
        )
        lines.append(f"{row:<16}{cells}")
    return "\n".join(lines)
