"""keras_rec_tx.regularizers: embedding norm penalties."""

from keras_rec_tx.regularizers.norm_penalty import NormPenalty

__all__ = ["NormPenalty"]
