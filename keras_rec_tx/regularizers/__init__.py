"""keras_rec_tx.regularizers."""
