"""Configurable causal Transformer block."""

import keras

from keras_rec_tx.layers.causal_self_attention import CausalSelfAttention
from keras_rec_tx.layers.hash_dropout import HashDropout
from keras_rec_tx.layers.norm_factory import NORMS, make_norm
from keras_rec_tx.layers.swiglu_dense import SwiGLUDense
from keras_rec_tx.utils import check_choice, check_float, check_int

_FFNS = ("relu", "gelu", "swiglu", "geglu")
_ARRANGEMENTS = ("serial", "parallel")
_NORM_POSITIONS = ("pre", "post", "sasrec")


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class TransformerBlock(keras.layers.Layer):
    """Causal self-attention + feed-forward block, in several variants.

    `d_model` is the last dimension of the input. With `a` =
    `CausalSelfAttention` (dropout on its attention probabilities, as in
    SASRec) and `f` = the feed-forward network (dropout on its hidden units
    and its output, as in SASRec):

    - `arrangement="serial"`, `norm_position="pre"`:
      `x = x + a(norm1(x)); x = x + f(norm2(x))`
    - `arrangement="serial"`, `norm_position="post"`:
      `x = norm1(x + a(x)); x = norm2(x + f(x))`
    - `arrangement="serial"`, `norm_position="sasrec"` (the block of the
      SASRec code, its PyTorch port and RecTools): the norm acts on the
      queries only, keys and values read the raw stream, and each residual
      starts from the normalised input:
      `q = norm1(x); x = q + a(q, keys=x); h = norm2(x); x = h + f(h)`
    - `arrangement="parallel"` (pre-norm only):
      `h = norm1(x); x = x + a(h) + f(h)`

    The FFN is `Dense(d_ff, relu|gelu) -> dropout -> Dense(d_model)`, or a
    `SwiGLUDense(hidden_dim=d_ff)` for `"swiglu"` / `"geglu"` (with dropout
    on its gated hidden units). Outputs at padded positions are not zeroed;
    padded keys never influence real positions.

    Args:
        num_heads: int. Number of attention heads (`d_model` divisible).
        d_ff: int. Hidden width of the FFN. For a GLU FFN with the parameter
            count of a plain one, pass `glu_hidden_dim(d_model, d_ff)`.
        norm: str. `"layernorm"` (`keras.layers.LayerNormalization`) or
            `"rmsnorm"` (`RMSNorm`).
        ffn: str. `"relu"`, `"gelu"`, `"swiglu"` or `"geglu"`.
        use_bias: bool. Biases in the attention projections, the FFN and the
            layer norms (`center=use_bias`).
        arrangement: str. `"serial"` or `"parallel"`.
        norm_position: str. `"pre"`, `"post"` or `"sasrec"`.
        use_rope: bool. Rotary embeddings on queries and keys.
        rope_max_wavelength: int. `max_wavelength` of the rotary embedding.
        dropout: float. Rate for the attention probabilities, the FFN
            hidden units and the FFN output.
        epsilon: float. Epsilon of the norms.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(batch, seq, d_model)`.
        padding_mask: optional bool tensor `(batch, seq)`, True for real
            items.
        positions: optional tensor `(batch, seq)` of RoPE positions.
        training: bool. Whether dropout is active.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    block = keras_rec_tx.layers.TransformerBlock(
        num_heads=2, d_ff=32, norm="rmsnorm", ffn="swiglu", use_rope=True
    )
    x = np.random.rand(2, 5, 16).astype("float32")
    y = block(x, padding_mask=np.ones((2, 5), dtype=bool))  # (2, 5, 16)
    ```

    References:
        - [Vaswani et al., Attention Is All You Need](
          https://arxiv.org/abs/1706.03762)
        - [Xiong et al., On Layer Normalization in the Transformer
          Architecture](https://arxiv.org/abs/2002.04745)
        - [Shazeer, GLU Variants Improve Transformer](
          https://arxiv.org/abs/2002.05202)
        - [Chowdhery et al., PaLM (parallel blocks)](
          https://arxiv.org/abs/2204.02311)
    """

    def __init__(
        self,
        num_heads: int,
        d_ff: int,
        norm: str = "layernorm",
        ffn: str = "gelu",
        use_bias: bool = True,
        arrangement: str = "serial",
        norm_position: str = "pre",
        use_rope: bool = False,
        rope_max_wavelength: int = 10000,
        dropout: float = 0.0,
        epsilon: float = 1e-6,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_choice("norm", norm, NORMS)
        check_choice("ffn", ffn, _FFNS)
        check_choice("arrangement", arrangement, _ARRANGEMENTS)
        check_choice("norm_position", norm_position, _NORM_POSITIONS)
        if arrangement == "parallel" and norm_position != "pre":
            raise ValueError(
                "A parallel block needs pre-norm. Received: "
                f"arrangement='parallel', norm_position={norm_position!r}"
            )
        num_heads = check_int("num_heads", num_heads, minimum=1)
        d_ff = check_int("d_ff", d_ff, minimum=1)
        dropout = check_float("dropout", dropout, minimum=0.0, below=1.0)
        self.num_heads = num_heads
        self.d_ff = d_ff
        self.norm = norm
        self.ffn = ffn
        self.use_bias = use_bias
        self.arrangement = arrangement
        self.norm_position = norm_position
        self.use_rope = use_rope
        self.rope_max_wavelength = rope_max_wavelength
        self.dropout = dropout
        self.epsilon = epsilon

    def _make_norm(self, name):
        return make_norm(
            self.norm,
            epsilon=self.epsilon,
            use_bias=self.use_bias,
            dtype=self.dtype_policy,
            name=name,
        )

    def build(self, input_shape):
        d_model = input_shape[-1]
        hidden_shape = tuple(input_shape[:-1]) + (self.d_ff,)
        self.norm1 = self._make_norm("norm1")
        self.norm1.build(input_shape)
        self.norm2 = None
        if self.arrangement == "serial":
            self.norm2 = self._make_norm("norm2")
            self.norm2.build(input_shape)
        self.attention = CausalSelfAttention(
            num_heads=self.num_heads,
            use_bias=self.use_bias,
            use_rope=self.use_rope,
            rope_max_wavelength=self.rope_max_wavelength,
            dropout=self.dropout,
            dtype=self.dtype_policy,
            name="attention",
        )
        self.attention.build(input_shape)
        if self.ffn in ("swiglu", "geglu"):
            self.ffn_glu = SwiGLUDense(
                hidden_dim=self.d_ff,
                output_dim=d_model,
                activation="silu" if self.ffn == "swiglu" else "gelu",
                use_bias=self.use_bias,
                dropout=self.dropout,
                dtype=self.dtype_policy,
                name="ffn",
            )
            self.ffn_glu.build(input_shape)
        else:
            self.ffn_inner = keras.layers.Dense(
                self.d_ff,
                activation=self.ffn,
                use_bias=self.use_bias,
                dtype=self.dtype_policy,
                name="ffn_inner",
            )
            self.ffn_inner.build(input_shape)
            self.ffn_outer = keras.layers.Dense(
                d_model,
                use_bias=self.use_bias,
                dtype=self.dtype_policy,
                name="ffn_outer",
            )
            self.ffn_outer.build(hidden_shape)
        self.ffn_hidden_dropout = HashDropout(
            self.dropout, dtype=self.dtype_policy
        )
        self.ffn_dropout = HashDropout(self.dropout, dtype=self.dtype_policy)

    def _attend(self, x, padding_mask, positions, training, keys=None):
        # Dropout acts on the attention probabilities (inside the layer).
        return self.attention(
            x,
            padding_mask=padding_mask,
            positions=positions,
            training=training,
            keys=keys,
        )

    def _feed_forward(self, x, training):
        if self.ffn in ("swiglu", "geglu"):
            y = self.ffn_glu(x, training=training)
        else:
            y = self.ffn_inner(x)
            y = self.ffn_hidden_dropout(y, training=training)
            y = self.ffn_outer(y)
        return self.ffn_dropout(y, training=training)

    def call(self, inputs, padding_mask=None, positions=None, training=None):
        x = inputs
        if self.arrangement == "parallel":
            h = self.norm1(x)
            return (
                x
                + self._attend(h, padding_mask, positions, training)
                + self._feed_forward(h, training)
            )
        if self.norm_position == "post":
            x = self.norm1(
                x + self._attend(x, padding_mask, positions, training)
            )
            return self.norm2(x + self._feed_forward(x, training))
        if self.norm_position == "sasrec":
            q = self.norm1(x)
            x = q + self._attend(q, padding_mask, positions, training, keys=x)
            h = self.norm2(x)
            return h + self._feed_forward(h, training)
        x = x + self._attend(self.norm1(x), padding_mask, positions, training)
        return x + self._feed_forward(self.norm2(x), training)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "d_ff": self.d_ff,
                "norm": self.norm,
                "ffn": self.ffn,
                "use_bias": self.use_bias,
                "arrangement": self.arrangement,
                "norm_position": self.norm_position,
                "use_rope": self.use_rope,
                "rope_max_wavelength": self.rope_max_wavelength,
                "dropout": self.dropout,
                "epsilon": self.epsilon,
            }
        )
        return config
