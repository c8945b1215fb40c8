"""keras_rec_tx.models: the sequential recommender of the zoo."""

from keras_rec_tx.models.sequential_recommender import SequentialRecommender

__all__ = ["SequentialRecommender"]
