"""keras_rec_tx.datasets: benchmark loaders and synthetic data."""

from keras_rec_tx.datasets.load_by_name import load_by_name
from keras_rec_tx.datasets.loader import cache_dir, load
from keras_rec_tx.datasets.registry import DATASETS
from keras_rec_tx.datasets.synthetic_data import synthetic

__all__ = ["DATASETS", "cache_dir", "load", "load_by_name", "synthetic"]
