"""keras_rec_tx.serving: export a trained model as a top-k endpoint."""
