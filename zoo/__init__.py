"""Preset files of the zoo (shipped in the wheel as keras_rec_tx.presets)."""
