"""keras_rec_tx.models: the backbone and the recommender task of the zoo."""

from keras_rec_tx.models.chunked_truncated_normal import (
    ChunkedTruncatedNormal,
)
from keras_rec_tx.models.sequential_backbone import SequentialBackbone
from keras_rec_tx.models.sequential_recommender import SequentialRecommender

__all__ = [
    "ChunkedTruncatedNormal",
    "SequentialBackbone",
    "SequentialRecommender",
]
