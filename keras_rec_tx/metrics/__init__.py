"""keras_rec_tx.metrics."""
