"""keras_rec_tx.layers."""
