"""keras_rec_tx.datasets."""
