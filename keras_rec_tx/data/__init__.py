"""keras_rec_tx.data."""
