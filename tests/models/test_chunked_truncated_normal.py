"""A large item table is drawn in chunks: same distribution, bounded
memory, reproducible; small tables are drawn as before."""

import keras
import numpy as np

from keras_rec_tx.models import (
    ChunkedTruncatedNormal,
    SequentialBackbone,
    sequential_backbone,
)


def test_chunks_are_seeded_distinct_and_truncated():
    init = ChunkedTruncatedNormal(stddev=0.5, seed=3, chunk_elements=40)
    table = keras.ops.convert_to_numpy(init((23, 8), "float32"))
    again = keras.ops.convert_to_numpy(init((23, 8), "float32"))
    assert table.shape == (23, 8) and table.dtype == np.float32
    np.testing.assert_array_equal(table, again)
    # 5 rows per chunk: successive draws, not one chunk repeated.
    assert not np.allclose(table[:5], table[5:10])
    assert np.abs(table).max() <= 2 * 0.5 + 1e-6
    restored = ChunkedTruncatedNormal.from_config(init.get_config())
    assert restored.get_config() == init.get_config()


def test_backbone_draws_only_large_tables_in_chunks(monkeypatch):
    small = SequentialBackbone(num_items=20, d_model=4, num_blocks=1)
    init = small.item_embedding.embeddings_initializer
    assert isinstance(init, keras.initializers.TruncatedNormal)
    monkeypatch.setattr(sequential_backbone, "LARGE_TABLE_ELEMENTS", 16)
    large = SequentialBackbone(num_items=20, d_model=4, num_blocks=1)
    init = large.item_embedding.embeddings_initializer
    assert isinstance(init, ChunkedTruncatedNormal)
    assert init.stddev == 0.02
