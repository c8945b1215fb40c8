import json

import keras
import numpy as np
import pytest

from keras_rec_tx import preset_schema, zoo
from keras_rec_tx.layers import glu_hidden_dim

EXPECTED = {
    "sasrec",
    "sasrec_ss",
    "sasrec_plus",
    "sasrec_ce",
    "sasrec_wide",
    "sasrec_sse",
    "rope",
    "rope_learned",
    "rmsnorm",
    "swiglu",
    "geglu",
    "parallel",
    "l2_penalty",
    "hinge_l2",
    "warmup_cosine",
    "constant_lr",
    "absolute_time",
    "hybrid_time",
    "rope_swiglu",
    "rope_swiglu_time",
}


def test_list_has_every_preset():
    assert EXPECTED <= set(zoo.list())


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="rope_swiglu") as info:
        zoo.get("rope_swigl")
    assert "Known presets" in str(info.value)


def test_get_without_arguments_uses_the_preset_default():
    model = zoo.get("rope_swiglu")
    preset = zoo.describe("rope_swiglu")
    assert model.num_items == preset["architecture"]["num_items"]
    # The flagship's three components, whatever else validation chose.
    assert "rope" in model.position.split("+") and model.norm == "rmsnorm"
    assert model.ffn == "swiglu" and model.use_bias is False
    assert model.compiled


def test_overrides_and_unknown_override():
    model = zoo.get("sasrec", num_items=11, d_model=8, compile=False)
    assert model.num_items == 11 and model.d_model == 8
    assert not model.compiled
    with pytest.raises(ValueError, match="d_modle"):
        zoo.get("sasrec", d_modle=3)


def test_each_ablation_changes_only_its_listed_keys():
    base = zoo.describe("sasrec_plus")["architecture"]
    for name, changed in {
        "rope": {"position"},
        "rope_learned": {"position"},
        "rmsnorm": {"norm"},
        "parallel": {"arrangement", "norm_position"},  # parallel is pre-norm
        "l2_penalty": {"user_norm_penalty"},
        "hinge_l2": {"user_norm_penalty"},
        "swiglu": {"ffn", "d_ff", "use_bias"},
        "geglu": {"ffn", "d_ff", "use_bias"},
    }.items():
        arch = zoo.describe(name)["architecture"]
        diff = {k for k in arch if arch[k] != base.get(k)}
        assert diff == changed, name


def test_glu_width_is_derived_at_equal_parameters_under_overrides():
    # swiglu's file states no d_ff: d_ff names the plain FFN it matches.
    assert "d_ff" not in zoo.describe("swiglu")["changes"]["architecture"]
    for d_ff in (256, 512):
        plain = zoo.get(
            "sasrec_plus", num_items=20, d_ff=d_ff, use_bias=False
        ).count_params()
        glu = zoo.get("swiglu", num_items=20, d_ff=d_ff).count_params()
        assert abs(glu - plain) / plain < 0.002, (d_ff, glu, plain)
    assert zoo.get("swiglu", num_items=20, d_ff=512).d_ff == 341
    # A plain FFN chosen over the preset's GLU keeps the width asked for.
    assert zoo.get("swiglu", num_items=20, ffn="gelu", d_ff=512).d_ff == 512


def test_glu_presets_match_parameter_count():
    base = zoo.describe("sasrec_plus")["architecture"]
    assert zoo.describe("swiglu")["architecture"]["d_ff"] == glu_hidden_dim(
        base["d_model"], base["d_ff"]
    )
    for name in ("swiglu", "geglu", "rope_swiglu"):
        # Against the base at the preset's size (the flagship is d 128).
        stated = preset_schema.resolve(name).resolved_architecture()
        size = {key: stated[key] for key in ("d_model", "num_blocks")}
        size["d_ff"] = preset_schema.resolve(name).stated_architecture["d_ff"]
        plain = zoo.get("sasrec_plus", compile=False, **size).count_params()
        glu = zoo.get(name, compile=False).count_params()
        assert abs(glu - plain) / plain < 0.01, (name, glu, plain)


def test_training_recipes():
    flagship = zoo.get("rope_swiglu_time", steps_per_epoch=10)
    optimizer = flagship.optimizer
    assert isinstance(optimizer, keras.optimizers.AdamW)
    assert optimizer.weight_decay == pytest.approx(0.01)
    assert float(optimizer.learning_rate) == 0.0  # warm-up starts at 0
    training = zoo.describe("rope_swiglu_time")["training"]
    schedule = zoo.make_schedule(training, steps_per_epoch=10)
    epochs = training["epochs"]
    total = 10 * epochs
    lrs = [float(schedule(s)) for s in (0, total // 40, total // 20, total)]
    assert lrs[0] < lrs[1] < lrs[2]  # warm-up
    assert lrs[3] == pytest.approx(0.01 * lrs[2], rel=0.05)  # cosine to 1%
    # The base trains with warm restarts; `cosine_restarts` was retired
    # into it and names its replacement.
    restarts = zoo.make_schedule(
        zoo.describe("sasrec_plus")["training"], steps_per_epoch=10
    )
    # Sized in epochs (fit resizes it); Keras's schedule does the work.
    assert isinstance(
        restarts.keras_schedule(),
        keras.optimizers.schedules.CosineDecayRestarts,
    )
    first = 10 * 10  # restart_epochs * steps_per_epoch
    assert float(restarts(first - 1)) < 0.05 * float(restarts(0))
    assert float(restarts(first)) > 0.9 * float(restarts(0))
    assert zoo.make_schedule(zoo.describe("sasrec")["training"]) == 1e-3
    assert zoo.make_schedule(zoo.describe("constant_lr")["training"]) == 1e-3
    with pytest.raises(ValueError, match="retired: use sasrec_plus"):
        zoo.get("cosine_restarts")


def test_describe_has_the_sections():
    for name in zoo.list():
        preset = zoo.describe(name)
        for key in ("description", "architecture", "training", "benchmark"):
            assert preset.get(key), (name, key)
        assert preset["benchmark"]["protocol"] in ("full-loo", "sampled-100")
        assert "results" in preset


def test_every_preset_scores_finite():
    for name in zoo.list():
        model = zoo.get(name, num_items=20, d_model=8, max_len=6, compile=False)
        x = np.arange(1, 13, dtype="int32").reshape(2, 6)
        inputs = {"item_ids": x}
        if model.time_encoding:
            inputs["timestamps"] = np.cumsum(np.full(x.shape, 60), 1)
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(model(inputs)))), (
            name
        )


def test_ema_momentum_recipe():
    optimizer = zoo.make_optimizer({"ema_momentum": 0.99})
    assert optimizer.use_ema and optimizer.ema_momentum == pytest.approx(0.99)
    assert not zoo.make_optimizer({}).use_ema
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="ema_momentum"):
            zoo.make_optimizer({"ema_momentum": bad})


def test_adamw_decays_only_matmul_kernels(tmp_path):
    model = zoo.get("rope_swiglu_time", num_items=30, use_bias=True)
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.AdamW)
    # Keras's own test of the exclusion (no public accessor).
    decayed = {
        v.path.split("/")[-1]
        for v in model.trainable_variables
        if optimizer._use_weight_decay(v)
    }
    assert decayed == {"kernel"}
    excluded = {v.path for v in model.no_weight_decay_variables()}
    item_table = model.backbone.item_embedding.embeddings.path
    assert item_table in excluded
    attention_bias = [p for p in excluded if p.endswith("query/bias")]
    assert attention_bias  # rank 2 (heads x size), still a bias
    # A saved model loads compiled (`compile` is overridden, so the task
    # overrides `compile_from_config` too), with the same exclusions.
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.optimizer, keras.optimizers.AdamW)
    assert {
        v.path
        for v in loaded.trainable_variables
        if loaded.optimizer._use_weight_decay(v)
    } == {
        v.path
        for v in model.trainable_variables
        if optimizer._use_weight_decay(v)
    }
    learned = zoo.get("warmup_cosine", num_items=30)
    position_table = learned.backbone.position_embedding.embeddings.path
    assert position_table in {
        v.path for v in learned.no_weight_decay_variables()
    }


def test_training_recipe_has_every_default_once():
    recipe = zoo.TrainingRecipe()
    assert recipe.epochs == 200 and recipe.schedule == "constant"
    assert zoo.TRAINING_KEYS == set(recipe.to_dict())
    with pytest.raises(ValueError, match="learning_rat"):
        zoo.TrainingRecipe.from_dict({"learning_rat": 1e-3})
    with pytest.raises(ValueError, match="schedule"):
        zoo.get("sasrec", num_items=5, schedule="linear")
    # The resolved recipe holds every key, filled from the defaults.
    assert set(zoo.describe("rope")["training"]) == zoo.TRAINING_KEYS


def test_preset_files_hold_config_only(tmp_path):
    from keras_rec_tx import preset_schema

    for path in preset_schema.presets_dir().glob("*.json"):
        raw = json.loads(path.read_text())
        assert set(raw) <= preset_schema.FILE_KEYS, path.name
        assert "results" not in raw
    bad = {"name": "x", "description": "x", "results": {}}
    (tmp_path / "x.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="unknown key.*results"):
        preset_schema.resolve("x", tmp_path)


def test_describe_joins_results_and_summary_reads():
    preset = zoo.describe("hybrid_time")
    assert preset["results"]["ndcg@10"]["mean"] > 0
    text = zoo.summary("hybrid_time")
    assert text.startswith("hybrid_time: ")
    assert "changes from no_time: time_encoding='hybrid'" in text
    assert "NDCG@10 " in text
    # A GLU's width is derived at equal parameters and shown as a change.
    assert "ffn='swiglu', use_bias=False, d_ff=171" in zoo.summary("swiglu")
    # What it costs, from the same generated results file.
    seconds = zoo.describe("hybrid_time")["results"]["train_seconds"]
    assert f"cost: {seconds:.0f} s of training" in text


def test_summary_reads_results_of_one_seed(monkeypatch):
    """One seed has no standard deviation: the summary shows the mean."""
    one_seed = {
        "dataset": "s3rec-amazon-beauty",
        "protocol": "full-loo",
        "seeds": [0],
        "backend": "tensorflow",
        "ndcg@10": {"mean": 0.05, "std": None},
        "hr@10": {"mean": 0.09, "std": None},
    }
    monkeypatch.setattr(
        preset_schema, "load_results", lambda name, folder=None: one_seed
    )
    text = zoo.summary("swiglu")
    assert "NDCG@10 0.0500, HR@10 0.0900 (1 seeds, tensorflow)" in text
