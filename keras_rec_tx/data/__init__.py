"""keras_rec_tx.data: interaction logs, splits and batches."""

from keras_rec_tx.data.interactions import TIME_ORIGIN, Interactions
from keras_rec_tx.data.sequence_batches import SequenceBatches
from keras_rec_tx.data.sequence_split import SequenceSplit

__all__ = ["TIME_ORIGIN", "Interactions", "SequenceBatches", "SequenceSplit"]
