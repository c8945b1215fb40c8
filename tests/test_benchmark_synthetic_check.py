"""benchmarks.synthetic_check: its variants are settings the preset takes."""

import pytest

from benchmarks import synthetic_check
from keras_rec_tx import zoo
from tests.benchmark_modules import ONCE


@ONCE
def test_variants_build_and_an_unknown_one_is_named(tmp_path):
    for overrides, training in synthetic_check.VARIANTS.values():
        model = zoo.get(
            "rope_swiglu", num_items=5, d_model=8, **overrides, **training
        )
        assert model.num_blocks == overrides.get("num_blocks", 1)
        assert model.optimizer.use_ema == bool(training)
    with pytest.raises(ValueError, match=r"Unknown variants \['pair_rll'\]"):
        synthetic_check.run("rope_swiglu", ["pair_rl", "pair_rll"], tmp_path)
    assert not list(tmp_path.iterdir())
