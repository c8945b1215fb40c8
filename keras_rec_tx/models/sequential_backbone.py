"""The backbone of the zoo: item ids (and times) -> hidden states."""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from keras_rec_tx.layers.hash_dropout import HashDropout
from keras_rec_tx.layers.hybrid_timestamp_encoding import (
    HybridTimestampEncoding,
)
from keras_rec_tx.layers.norm_factory import NORMS, make_norm
from keras_rec_tx.layers.random_item_replacement import (
    RandomItemReplacement,
)
from keras_rec_tx.layers.transformer_block import TransformerBlock
from keras_rec_tx.models.chunked_truncated_normal import (
    LARGE_TABLE_ELEMENTS,
    ChunkedTruncatedNormal,
)
from keras_rec_tx.utils import check_choice, check_float, check_int

POSITIONS = ("learned", "rope", "rope+learned", "none")
TIME_ENCODINGS = (None, "hybrid", "absolute", "relative")


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class SequentialBackbone(keras.Model):
    """Causal Transformer over item ids: embeddings to hidden states.

    Item embeddings (the table the task's scores are tied to), positions
    (`learned`, `rope`, `rope+learned` or `none`), an optional timestamp
    encoding, `num_blocks` Transformer blocks and a final norm, as in
    keras-hub's backbones: no head, no loss, no vocabulary (those belong
    to `keras_rec_tx.models.SequentialRecommender`). `call` returns the
    user representation at every position, `(batch, seq, d_model)`, zero
    at padded positions.

    Inputs are left-padded item indices (`0` = padding, items
    `1..num_items`) as an int array `(batch, seq)`, or a dict with
    `"item_ids"` and, for time-aware backbones, `"timestamps"` and
    `"query_timestamps"` (int32 seconds since
    `keras_rec_tx.utils.requests.TIME_ORIGIN`). Longer sequences are cut
    to their newest `max_len` items.

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
        scale_embeddings: multiply item embeddings by `sqrt(d_model)`.
        rope_max_wavelength: RoPE base wavelength.
        attend_to_padding: let queries attend to the padded positions too
            (their keys and values are then the projection biases: a
            learned "attend to nothing" slot). RecTools' SASRec and the
            SASRec PyTorch port work this way; `False` masks padded keys,
            as the SASRec paper's code does.
        item_dropout: dropout rate on the item embedding table during
            training. The backbone applies it to the history's item
            vectors; the task applies the same layer to the table it
            scores against (RecTools' SASRec does both). `0` turns it off.
        embeddings_initializer: a Keras initializer of the item and
            position embeddings; `None` is a truncated normal with standard
            deviation 0.02.
        item_replacement: probability that a history item is replaced by
            a uniformly random item during training (SSE-PT's item-side
            regularizer, `keras_rec_tx.layers.RandomItemReplacement`).
        seed: seed of dropout and item replacement.
        item_table_multiple: the item table gets extra rows up to a
            multiple of this (`1`: exactly `num_items + 1` rows). A table
            sharded over devices (`keras.distribution.ModelParallel`, see
            `SequentialRecommender.get_layout_map`) needs a row count that
            the shards divide, and `num_items + 1` rarely does; use the
            number of shards (times 8 on accelerators, whose tiles are
            multiples of 8). The extra rows are never items: no input holds
            them and `embeddings` leaves them out, so they are never scored,
            recommended or sampled.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    backbone = keras_rec_tx.models.SequentialBackbone(
        num_items=20, max_len=8, d_model=16, num_blocks=1
    )
    hidden = backbone(np.array([[0, 0, 3, 4, 5, 6, 7, 8]]))  # (1, 8, 16)
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
        scale_embeddings: bool = True,
        rope_max_wavelength: float = 10000.0,
        attend_to_padding: bool = False,
        item_dropout: float = 0.0,
        embeddings_initializer: Any = None,
        item_replacement: float = 0.0,
        seed: int | None = None,
        item_table_multiple: int = 1,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        # === Config ===
        self.num_items = check_int("num_items", num_items, minimum=1)
        self.max_len = check_int("max_len", max_len, minimum=1)
        self.d_model = check_int("d_model", d_model, minimum=1)
        self.num_blocks = check_int("num_blocks", num_blocks, minimum=1)
        self.num_heads = check_int("num_heads", num_heads, minimum=1)
        self.d_ff = check_int("d_ff", d_ff, minimum=1, allow_none=True)
        if self.d_ff is None:
            self.d_ff = 4 * self.d_model
        self.position = check_choice("position", position, POSITIONS)
        self.norm = check_choice("norm", norm, NORMS)
        self.ffn = ffn
        self.use_bias = use_bias
        self.arrangement = arrangement
        self.norm_position = norm_position
        self.dropout = check_float("dropout", dropout, minimum=0, below=1)
        self.time_encoding = check_choice(
            "time_encoding", time_encoding, TIME_ENCODINGS
        )
        self.scale_embeddings = scale_embeddings
        self.rope_max_wavelength = rope_max_wavelength
        self.attend_to_padding = bool(attend_to_padding)
        self.item_dropout = check_float(
            "item_dropout", item_dropout, minimum=0, below=1
        )
        self.embeddings_initializer = embeddings_initializer
        self.item_replacement = check_float(
            "item_replacement", item_replacement, minimum=0, below=1
        )
        self.seed = check_int("seed", seed, allow_none=True)
        self.item_table_multiple = check_int(
            "item_table_multiple", item_table_multiple, minimum=1
        )

        # === Layers === (created in this order so that seeded runs draw
        # the same initial weights as before the backbone/task split)
        def initializer(elements=0):
            if embeddings_initializer is not None:
                return keras.initializers.get(embeddings_initializer)
            if elements > LARGE_TABLE_ELEMENTS:  # in bounded memory
                return ChunkedTruncatedNormal(stddev=0.02, seed=seed)
            return keras.initializers.TruncatedNormal(stddev=0.02, seed=seed)

        self.item_embedding = keras.layers.ReversibleEmbedding(
            self.item_table_rows,
            self.d_model,
            embeddings_initializer=initializer(
                (self.num_items + 1) * self.d_model
            ),
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
        self.embedding_dropout = HashDropout(
            self.dropout, seed=seed, dtype=self.dtype_policy
        )
        self.item_table_dropout = HashDropout(
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
                dropout=self.dropout,
                dtype=self.dtype_policy,
                name=f"block_{i}",
            )
            for i in range(self.num_blocks)
        ]
        self.final_norm = None
        if norm_position in ("pre", "sasrec"):
            # The blocks' epsilon (TransformerBlock's default), as before.
            self.final_norm = make_norm(
                norm,
                epsilon=1e-6,
                use_bias=use_bias,
                dtype=self.dtype_policy,
                name="final_norm",
            )

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
        self.built = True

    @property
    def item_table_rows(self) -> int:
        """Rows of the item table's weight: `num_items + 1` rounded up to
        a multiple of `item_table_multiple`."""
        multiple = self.item_table_multiple
        return -(-(self.num_items + 1) // multiple) * multiple

    @property
    def embeddings(self) -> Any:
        """The item table `(num_items + 1, d_model)`; row 0 is padding.
        Rows added by `item_table_multiple` are cut off: they are not
        items."""
        table = self.item_embedding.embeddings
        if self.item_table_rows > self.num_items + 1:
            table = table[: self.num_items + 1]
        return table

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        item_ids, times, query_times = self.unpack(inputs)
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

    def unpack(self, inputs: Any) -> tuple[Any, Any, Any]:
        """`(item_ids, timestamps, query_timestamps)` of `inputs`, cut to
        the newest `max_len` positions (times are `None` when absent)."""
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
                "item_table_multiple": self.item_table_multiple,
            }
        )
        return config
