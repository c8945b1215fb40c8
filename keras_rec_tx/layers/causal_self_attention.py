"""Multi-head causal self-attention with padding mask and optional RoPE."""

import keras
from keras import ops

from keras_rec_tx.layers.hash_dropout import HashDropout
from keras_rec_tx.layers.rotary_embedding import RotaryEmbedding
from keras_rec_tx.utils import check_float, check_int


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class CausalSelfAttention(keras.layers.Layer):
    """Multi-head causal self-attention over left-padded sequences.

    Query, key, value and output projections are `EinsumDense` layers; the
    attention itself is `keras.ops.dot_product_attention` with an explicit
    boolean mask: query `t` may attend to key `s` when `s <= t` and `s` is a
    real item, and always to itself (the diagonal). The diagonal keeps every
    row of the mask non-empty, so fully padded rows (left padding) produce
    finite values instead of NaN; their outputs are meaningless and should be
    ignored downstream. With `use_rope`, a `RotaryEmbedding` rotates queries
    and keys.

    `dropout` applies to the attention probabilities, as in SASRec and the
    original Transformer. `dot_product_attention` has no such dropout, so
    while training with `dropout > 0` the same masked softmax attention is
    computed with `keras.ops` directly (float32 softmax); otherwise (and at
    inference) `dot_product_attention` runs, which may use a fused kernel.

    Args:
        num_heads: int. Number of attention heads.
        key_dim: int or None. Size of each head; defaults to
            `d_model // num_heads` (then `d_model` must be divisible).
        use_bias: bool. Whether the four projections have biases.
        use_rope: bool. Whether to apply rotary embeddings to queries and
            keys (`key_dim` must be even).
        rope_max_wavelength: int. `max_wavelength` of the rotary embedding.
        dropout: float. Dropout rate on the attention probabilities.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(batch, seq, d_model)`.
        padding_mask: optional bool tensor `(batch, seq)`, True for real
            items. `None` means all real.
        positions: optional int or float tensor `(batch, seq)` of positions
            for RoPE (defaults to `0 .. seq - 1`); ignored without RoPE.
        training: bool. Whether dropout is active.
        keys: optional float tensor like `inputs` that keys and values are
            projected from (default: `inputs`), as in SASRec, whose queries
            read the normalised stream and keys the raw one.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    attn = keras_rec_tx.layers.CausalSelfAttention(num_heads=2, use_rope=True)
    x = np.random.rand(2, 5, 8).astype("float32")
    mask = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
    y = attn(x, padding_mask=mask)  # (2, 5, 8)
    ```

    References:
        - [Vaswani et al., Attention Is All You Need](
          https://arxiv.org/abs/1706.03762)
        - [Kang and McAuley, Self-Attentive Sequential Recommendation](
          https://arxiv.org/abs/1808.09781)
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int | None = None,
        use_bias: bool = True,
        use_rope: bool = False,
        rope_max_wavelength: int = 10000,
        dropout: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        num_heads = check_int("num_heads", num_heads, minimum=1)
        key_dim = check_int("key_dim", key_dim, minimum=1, allow_none=True)
        if use_rope and key_dim is not None and key_dim % 2:
            raise ValueError(
                f"RoPE needs an even `key_dim`. Received: key_dim={key_dim}"
            )
        dropout = check_float("dropout", dropout, minimum=0.0, below=1.0)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.use_bias = use_bias
        self.use_rope = use_rope
        self.rope_max_wavelength = rope_max_wavelength
        self.dropout = dropout

    def build(self, input_shape):
        d_model = input_shape[-1]
        head_dim = self.key_dim
        if head_dim is None:
            if d_model % self.num_heads:
                raise ValueError(
                    "d_model must be divisible by `num_heads` when `key_dim` "
                    f"is None. Received: input_shape={input_shape}, "
                    f"num_heads={self.num_heads}"
                )
            head_dim = d_model // self.num_heads
        if self.use_rope and head_dim % 2:
            raise ValueError(
                f"RoPE needs an even head size. Received: key_dim={head_dim}"
            )
        self._head_dim = head_dim

        def projection(name):
            layer = keras.layers.EinsumDense(
                "btd,dnh->btnh",
                output_shape=(None, self.num_heads, head_dim),
                bias_axes="nh" if self.use_bias else None,
                dtype=self.dtype_policy,
                name=name,
            )
            layer.build(input_shape)
            return layer

        self.query_dense = projection("query")
        self.key_dense = projection("key")
        self.value_dense = projection("value")
        self.output_dense = keras.layers.EinsumDense(
            "btnh,nhd->btd",
            output_shape=(None, d_model),
            bias_axes="d" if self.use_bias else None,
            dtype=self.dtype_policy,
            name="attention_output",
        )
        self.output_dense.build(
            tuple(input_shape[:-1]) + (self.num_heads, head_dim)
        )
        self.rotary_embedding = (
            RotaryEmbedding(
                max_wavelength=self.rope_max_wavelength,
                dtype=self.dtype_policy,
                name="rotary_embedding",
            )
            if self.use_rope
            else None
        )
        self.dropout_layer = HashDropout(self.dropout, dtype=self.dtype_policy)

    def _attention_mask(self, inputs, padding_mask):
        seq_len = ops.shape(inputs)[1]
        idx = ops.arange(seq_len)
        causal = idx[:, None] >= idx[None, :]  # (query, key)
        if padding_mask is None:
            return causal[None, None]
        keys = ops.cast(padding_mask, "bool")[:, None, None, :]
        diagonal = (idx[:, None] == idx[None, :])[None, None]
        return ops.logical_or(
            ops.logical_and(causal[None, None], keys), diagonal
        )

    def call(
        self,
        inputs,
        padding_mask=None,
        positions=None,
        training=None,
        keys=None,
    ):
        keys = inputs if keys is None else keys
        query = self.query_dense(inputs)
        key = self.key_dense(keys)
        value = self.value_dense(keys)
        if self.rotary_embedding is not None:
            query = self.rotary_embedding(query, positions=positions)
            key = self.rotary_embedding(key, positions=positions)
        mask = self._attention_mask(inputs, padding_mask)
        if training and self.dropout > 0:
            context = self._attention_with_dropout(query, key, value, mask)
        else:
            context = ops.dot_product_attention(query, key, value, mask=mask)
        return self.output_dense(context)

    def _attention_with_dropout(self, query, key, value, mask):
        """Masked softmax attention with dropout on the probabilities."""
        scale = 1.0 / float(query.shape[-1]) ** 0.5
        logits = ops.einsum(
            "bqhd,bkhd->bhqk",
            ops.cast(query, "float32"),
            ops.cast(key, "float32"),
        )
        logits = ops.where(mask, logits * scale, -1e9)
        probs = ops.softmax(logits, axis=-1)
        probs = self.dropout_layer(probs, training=True)
        context = ops.einsum(
            "bhqk,bkhd->bqhd", ops.cast(probs, value.dtype), value
        )
        return context

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "key_dim": self.key_dim,
                "use_bias": self.use_bias,
                "use_rope": self.use_rope,
                "rope_max_wavelength": self.rope_max_wavelength,
                "dropout": self.dropout,
            }
        )
        return config
