"""keras_rec_tx.layers: building blocks of the Transformer recommenders."""

from keras_rec_tx.layers.causal_self_attention import CausalSelfAttention
from keras_rec_tx.layers.hash_dropout import HashDropout
from keras_rec_tx.layers.hybrid_timestamp_encoding import (
    HybridTimestampEncoding,
)
from keras_rec_tx.layers.norm_factory import make_norm
from keras_rec_tx.layers.random_item_replacement import (
    RandomItemReplacement,
)
from keras_rec_tx.layers.rms_norm import RMSNorm
from keras_rec_tx.layers.rotary_embedding import RotaryEmbedding
from keras_rec_tx.layers.swiglu_dense import SwiGLUDense, glu_hidden_dim
from keras_rec_tx.layers.transformer_block import TransformerBlock

__all__ = [
    "CausalSelfAttention",
    "HashDropout",
    "HybridTimestampEncoding",
    "RMSNorm",
    "RandomItemReplacement",
    "RotaryEmbedding",
    "SwiGLUDense",
    "TransformerBlock",
    "glu_hidden_dim",
    "make_norm",
]
