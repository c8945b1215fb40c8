"""keras_rec_tx.models."""
