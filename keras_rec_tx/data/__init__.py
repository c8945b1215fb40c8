"""keras_rec_tx.data: interaction logs, splits and batches."""

from keras_rec_tx.data.interactions import Interactions
from keras_rec_tx.data.sequence_batches import SequenceBatches
from keras_rec_tx.data.sequence_split import SequenceSplit

__all__ = ["Interactions", "SequenceBatches", "SequenceSplit"]
