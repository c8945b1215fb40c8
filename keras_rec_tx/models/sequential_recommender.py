"""The one `keras.Model` of the zoo: a causal Transformer over item ids."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_rec_tx import losses as losses_lib
from keras_rec_tx.data.interactions import TIME_ORIGIN
from keras_rec_tx.layers.hybrid_timestamp_encoding import (
    HybridTimestampEncoding,
)
from keras_rec_tx.layers.random_item_replacement import (
    RandomItemReplacement,
)
from keras_rec_tx.layers.rms_norm import RMSNorm
from keras_rec_tx.layers.transformer_block import TransformerBlock
from keras_rec_tx.metrics.exclude_items import exclude_items
from keras_rec_tx.metrics.mrr import MRR
from keras_rec_tx.metrics.ndcg_at_k import NDCGAtK
from keras_rec_tx.metrics.recall_at_k import RecallAtK
from keras_rec_tx.regularizers.norm_penalty import NormPenalty

POSITIONS = ("learned", "rope", "rope+learned", "none")
TIME_ENCODINGS = (None, "hybrid", "absolute", "relative")


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class SequentialRecommender(keras.Model):
    """Causal Transformer next-item recommender (SASRec family).

    Item embeddings (tied with the output scores), positions
    (`learned`, `rope`, `rope+learned` or `none`), an optional timestamp
    encoding, `num_blocks` Transformer blocks and a final norm. `call`
    returns the user representation at every position, shape
    `(batch, seq, d_model)`; `score` turns the last one into scores over the
    whole catalogue and `recommend` into top-k item indices.

    Inputs are left-padded item indices (`0` = padding, items `1..num_items`)
    as an int array `(batch, seq)`, or a dict with `"item_ids"` and, for
    time-aware models, `"timestamps"` and `"query_timestamps"` (int32 seconds
    since `keras_rec_tx.data.TIME_ORIGIN`, as `Interactions.batches` feeds
    them; `recommend` takes raw unix seconds). Sequences longer than
    `max_len` are cut to their newest `max_len` items.

    Training batches are `(x, y)` with `y` of shape `(batch, seq)`: the next
    item at every position (`0` = no target); the loss is
    `loss` (`"sampled_softmax"`, `"softmax"`, `"bce"` or `"gbce"`, see
    `keras_rec_tx.losses`). Evaluation batches have `y` of shape `(batch,)`:
    the held-out item after the history; `evaluate` then reports Recall@K
    (= HR@K), NDCG@K for each K in `eval_ks` and MRR over the full catalogue,
    items of the history excluded, or over `x["candidates"]` (column 0 = the
    target) for the sampled protocol. Every step reports `user_norm`, the mean
    L2 norm of the user representation.

    Args:
        num_items: number of items; indices run `1..num_items`.
        max_len: longest history the model reads.
        d_model: width of the embeddings and blocks.
        num_blocks: number of Transformer blocks.
        num_heads: attention heads.
        d_ff: hidden width of the feed-forward network (GLU hidden width for
            `swiglu`/`geglu`). Defaults to `4 * d_model`.
        position: `"learned"`, `"rope"`, `"rope+learned"` or `"none"`.
        norm: `"layernorm"` or `"rmsnorm"`.
        ffn: `"relu"`, `"gelu"`, `"swiglu"` or `"geglu"`.
        use_bias: biases in attention, FFN and norms.
        arrangement: `"serial"` or `"parallel"` blocks.
        norm_position: `"pre"`, `"post"` or `"sasrec"` (see
            `keras_rec_tx.layers.TransformerBlock`).
        dropout: dropout rate on embeddings and inside the blocks.
        time_encoding: `None`, `"hybrid"`, `"absolute"` or `"relative"`.
        loss: loss name for `keras_rec_tx.losses.get`.
        loss_config: keyword arguments of that loss.
        user_norm_penalty: a `keras_rec_tx.regularizers.NormPenalty` (or its
            config dict) applied to the user representation at non-padding
            positions, or `None`.
        eval_ks: cut-offs of the ranking metrics.
        scale_embeddings: multiply item embeddings by `sqrt(d_model)`.
        rope_max_wavelength: RoPE base wavelength.
        attend_to_padding: let queries attend to the padded positions too
            (the stream there is zero, so their keys and values are the
            projection biases): a learned "attend to nothing" slot whose
            weight grows with the padding. RecTools' SASRec and the SASRec
            PyTorch port work this way (no key padding mask); `False`
            masks padded keys, as the SASRec paper's code does.
        item_dropout: dropout rate on the item embedding table during
            training, on both sides of the dot product: the history's
            item vectors and the table the loss scores against (RecTools'
            SASRec drops out the table this way; its input items also
            pass `dropout`). The two sides draw independent masks; the
            scoring side costs `num_items * d_model` random draws per
            training step. `0` turns it off.
        embeddings_initializer: a Keras initializer (name, config or
            instance) of the item and position embeddings; `None` is a
            truncated normal with standard deviation 0.02. RecTools uses
            `"glorot_normal"` (Xavier normal, so its scale depends on each
            table's shape).
        item_replacement: probability that a history item is replaced by
            a uniformly random item during training (the item side of
            stochastic shared embeddings, as SSE-PT applies it to
            SASRec; see `keras_rec_tx.layers.RandomItemReplacement`). The
            targets are not replaced. `0` turns it off.
        seed: seed of dropout and negative sampling.

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
        max_len: int = 50,
        d_model: int = 64,
        num_blocks: int = 2,
        num_heads: int = 1,
        d_ff: int | None = None,
        position: str = "learned",
        norm: str = "layernorm",
        ffn: str = "gelu",
        use_bias: bool = True,
        arrangement: str = "serial",
        norm_position: str = "pre",
        dropout: float = 0.2,
        time_encoding: str | None = None,
        loss: str = "sampled_softmax",
        loss_config: dict | None = None,
        user_norm_penalty: NormPenalty | dict | None = None,
        eval_ks: Sequence[int] = (10, 50),
        scale_embeddings: bool = True,
        rope_max_wavelength: float = 10000.0,
        attend_to_padding: bool = False,
        item_dropout: float = 0.0,
        embeddings_initializer: Any = None,
        item_replacement: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        _check_positive_int("num_items", num_items)
        _check_positive_int("max_len", max_len)
        _check_positive_int("d_model", d_model)
        _check_positive_int("num_blocks", num_blocks)
        _check_positive_int("num_heads", num_heads)
        if position not in POSITIONS:
            raise ValueError(
                f"`position` must be one of {POSITIONS}. "
                f"Received: position={position!r}"
            )
        if time_encoding not in TIME_ENCODINGS:
            raise ValueError(
                f"`time_encoding` must be one of {TIME_ENCODINGS}. "
                f"Received: time_encoding={time_encoding!r}"
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(
                f"`dropout` must be in [0, 1). Received: dropout={dropout}"
            )
        if not 0.0 <= item_dropout < 1.0:
            raise ValueError(
                "`item_dropout` must be in [0, 1). "
                f"Received: item_dropout={item_dropout}"
            )
        if not 0.0 <= item_replacement < 1.0:
            raise ValueError(
                "`item_replacement` must be in [0, 1). "
                f"Received: item_replacement={item_replacement}"
            )
        if isinstance(user_norm_penalty, dict):
            user_norm_penalty = keras.saving.deserialize_keras_object(
                user_norm_penalty
            )
        self.num_items = int(num_items)
        self.max_len = int(max_len)
        self.d_model = int(d_model)
        self.num_blocks = int(num_blocks)
        self.num_heads = int(num_heads)
        self.d_ff = int(d_ff) if d_ff is not None else 4 * self.d_model
        self.position = position
        self.norm = norm
        self.ffn = ffn
        self.use_bias = use_bias
        self.arrangement = arrangement
        self.norm_position = norm_position
        self.dropout = dropout
        self.time_encoding = time_encoding
        self.loss_name = loss
        self.loss_config = dict(loss_config or {})
        self.user_norm_penalty = user_norm_penalty
        self.eval_ks = tuple(int(k) for k in eval_ks)
        self.scale_embeddings = scale_embeddings
        self.rope_max_wavelength = rope_max_wavelength
        self.attend_to_padding = bool(attend_to_padding)
        self.item_dropout = float(item_dropout)
        self.embeddings_initializer = embeddings_initializer
        self.item_replacement = float(item_replacement)
        self.seed = seed

        def initializer():
            if embeddings_initializer is None:
                return keras.initializers.TruncatedNormal(
                    stddev=0.02, seed=seed
                )
            return keras.initializers.get(embeddings_initializer)

        self.item_embedding = keras.layers.ReversibleEmbedding(
            self.num_items + 1,
            self.d_model,
            embeddings_initializer=initializer(),
            dtype=self.dtype_policy,
            name="item_embedding",
        )
        self.position_embedding = None
        if position in ("learned", "rope+learned"):
            self.position_embedding = keras.layers.Embedding(
                self.max_len,
                self.d_model,
                embeddings_initializer=initializer(),
                dtype=self.dtype_policy,
                name="position_embedding",
            )
        self.time_encoder = None
        if time_encoding is not None:
            self.time_encoder = HybridTimestampEncoding(
                self.d_model,
                mode=time_encoding,
                dtype=self.dtype_policy,
                name="time_encoding",
            )
        self.embedding_dropout = keras.layers.Dropout(
            dropout, seed=seed, dtype=self.dtype_policy
        )
        self.item_table_dropout = keras.layers.Dropout(
            self.item_dropout,
            seed=None if seed is None else seed + 1,
            dtype=self.dtype_policy,
            name="item_dropout",
        )
        self.input_item_replacement = RandomItemReplacement(
            self.num_items,
            self.item_replacement,
            seed=None if seed is None else seed + 2,
            name="item_replacement",
        )
        self.blocks = [
            TransformerBlock(
                num_heads=self.num_heads,
                d_ff=self.d_ff,
                norm=norm,
                ffn=ffn,
                use_bias=use_bias,
                arrangement=arrangement,
                norm_position=norm_position,
                use_rope=position in ("rope", "rope+learned"),
                rope_max_wavelength=rope_max_wavelength,
                dropout=dropout,
                dtype=self.dtype_policy,
                name=f"block_{i}",
            )
            for i in range(self.num_blocks)
        ]
        self.final_norm = None
        if norm_position in ("pre", "sasrec"):
            self.final_norm = _make_norm(norm, use_bias, self.dtype_policy)
        self.loss_layer = losses_lib.get(
            loss, num_items=self.num_items, seed=seed, **self.loss_config
        )
        # Loss of evaluation batches (the held-out item, full catalogue).
        self.eval_loss_layer = losses_lib.FullSoftmaxLoss(
            num_items=self.num_items, name="eval_loss"
        )
        self.user_norm_tracker = keras.metrics.Mean(name="user_norm")
        self.ranking_metrics = []
        for k in self.eval_ks:
            self.ranking_metrics.append(RecallAtK(k))
            self.ranking_metrics.append(NDCGAtK(k))
        self.ranking_metrics.append(MRR())

    # ------------------------------------------------------------------ build
    def build(self, input_shape: Any = None) -> None:
        """Creates every weight; shapes depend only on the config."""
        hidden_shape = (None, None, self.d_model)
        self.item_embedding.build((None, None))
        if self.position_embedding is not None:
            self.position_embedding.build((None, None))
        if self.time_encoder is not None:
            self.time_encoder.build((None, None))
        for block in self.blocks:
            block.build(hidden_shape)
        if self.final_norm is not None:
            self.final_norm.build(hidden_shape)
        self.loss_layer.build(hidden_shape)
        self.built = True

    # ------------------------------------------------------------------- call
    def call(self, inputs: Any, training: bool | None = None) -> Any:
        item_ids, times, query_times = self._unpack(inputs)
        mask = ops.not_equal(item_ids, 0)
        length = ops.shape(item_ids)[1]
        x = self.item_embedding(
            self.input_item_replacement(item_ids, training=training)
        )
        if self.item_dropout > 0:
            x = self.item_table_dropout(x, training=training)
        if self.scale_embeddings:
            x = x * ops.cast(math.sqrt(self.d_model), x.dtype)
        # Left padding: the newest item always sits at index max_len - 1, so
        # learned positions count back from the end of the sequence.
        positions = ops.arange(length, dtype="int32") + (self.max_len - length)
        if self.position_embedding is not None:
            x = x + self.position_embedding(positions)[None, :, :]
        if self.time_encoder is not None:
            x = x + self.time_encoder(times, query_times, mask=mask)
        x = self.embedding_dropout(x, training=training)
        float_mask = ops.cast(mask, x.dtype)[:, :, None]
        x = x * float_mask
        rope_positions = ops.broadcast_to(
            positions[None, :], ops.shape(item_ids)
        )
        key_mask = None if self.attend_to_padding else mask
        for block in self.blocks:
            x = block(
                x,
                padding_mask=key_mask,
                positions=rope_positions,
                training=training,
            )
            x = x * float_mask
        if self.final_norm is not None:
            x = self.final_norm(x) * float_mask
        return x

    def _unpack(self, inputs: Any) -> tuple[Any, Any, Any]:
        if isinstance(inputs, dict):
            if "item_ids" not in inputs:
                raise ValueError(
                    "Dict inputs must have an 'item_ids' entry. "
                    f"Received keys: {sorted(inputs)}"
                )
            item_ids = inputs["item_ids"]
            times = inputs.get("timestamps")
            query_times = inputs.get("query_timestamps")
        else:
            item_ids, times, query_times = inputs, None, None
        if len(item_ids.shape) != 2:
            raise ValueError(
                "`item_ids` must have shape (batch, seq). "
                f"Received: shape={tuple(item_ids.shape)}"
            )
        item_ids = ops.cast(item_ids[:, -self.max_len :], "int32")
        if self.time_encoder is not None:
            if times is None:
                raise ValueError(
                    f"This model uses time_encoding={self.time_encoding!r} "
                    "and needs inputs['timestamps'] (int seconds, shape "
                    "(batch, seq)). Load data with a time column, or use a "
                    "model without time_encoding."
                )
            times = times[:, -self.max_len :]
            if query_times is not None:
                query_times = query_times[:, -self.max_len :]
        return item_ids, times, query_times

    # ---------------------------------------------------------------- scoring
    def score_hidden(self, hidden: Any) -> Any:
        """Scores `(..., num_items + 1)` of user representations `hidden`."""
        logits = self.item_embedding(hidden, reverse=True)
        return ops.cast(logits, "float32")

    def score(self, inputs: Any, exclude_seen: bool = True) -> Any:
        """Scores of every item for the next step after each history.

        Returns float32 `(batch, num_items + 1)`; column 0 (padding) and, with
        `exclude_seen`, the items of the history are `-inf`.
        """
        hidden = self(inputs, training=False)
        scores = self.score_hidden(hidden[:, -1, :])
        item_ids = self._unpack(inputs)[0]
        if exclude_seen:
            return exclude_items(scores, item_ids)
        return exclude_items(scores, ops.zeros_like(item_ids[:, :1]))

    def recommend(
        self,
        histories: Any,
        k: int = 10,
        exclude_seen: bool = True,
        timestamps: Any = None,
        query_timestamps: Any = None,
        batch_size: int = 512,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` next items for each history.

        Args:
            histories: a list of item-index lists (oldest first), or a
                left-padded int array `(batch, seq)` with `0` = padding.
                Histories longer than `max_len` use their newest items.
            k: how many items to return.
            exclude_seen: leave out items already in the history.
            timestamps: for time-aware models, the unix times (seconds) of
                the history items (same layout as `histories`).
            query_timestamps: request times (unix seconds), one per
                history; defaults to the time of the last history item.
            batch_size: rows scored at once.

        Returns:
            `(ids, scores)`, numpy arrays of shape `(batch, k)`, best first.
        """
        _check_positive_int("k", k)
        if k > self.num_items:
            raise ValueError(
                f"`k` must be at most num_items={self.num_items}. "
                f"Received: k={k}"
            )
        seen = _pad_left(histories, None, "histories")
        item_ids = seen[:, -self.max_len :]
        if seen.size and (seen.min() < 0 or seen.max() > self.num_items):
            bad = seen[(seen < 0) | (seen > self.num_items)]
            raise ValueError(
                f"Item indices must be in 1..{self.num_items} (0 = padding). "
                f"Received out-of-range ids: {sorted(set(bad.tolist()))[:10]}"
                ". Encode raw ids with Interactions.encode_items first."
            )
        inputs = {"item_ids": item_ids}
        if self.time_encoder is not None:
            if timestamps is None:
                raise ValueError(
                    "This model is time-aware: pass `timestamps` with the "
                    "same layout as `histories`."
                )
            times = _pad_left(timestamps, None, "timestamps")
            if times.shape != seen.shape:
                raise ValueError(
                    "`timestamps` must match `histories` in shape. Received: "
                    f"{times.shape} vs {seen.shape}"
                )
            times = times[:, -self.max_len :]
            mask = item_ids > 0
            # The data pipeline feeds seconds since TIME_ORIGIN (int32).
            times = _to_offsets(times, mask, "timestamps")
            if query_timestamps is None:
                query = np.roll(times, -1, axis=1)
                query[:, -1] = times[:, -1]
            else:
                query = np.roll(times, -1, axis=1)
                query[:, -1] = _to_offsets(
                    np.asarray(query_timestamps, "int64").reshape(-1),
                    np.ones(len(times), bool),
                    "query_timestamps",
                )
            query = np.where(mask, query, 0)
            inputs["timestamps"] = times
            inputs["query_timestamps"] = query
        out_ids, out_scores = [], []
        for start in range(0, len(item_ids), batch_size):
            batch = {
                key: value[start : start + batch_size]
                for key, value in inputs.items()
            }
            scores = self.score(batch, exclude_seen=False)
            if exclude_seen:
                # The whole history, also items older than max_len.
                scores = exclude_items(scores, seen[start : start + batch_size])
            top_scores, top_ids = ops.top_k(scores, k)
            out_ids.append(ops.convert_to_numpy(top_ids))
            out_scores.append(ops.convert_to_numpy(top_scores))
        if not out_ids:
            return np.zeros((0, k), "int32"), np.zeros((0, k), "float32")
        return np.concatenate(out_ids), np.concatenate(out_scores)

    # ---------------------------------------------------- training / metrics
    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        item_ids = self._unpack(x)[0]
        hidden = y_pred
        embeddings = self.item_embedding.embeddings
        if len(y.shape) == 1:
            # Evaluation batch: full-softmax loss of the held-out item.
            targets = ops.cast(y, "int32")[:, None]
            hidden_used = hidden[:, -1:, :]
            user_mask = ops.ones_like(targets, dtype="bool")
            loss = self.eval_loss_layer(hidden_used, targets, embeddings)
        else:
            if training and self.item_dropout > 0:
                embeddings = self.item_table_dropout(embeddings, training=True)
            targets = ops.cast(y, "int32")[:, -self.max_len :]
            hidden_used = hidden
            user_mask = ops.not_equal(item_ids, 0)
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
        return ops.sum(ops.stack(total))

    def _update_metrics(
        self, x: Any, y: Any, hidden: Any, item_ids: Any, sample_weight: Any
    ) -> None:
        hidden = ops.cast(hidden, "float32")
        norms = ops.sqrt(ops.sum(ops.square(hidden), axis=-1))
        if len(y.shape) != 1:
            mask = ops.cast(ops.not_equal(item_ids, 0), "float32")
            self.user_norm_tracker.update_state(norms, sample_weight=mask)
            return
        self.user_norm_tracker.update_state(norms[:, -1])
        scores = self.score_hidden(hidden[:, -1, :])
        candidates = x.get("candidates") if isinstance(x, dict) else None
        if candidates is not None:
            scores = ops.take_along_axis(
                scores, ops.cast(candidates, "int32"), axis=1
            )
            labels = ops.zeros_like(ops.cast(y, "int32"))
        else:
            scores = exclude_items(scores, item_ids)
            labels = ops.cast(y, "int32")
        for metric in self.ranking_metrics:
            metric.update_state(labels, scores, sample_weight)

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
        config = super().get_config()
        config.update(
            {
                "num_items": self.num_items,
                "max_len": self.max_len,
                "d_model": self.d_model,
                "num_blocks": self.num_blocks,
                "num_heads": self.num_heads,
                "d_ff": self.d_ff,
                "position": self.position,
                "norm": self.norm,
                "ffn": self.ffn,
                "use_bias": self.use_bias,
                "arrangement": self.arrangement,
                "norm_position": self.norm_position,
                "dropout": self.dropout,
                "time_encoding": self.time_encoding,
                "loss": self.loss_name,
                "loss_config": self.loss_config,
                "user_norm_penalty": (
                    keras.saving.serialize_keras_object(self.user_norm_penalty)
                    if self.user_norm_penalty is not None
                    else None
                ),
                "eval_ks": list(self.eval_ks),
                "scale_embeddings": self.scale_embeddings,
                "rope_max_wavelength": self.rope_max_wavelength,
                "attend_to_padding": self.attend_to_padding,
                "item_dropout": self.item_dropout,
                "embeddings_initializer": (
                    None
                    if self.embeddings_initializer is None
                    else keras.initializers.serialize(
                        keras.initializers.get(self.embeddings_initializer)
                    )
                ),
                "item_replacement": self.item_replacement,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict) -> SequentialRecommender:
        return cls(**config)


def _make_norm(norm: str, use_bias: bool, dtype: Any) -> keras.layers.Layer:
    if norm == "rmsnorm":
        return RMSNorm(dtype=dtype, name="final_norm")
    if norm == "layernorm":
        return keras.layers.LayerNormalization(
            epsilon=1e-6, center=use_bias, dtype=dtype, name="final_norm"
        )
    raise ValueError(
        f"`norm` must be 'layernorm' or 'rmsnorm'. Received: norm={norm!r}"
    )


def _to_offsets(times: np.ndarray, mask: np.ndarray, name: str) -> np.ndarray:
    """Unix seconds -> int32 seconds since `TIME_ORIGIN` (0 where masked)."""
    offsets = np.where(mask, np.asarray(times, "int64") - TIME_ORIGIN, 0)
    info = np.iinfo(np.int32)
    if offsets.size and (offsets.min() < info.min or offsets.max() > info.max):
        raise ValueError(
            f"`{name}` must be unix seconds between 1931-12 and 2068-01. "
            f"Received values from {times.min()} to {times.max()}"
        )
    return offsets.astype("int32")


def _check_positive_int(name: str, value: Any) -> None:
    if not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"`{name}` must be a positive integer. Received: {name}={value!r}"
        )


def _pad_left(rows: Any, width: int | None, name: str) -> np.ndarray:
    """Left-pads a list of lists (or checks a 2-D array) to `width`
    columns (`None`: the longest row), keeping the newest items."""
    if isinstance(rows, np.ndarray) or hasattr(rows, "shape"):
        array = np.asarray(rows)
        if array.ndim != 2:
            raise ValueError(
                f"`{name}` must be 2-D (batch, seq) or a list of lists. "
                f"Received: shape={array.shape}"
            )
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(
                f"`{name}` must hold integers. Received: dtype={array.dtype}"
            )
        return array[:, -(width or array.shape[1]) :].astype("int64")
    rows = [np.asarray(list(row)) for row in rows]
    if width is None:
        width = max([len(row) for row in rows] + [1])
    out = np.zeros((len(rows), width), "int64")
    for i, row in enumerate(rows):
        if row.size and not np.issubdtype(row.dtype, np.integer):
            raise ValueError(
                f"`{name}`[{i}] must hold integers. Received: {row[:5]}"
            )
        row = row[-width:]
        if row.size:
            out[i, width - row.size :] = row
    return out
