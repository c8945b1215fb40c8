"""The task of the zoo: next-item recommendation over a backbone."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_rec_tx import losses as losses_lib
from keras_rec_tx.metrics.exclude_items import exclude_items
from keras_rec_tx.metrics.ranking_protocol import (
    ranking_metrics,
    update_ranking_metrics,
)
from keras_rec_tx.models.chunked_top_k import (
    DEFAULT_CHUNK_SIZE,
    chunked_target_rank,
    chunked_top_k,
)
from keras_rec_tx.models.item_vocabulary import ItemVocabulary, check_indices
from keras_rec_tx.models.real_rows import RealRowsLoss, row_weight
from keras_rec_tx.models.recommend import RecommendMixin
from keras_rec_tx.models.sequential_backbone import (
    POSITIONS,
    TIME_ENCODINGS,
    SequentialBackbone,
)
from keras_rec_tx.regularizers.norm_penalty import NormPenalty
from keras_rec_tx.schedules.fit_sized_schedule import FitSizedSchedule
from keras_rec_tx.utils import (
    check_int,
    check_int_list,
    restore_malloc_thresholds,
)
from keras_rec_tx.utils.atomic import atomic_path

__all__ = [
    "POSITIONS",
    "TIME_ENCODINGS",
    "SequentialRecommender",
    "fit_sized_ema_momentum",
]

_BACKBONE_ARGS = (
    "num_items",
    "max_len",
    "d_model",
    "num_blocks",
    "num_heads",
    "d_ff",
    "position",
    "norm",
    "ffn",
    "use_bias",
    "arrangement",
    "norm_position",
    "dropout",
    "time_encoding",
    "scale_embeddings",
    "rope_max_wavelength",
    "attend_to_padding",
    "item_dropout",
    "embeddings_initializer",
    "item_replacement",
    "seed",
    "item_table_multiple",
)


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class SequentialRecommender(RecommendMixin, keras.Model):
    """Next-item recommender: a `SequentialBackbone` plus the task.

    The backbone (`model.backbone`) turns histories into hidden states;
    this task owns everything around it: scores tied to the item table,
    the training loss, the ranking metrics, the item vocabulary and
    inference (`recommend`, `recommend_users`, `predict`, serving). Its
    constructor takes the backbone's arguments flat (so that a preset is
    one flat dict) and builds the backbone itself.

    Inputs are left-padded item indices (`0` = padding, items
    `1..num_items`) as an int array `(batch, seq)`, or a dict with
    `"item_ids"` and, for time-aware models, `"timestamps"` and
    `"query_timestamps"` (int32 seconds since
    `keras_rec_tx.utils.requests.TIME_ORIGIN`, as `Interactions.batches`
    feeds them; `recommend` takes unix seconds or datetimes).

    Training batches are `(x, y)` with `y` of shape `(batch, seq)`: the next
    item at every position (`0` = no target); the loss is `loss`
    (`"sampled_softmax"`, `"softmax"`, `"bce"` or `"gbce"`, see
    `keras_rec_tx.losses`). Evaluation batches have `y` of shape `(batch,)`:
    the held-out item after the history; `evaluate` then reports Recall@K
    (= HR@K), NDCG@K for each K in `eval_ks` and MRR over the full catalogue,
    items of the history excluded, or over `x["candidates"]` (column 0 = the
    target) for the sampled protocol. Every step reports `user_norm`, the mean
    L2 norm of the user representation.

    `fit`, `evaluate` and `predict` check item indices against the
    catalogue before any step runs (arrays, and the library's
    `SequenceBatches`), so an index above `num_items` or below 0 is a
    clear `ValueError`, never a backend error or a silent NaN. `fit` also
    sizes a preset's learning-rate schedule (`keras_rec_tx.zoo`) from its
    own steps and epochs.

    Many devices (JAX): under `keras.distribution.DataParallel`, or
    `ModelParallel` with `get_layout_map` (the item table sharded), a
    batch's rows must split evenly over the devices; `SequenceBatches`
    pads them with rows that hold no target. An evaluation row whose
    target is 0 is such padding: it counts in no metric, and the reported
    loss is weighted by the rows that hold a target, so the numbers equal
    those of one device. (An array row with a history and target 0 is
    refused with a ValueError: it would drop a user silently.)

    Args:
        num_items: number of items; indices run `1..num_items`.
        item_vocabulary: the raw item ids (ints or strings) of indices
            `1..num_items`, in order, or `None`. With a vocabulary,
            `recommend` and `recommend_users` take and return raw ids, and
            the vocabulary is saved inside the `.keras` file.
            `keras_rec_tx.zoo.get(name, data=interactions)` fills it in.
        loss: loss name for `keras_rec_tx.losses.get`.
        loss_config: keyword arguments of that loss.
        user_norm_penalty: a `keras_rec_tx.regularizers.NormPenalty`, or
            its arguments as a dict (`{"mode": "l2", "strength": 1e-4}`),
            applied to the user representation at non-padding positions;
            `None` for none.
        eval_ks: cut-offs of the ranking metrics.
        top_k: length of the lists `predict` and the serving export return.
        **kwargs: the `keras_rec_tx.models.SequentialBackbone` arguments
            (`max_len`, `d_model`, `num_blocks`, `position`, `norm`, `ffn`,
            `dropout`, `time_encoding`, `item_dropout`, `seed`, ...) and
            `keras.Model` ones (`name`, `dtype`).

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    model = keras_rec_tx.models.SequentialRecommender(
        num_items=20, max_len=8, d_model=16, num_blocks=1, loss="softmax"
    )
    model.compile(optimizer="adam")
    x = np.random.randint(1, 21, size=(32, 8)).astype("int32")
    y = np.roll(x, -1, axis=1)
    model.fit(x, y, epochs=1, verbose=0)
    ids, scores = model.recommend([[1, 2, 3], [4, 5]], k=5)
    ```

    References:
        - Kang & McAuley, Self-Attentive Sequential Recommendation, 2018,
          https://arxiv.org/abs/1808.09781
    """

    def __init__(
        self,
        num_items: int,
        item_vocabulary: Sequence[Any] | None = None,
        loss: str = "sampled_softmax",
        loss_config: dict | None = None,
        user_norm_penalty: NormPenalty | dict | None = None,
        eval_ks: Sequence[int] = (10, 50),
        top_k: int = 10,
        score_chunk_size: int = DEFAULT_CHUNK_SIZE,
        **kwargs: Any,
    ):
        backbone_args = {
            key: kwargs.pop(key) for key in _BACKBONE_ARGS if key in kwargs
        }
        super().__init__(**kwargs)
        # === Layers ===
        self.backbone = SequentialBackbone(
            num_items, dtype=self.dtype_policy, name="backbone", **backbone_args
        )
        self.num_items = self.backbone.num_items
        self._vocabulary = (
            None
            if item_vocabulary is None
            else ItemVocabulary(item_vocabulary, num_items)
        )
        # The raw ids as a JSON-ready list (saved in the config), or None.
        self.item_vocabulary = (
            None if self._vocabulary is None else self._vocabulary.values
        )
        self.loss_name = loss
        self.loss_config = dict(loss_config or {})
        if isinstance(user_norm_penalty, dict) and "class_name" in (
            user_norm_penalty
        ):  # as `get_config` (and a saved model) writes it
            user_norm_penalty = keras.saving.deserialize_keras_object(
                user_norm_penalty
            )
        elif isinstance(user_norm_penalty, dict):  # as a preset file does
            user_norm_penalty = NormPenalty(**user_norm_penalty)
        self.user_norm_penalty = user_norm_penalty
        self.eval_ks = tuple(check_int_list("eval_ks", eval_ks, minimum=1))
        self.top_k = check_int("top_k", top_k, minimum=1)
        self.score_chunk_size = check_int(
            "score_chunk_size", score_chunk_size, minimum=1
        )
        self.loss_layer = losses_lib.get(
            loss, num_items=self.num_items, seed=self.seed, **self.loss_config
        )
        # Loss of evaluation batches (the held-out item, full catalogue).
        self.eval_loss_layer = losses_lib.FullSoftmaxLoss(
            num_items=self.num_items, name="eval_loss"
        )
        # === Metrics ===
        self.user_norm_tracker = keras.metrics.Mean(name="user_norm")
        self.ranking_metrics = ranking_metrics(self.eval_ks)

    # ------------------------------------------------------------- build
    def build(self, input_shape: Any = None) -> None:
        """Creates every weight; shapes depend only on the config."""
        self.backbone.build()
        self.loss_layer.build((None, None, self.backbone.d_model))
        # Built here too, though only evaluation calls it: Keras runs a
        # symbolic pass over the whole model before every `train_on_batch`
        # (and every `fit`/`evaluate`) while any sublayer is unbuilt.
        self.eval_loss_layer.build((None, None, self.backbone.d_model))
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """Hidden states `(batch, seq, d_model)` of the backbone."""
        return self.backbone(inputs, training=training)

    @property
    def item_embedding(self) -> keras.layers.ReversibleEmbedding:
        return self.backbone.item_embedding

    @property
    def time_encoder(self) -> Any:
        return self.backbone.time_encoder

    # -------------------------------------------------------- vocabulary
    def encode_items(self, ids: Any) -> np.ndarray:
        """Raw item ids -> indices `1..num_items` (int64, same shape);
        unknown ids raise a ValueError naming them. Without a vocabulary
        the ids are indices already and are only range-checked."""
        if self._vocabulary is None:
            return check_indices(ids, self.num_items, "item ids")
        return self._vocabulary.encode(ids)

    def decode_items(self, indices: Any) -> np.ndarray:
        """Indices -> raw item ids (`None` for index 0, "no item"); without
        a vocabulary, the indices themselves."""
        if self._vocabulary is None:
            return np.asarray(indices, "int64")
        return self._vocabulary.decode(indices)

    # ------------------------------------------------------------ scoring
    def score_hidden(self, hidden: Any) -> Any:
        """Scores `(..., num_items + 1)` of user representations `hidden`."""
        # Against the whole table weight, which a `ModelParallel` layout
        # shards evenly; the rows `item_table_multiple` adds are cut after.
        logits = self.backbone.item_embedding(hidden, reverse=True)
        if self.backbone.item_table_rows > self.num_items + 1:
            logits = logits[..., : self.num_items + 1]
        return ops.cast(logits, "float32")

    def score(self, inputs: Any, exclude_seen: bool = True) -> Any:
        """Scores of every item for the next step after each history.

        Returns float32 `(batch, num_items + 1)`; column 0 (padding) and, with
        `exclude_seen`, the items of the history are `-inf`.
        """
        hidden = self(inputs, training=False)
        scores = self.score_hidden(hidden[:, -1, :])
        item_ids = self.backbone.unpack(inputs)[0]
        if exclude_seen:
            return exclude_items(scores, item_ids)
        return exclude_items(scores, ops.zeros_like(item_ids[:, :1]))

    def serve_top_k(
        self, inputs: Any, k: int | None = None, exclude_seen: bool = True
    ) -> tuple[Any, Any]:
        """Top-`k` item indices and scores of a batch of model inputs, in
        `keras.ops` only (traceable: `predict` and the serving export use
        it). Every item of `inputs["item_ids"]` is excluded with
        `exclude_seen`, also those older than `max_len`."""
        k = self.top_k if k is None else k
        hidden = self(inputs, training=False)
        item_ids = inputs["item_ids"] if isinstance(inputs, dict) else inputs
        return chunked_top_k(
            hidden[:, -1, :],
            self.backbone.embeddings,
            k,
            item_ids if exclude_seen else None,
            self.score_chunk_size,
        )

    def item_embeddings(self) -> np.ndarray:
        """The item table as numpy `(num_items, d_model)`, without the
        padding row: row `i` is item index `i + 1` (raw id
        `item_vocabulary[i]`). Scores are dot products with the model's
        user vectors, so the table can go into an external ANN index."""
        return ops.convert_to_numpy(self.backbone.embeddings)[1:]

    # --------------------------------------------------- Keras entry points
    def compile(self, optimizer: Any = "rmsprop", **kwargs: Any) -> None:
        """`keras.Model.compile`. An AdamW optimizer leaves biases, norm
        scales and embedding tables out of weight decay (the usual practice
        for Transformers): see `no_weight_decay_variables`."""
        optimizer = keras.optimizers.get(optimizer)
        if (
            isinstance(optimizer, keras.optimizers.AdamW)
            and self.built
            and not optimizer.built
        ):
            optimizer.exclude_from_weight_decay(
                var_list=self.no_weight_decay_variables()
            )
        super().compile(optimizer=optimizer, **kwargs)
        # Keras weighs each step's loss by the rows of its batch; rows that
        # only pad a batch (for the devices) must not count. Set as
        # `Trainer.compile` sets it: outside Keras' attribute tracking.
        object.__setattr__(self, "_loss_tracker", RealRowsLoss(name="loss"))

    @classmethod
    def get_layout_map(
        cls,
        device_mesh: keras.distribution.DeviceMesh,
        model_parallel_dim_name: str = "model",
    ) -> keras.distribution.LayoutMap:
        """A `keras.distribution.LayoutMap` that shards the item table.

        The rows of the item table (and so the scores tied to it, and the
        optimizer's slots of the table) are split over the
        `model_parallel_dim_name` axis of `device_mesh`; every other weight
        is replicated. In a recommender the table is nearly all of the
        weights (`num_items x d_model` against a few blocks of `d_model^2`),
        so sharding it is what lets a catalogue outgrow one device; the
        blocks are too small to be worth the collectives. Build the model
        with `item_table_multiple` a multiple of that axis's size, so that
        the shards divide the table. Like keras-hub's
        `Backbone.get_layout_map`: pass the map to
        `keras.distribution.ModelParallel` and build the model under that
        distribution.

        Example:

        ```python
        mesh = keras.distribution.DeviceMesh(
            (2, 4), ["batch", "model"], keras.distribution.list_devices()
        )
        layout_map = SequentialRecommender.get_layout_map(mesh)
        keras.distribution.set_distribution(
            keras.distribution.ModelParallel(
                layout_map=layout_map, batch_dim_name="batch"
            )
        )
        model = SequentialRecommender(num_items=..., item_table_multiple=32)
        ```
        """
        if model_parallel_dim_name not in device_mesh.axis_names:
            raise ValueError(
                "`model_parallel_dim_name` must name an axis of "
                f"`device_mesh` {list(device_mesh.axis_names)}. Received: "
                f"model_parallel_dim_name={model_parallel_dim_name!r}"
            )
        layout_map = keras.distribution.LayoutMap(device_mesh)
        layout_map[".*item_embedding/embeddings"] = (
            model_parallel_dim_name,
            None,
        )
        return layout_map

    def compile_from_config(self, config: dict) -> None:
        # Keras skips compiling on load when `compile` is overridden; this
        # is its own code, through the override above (so a loaded AdamW
        # again leaves the same weights out of decay).
        config = keras.saving.deserialize_keras_object(config)
        self.compile(**config)
        if getattr(self, "optimizer", None) is not None and self.built:
            self.optimizer.build(self.trainable_variables)

    def no_weight_decay_variables(self) -> list:
        """The weights AdamW does not decay, chosen by structure rather
        than by name: every weight of rank < 2 (norm scales, biases), every
        layer's `bias` (attention biases have rank 2: heads x head size)
        and every table of an embedding layer (items, learned positions).
        What is decayed are the matmul kernels."""
        skip = set()
        # Keras has no public recursive walk over sublayers.
        for layer in self._flatten_layers(include_self=False):
            if isinstance(layer, keras.layers.Embedding):
                skip.update(id(weight) for weight in layer.weights)
            if getattr(layer, "bias", None) is not None:
                skip.add(id(layer.bias))
        return [
            v
            for v in self.trainable_variables
            if len(v.shape) < 2 or id(v) in skip
        ]

    def fit(self, x: Any = None, y: Any = None, **kwargs: Any) -> Any:
        """`keras.Model.fit`, after checking the data's item indices
        against the catalogue and sizing a preset's learning-rate
        schedule from this call's steps per epoch and epochs. With a
        weight average (`use_ema`), validation and the weights `fit` ends
        with are the average's (`keras.callbacks.SwapEMAWeights` is added
        unless `callbacks` has one), and its momentum is capped for short
        fits (`fit_sized_ema_momentum`). (Under
        TensorFlow, first `keras_rec_tx.utils.restore_malloc_thresholds`:
        feeding `SequenceBatches` otherwise doubles a step's CPU time.)"""
        restore_malloc_thresholds()
        self._check_data(x, y, "fit")
        validation = kwargs.get("validation_data")
        if validation is not None:
            if isinstance(validation, tuple):
                self._check_data(validation[0], validation[1], "validation")
            else:
                self._check_data(validation, None, "validation")
        steps = self._fit_steps(x, kwargs)
        unsized = self._size_schedule(steps, kwargs)
        unsized += self._size_weight_average(steps, kwargs)
        if unsized:
            warnings.warn(
                "fit cannot tell its steps per epoch (pass steps_per_epoch=):"
                f" {' and '.join(unsized)} keep the size they have.",
                stacklevel=2,
            )
        self._build_optimizer()  # before TensorFlow traces the train step
        history = super().fit(x, y, **kwargs)
        self._unshare_weight_average()
        return history

    def train_on_batch(self, *args: Any, **kwargs: Any) -> Any:
        """`keras.Model.train_on_batch`, after building the optimizer
        (under TensorFlow: one trace of the train step, as in `fit`)."""
        self._build_optimizer()
        return super().train_on_batch(*args, **kwargs)

    def evaluate(self, x: Any = None, y: Any = None, **kwargs: Any) -> Any:
        """`keras.Model.evaluate`, after checking the item indices (and
        `keras_rec_tx.utils.restore_malloc_thresholds`, as `fit`)."""
        restore_malloc_thresholds()
        self._check_data(x, y, "evaluate")
        return super().evaluate(x, y, **kwargs)

    def predict(
        self, x: Any, batch_size: int | None = None, **kwargs: Any
    ) -> dict[str, np.ndarray]:
        """Top-`top_k` recommendations for every history of `x`.

        `x` is what `evaluate` takes: left-padded index arrays (or dicts of
        them), or `SequenceBatches`. Returns a dict of numpy arrays:
        `"item_ids"` (indices, int32) and `"scores"`, `(num_histories,
        top_k)`, history items excluded. Rows follow the input order; for
        `SequenceBatches` (which group users by length) they follow the
        users' order, and `"users"` lists the (0-based) user of each row.
        Use `recommend` for raw ids. (`keras.Model.predict`'s step is
        backend-specific to override; this loop runs `serve_top_k`, the
        function the serving export traces, on every backend. Other
        `keras.Model.predict` arguments are accepted and ignored.)
        """
        self._check_data(x, None, "predict")
        users = None
        if hasattr(x, "batch_users"):
            per_batch = [x.batch_users(i) for i in range(len(x))]
            users = np.concatenate(per_batch)
            # Rows past a batch's users only pad it (for the devices).
            batches = (
                {k: v[: len(u)] for k, v in x[i][0].items()}
                for i, u in enumerate(per_batch)
            )
        else:
            size = check_int("batch_size", batch_size or 32, minimum=1)
            rows = _num_rows(x)
            if rows is None:
                raise TypeError(
                    "`predict` takes index arrays (or a dict of them) or "
                    f"SequenceBatches. Received: {type(x).__name__}"
                )
            batches = (
                {k: v[i : i + size] for k, v in x.items()}
                if isinstance(x, dict)
                else x[i : i + size]
                for i in range(0, rows, size)
            )
        ids, scores = [], []
        for batch in batches:
            top_ids, top_scores = self.serve_top_k(batch)
            ids.append(ops.convert_to_numpy(top_ids))
            scores.append(ops.convert_to_numpy(top_scores))
        out = {
            "item_ids": np.concatenate(ids),
            "scores": np.concatenate(scores),
        }
        if users is not None:
            order = np.argsort(users, kind="stable")
            out = {key: value[order] for key, value in out.items()}
            out["users"] = users[order].astype("int64")
        return out

    def export(
        self, filepath: str, format: str = "tf_saved_model", **kwargs: Any
    ) -> Any:  # noqa: A002 - keras' own argument name
        """Exports the top-`k` serving function, not the hidden states:
        `keras_rec_tx.serving.export(self, filepath, format=format,
        **kwargs)` (`k` defaults to `top_k`)."""
        # The serving face builds on this model, so it is imported here.
        from keras_rec_tx import serving

        kwargs.setdefault("k", self.top_k)
        return serving.export(self, filepath, format=format, **kwargs)

    def save(self, filepath: str, *args: Any, **kwargs: Any) -> None:
        """`keras.Model.save`, written atomically: a `.keras` file is
        written beside `filepath` and moved over it, so a killed save
        never leaves a broken model. Only `.keras` files are accepted
        (they round-trip on every backend)."""
        path = str(filepath)
        if not path.endswith(".keras"):
            raise ValueError(
                "Save models as `.keras` files (the legacy `.h5` format "
                "cannot load this model back). Received: "
                f"filepath={path!r}"
            )
        with atomic_path(path) as tmp:
            super().save(tmp, *args, **kwargs)

    def _check_data(self, x: Any, y: Any, what: str) -> None:
        """Item indices of `x`/`y` within the catalogue, before any step."""
        limit = getattr(x, "max_item_index", None)
        if limit is None and hasattr(x, "split"):
            limit = x.split.interactions.num_items
        if limit is not None:
            if limit > self.num_items:
                raise ValueError(
                    f"{what}: the data has item indices up to {limit}, but "
                    f"this model's catalogue has num_items={self.num_items}."
                    " Build the model for the data: keras_rec_tx.zoo.get("
                    "name, data=interactions) or num_items=data.num_items."
                )
            return
        arrays = dict(x) if isinstance(x, dict) else {"item_ids": x}
        arrays["targets"] = y
        for name in ("item_ids", "candidates", "targets"):
            value = arrays.get(name)
            if isinstance(value, (np.ndarray, list)):
                check_indices(
                    np.asarray(value), self.num_items, f"{what} {name}"
                )
        items = arrays["item_ids"]
        if isinstance(y, (np.ndarray, list)) and np.ndim(y) == 1:
            if isinstance(items, (np.ndarray, list)) and np.ndim(items) == 2:
                # Target 0 marks a row that only pads a batch (no history):
                # it counts in no metric. With a history it is a mistake
                # that would silently drop the user from the metrics.
                has_history = (np.asarray(items) > 0).any(axis=1)
                bad = np.flatnonzero((np.asarray(y) == 0) & has_history)
                if bad.size:
                    raise ValueError(
                        f"{what}: rows {bad[:10].tolist()} have a history "
                        "but target 0 (0 is padding, and such a row counts "
                        "in no metric). Give every history its held-out "
                        "item 1..num_items, or drop those rows."
                    )

    def _build_optimizer(self) -> None:
        # Keras' TensorFlow trainer, unlike its JAX and PyTorch ones, leaves
        # the optimizer's variables to the first trace of the train step
        # when no tf.distribute strategy is set; tf.function then traces
        # the step a second time, as it does any function that created
        # variables (and the model's, if it is not built). Building both
        # here makes that one trace.
        optimizer = getattr(self, "optimizer", None)
        if (
            keras.backend.backend() != "tensorflow"
            or optimizer is None
            or optimizer.built
        ):
            return
        with self.distribute_strategy.scope():
            if not self.built:
                self.build()  # builds every weight; needs no input shape
            optimizer.build(self.trainable_variables)

    def _fit_steps(self, x: Any, kwargs: dict[str, Any]) -> int | None:
        """Steps per epoch of a `fit(x, **kwargs)` call, None if unknown."""
        steps = kwargs.get("steps_per_epoch")
        rows = _num_rows(x)
        if steps is None and rows is not None:
            steps = -(-rows // (kwargs.get("batch_size") or 32))
        elif steps is None and hasattr(x, "__len__"):
            steps = len(x)  # a PyDataset such as SequenceBatches
        return None if steps is None else int(steps)

    def _size_schedule(
        self, steps: int | None, kwargs: dict[str, Any]
    ) -> list[str]:
        """Sizes a `FitSizedSchedule` to this fit; names it if it cannot."""
        schedule = getattr(self.optimizer, "_learning_rate", None)
        if not isinstance(schedule, FitSizedSchedule) or schedule.fixed:
            return []
        if steps is None:
            return ["the learning-rate schedule"]
        if schedule.resize(steps, int(kwargs.get("epochs", 1))):
            # Compiled train functions baked the old schedule in.
            self.train_function = None
        return []

    def _size_weight_average(
        self, steps: int | None, kwargs: dict[str, Any]
    ) -> list[str]:
        """Caps an EMA's momentum for this fit and has validation score the
        average; names the average if it cannot size it."""
        optimizer = getattr(self, "optimizer", None)
        if not getattr(optimizer, "use_ema", False):
            return []
        # The momentum the optimizer was made with, kept across fits.
        if not hasattr(optimizer, "_requested_ema_momentum"):
            optimizer._requested_ema_momentum = optimizer.ema_momentum
        momentum = optimizer._requested_ema_momentum
        if steps is not None:
            total = steps * int(kwargs.get("epochs", 1))
            momentum = fit_sized_ema_momentum(momentum, total)
        if momentum != optimizer.ema_momentum:
            optimizer.ema_momentum = momentum
            self.train_function = None  # the momentum is traced in
        callbacks = list(kwargs.get("callbacks") or [])
        if not any(
            isinstance(c, keras.callbacks.SwapEMAWeights) for c in callbacks
        ):
            # First, so that early stopping and checkpoints see the average.
            swap = keras.callbacks.SwapEMAWeights(swap_on_epoch=True)
            kwargs["callbacks"] = [swap, *callbacks]
        return [] if steps is not None else ["the weight average's momentum"]

    def _unshare_weight_average(self) -> None:
        # Keras ends a fit with an average by assigning each average to
        # its weight, and under JAX both then hold one buffer: the next
        # train step donates it twice and fails ("Attempt to donate the
        # same buffer twice", Keras 3.15, a second fit or train_on_batch).
        # A copy of each average gives it its own.
        optimizer = getattr(self, "optimizer", None)
        if keras.backend.backend() != "jax" or not getattr(
            optimizer, "use_ema", False
        ):
            return
        for average in optimizer._model_variables_moving_average:
            if average is not None:
                average.assign(ops.copy(average))

    # ---------------------------------------------------- training / metrics
    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        item_ids = self.backbone.unpack(x)[0]
        hidden = y_pred
        embeddings = self.backbone.embeddings
        if len(y.shape) == 1:
            # Evaluation batch: full-softmax loss of the held-out item.
            targets = ops.cast(y, "int32")[:, None]
            hidden_used = hidden[:, -1:, :]
            user_mask = ops.ones_like(targets, dtype="bool")
            loss = self.eval_loss_layer(hidden_used, targets, embeddings)
            present = ops.not_equal(targets[:, 0], 0)
        else:
            if training and self.item_dropout > 0:
                embeddings = self.backbone.item_table_dropout(
                    embeddings, training=True
                )
            targets = ops.cast(y, "int32")[:, -self.max_len :]
            if sample_weight is not None and len(sample_weight.shape) == 2:
                # Cut like the inputs when the batches are longer than
                # max_len (per-position token weights).
                sample_weight = sample_weight[:, -self.max_len :]
            hidden_used = hidden
            user_mask = ops.not_equal(item_ids, 0)
            present = ops.any(ops.not_equal(targets, 0), axis=1)
            # Training batches may weigh their sequences (bucketed batches
            # do, see `SequenceBatches(token_weighting=...)`).
            loss = self.loss_layer(
                hidden,
                targets,
                embeddings,
                mask=ops.not_equal(targets, 0),
                sample_weight=sample_weight,
            )
        total = [ops.cast(loss, "float32")]
        if self.user_norm_penalty is not None:
            penalty = self.user_norm_penalty(hidden_used, mask=user_mask)
            total.append(ops.cast(penalty, "float32"))
        # Regularizer and `add_loss` losses of every layer must be kept.
        for extra in self.losses:
            total.append(ops.cast(ops.sum(extra), "float32"))
        # Metrics that need the item table are updated here: under JAX only
        # `compute_loss` sees the model's variables.
        self._update_metrics(x, y, hidden, item_ids, sample_weight)
        total = ops.sum(ops.stack(total))
        if isinstance(self._loss_tracker, RealRowsLoss):
            rows = ops.sum(ops.cast(present, "float32"))
            self._loss_tracker.record(total, rows)
        return total

    def _update_metrics(
        self, x: Any, y: Any, hidden: Any, item_ids: Any, sample_weight: Any
    ) -> None:
        hidden = ops.cast(hidden, "float32")
        norms = ops.sqrt(ops.sum(ops.square(hidden), axis=-1))
        if len(y.shape) != 1:
            mask = ops.cast(ops.not_equal(item_ids, 0), "float32")
            self.user_norm_tracker.update_state(norms, sample_weight=mask)
            return
        # A row without a target (0) is padding of the batch (to a multiple
        # of the devices, see `SequenceBatches`), not a user: weight 0.
        sample_weight = row_weight(y, sample_weight)
        self.user_norm_tracker.update_state(
            norms[:, -1], sample_weight=sample_weight
        )
        candidates = x.get("candidates") if isinstance(x, dict) else None
        if candidates is None and self.num_items + 1 > self.score_chunk_size:
            # A catalogue larger than one chunk: the target's rank over the
            # chunks, never the whole (batch, catalogue) score matrix.
            rank = chunked_target_rank(
                hidden[:, -1, :],
                self.backbone.embeddings,
                y,
                item_ids,
                self.score_chunk_size,
            )
            for metric in self.ranking_metrics:
                metric.update_state_from_rank(rank, sample_weight)
            return
        scores = self.score_hidden(hidden[:, -1, :])
        inputs = dict(x) if isinstance(x, dict) else {}
        # The truncated history the model read is what it excludes.
        inputs["item_ids"] = item_ids
        update_ranking_metrics(
            self.ranking_metrics, inputs, y, scores, sample_weight
        )

    def compute_metrics(
        self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None
    ) -> dict:
        # Updated in `compute_loss`; report the ranking metrics only for
        # evaluation batches (training batches have no held-out item).
        if len(y.shape) == 1:
            return self.get_metrics_result()
        return {
            "loss": self._loss_tracker.result(),
            "user_norm": self.user_norm_tracker.result(),
        }

    # ------------------------------------------------------------- config
    def get_config(self) -> dict:
        # One flat dict (as a preset file holds it): the backbone's
        # arguments next to the task's.
        config = super().get_config()
        backbone = self.backbone.get_config()
        config.update({key: backbone[key] for key in _BACKBONE_ARGS})
        config.update(
            {
                "item_vocabulary": self.item_vocabulary,
                "loss": self.loss_name,
                "loss_config": self.loss_config,
                "user_norm_penalty": (
                    keras.saving.serialize_keras_object(self.user_norm_penalty)
                    if self.user_norm_penalty is not None
                    else None
                ),
                "eval_ks": list(self.eval_ks),
                "top_k": self.top_k,
                "score_chunk_size": self.score_chunk_size,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict) -> SequentialRecommender:
        return cls(**config)


for _name in _BACKBONE_ARGS[1:]:
    # The backbone's config (max_len, d_model, time_encoding, ...) reads as
    # the model's own, as before the backbone/task split.
    setattr(
        SequentialRecommender,
        _name,
        property(lambda self, name=_name: getattr(self.backbone, name)),
    )


# A weight average's horizon, 1 / (1 - momentum) steps, is at most this
# share of the fit's steps.
EMA_HORIZON_SHARE = 0.1


def fit_sized_ema_momentum(momentum: float, total_steps: int) -> float:
    """`momentum` of a weight average, capped so that its horizon is at
    most a tenth of a fit's `total_steps`: `min(momentum, 1 - 10 /
    total_steps)`, and at least 0 (no averaging).

    Keras's average (`use_ema`) starts at the first step's weights, which
    still weigh `momentum ** total_steps` at the end: 0.92 after the 80
    steps of a short fit at 0.999 (nearly untrained weights), at most
    e^-10 under the cap. Long fits keep the preset's momentum: 0.999 is
    below the cap from 10,000 steps on (Beauty's 70 epochs are 12,250).

    >>> fit_sized_ema_momentum(0.999, 12_250)
    0.999
    >>> round(fit_sized_ema_momentum(0.999, 80), 3)
    0.875
    """
    cap = 1.0 - 1.0 / (EMA_HORIZON_SHARE * max(int(total_steps), 1))
    return max(0.0, min(float(momentum), cap))


def _num_rows(x: Any) -> int | None:
    """Rows of an array (or dict of arrays) input, else None."""
    if isinstance(x, dict):
        x = next(iter(x.values()), None)
    return len(x) if isinstance(x, np.ndarray) else None
