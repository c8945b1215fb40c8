"""keras_rec_tx.losses."""
