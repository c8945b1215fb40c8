"""Command line: train, evaluate, recommend and benchmark presets.

Usage (`keras-rec-tx` is installed with the package; `python -m
keras_rec_tx.cli` works too):

    keras-rec-tx train --preset=rope_swiglu --epochs=5 --output=m.keras
    keras-rec-tx evaluate --model=m.keras
    keras-rec-tx recommend --model=m.keras --user=3 --k=10
    keras-rec-tx benchmark --preset=sasrec_plus \
        --dataset=s3rec-amazon-beauty --data_dir=../shared/data --seeds=0,1,2

Every command without `--dataset` uses the built-in synthetic data.
"""

from __future__ import annotations

import json
import sys

from absl import app, flags

FLAGS = flags.FLAGS
COMMANDS = ("train", "evaluate", "recommend", "benchmark")

flags.DEFINE_string("preset", "rope_swiglu", "Preset name (zoo.list()).")
flags.DEFINE_string(
    "dataset", "synthetic", "Dataset name or file path (datasets.load)."
)
flags.DEFINE_string("data_dir", None, "Folder holding dataset files.")
flags.DEFINE_string(
    "protocol", None, "full-loo or sampled-100 (default: the preset's)."
)
flags.DEFINE_integer("epochs", None, "Epochs (default: the preset's).")
flags.DEFINE_integer("batch_size", None, "Batch size (default: preset's).")
flags.DEFINE_integer("max_len", None, "History length (default: preset's).")
flags.DEFINE_integer("seed", 0, "Random seed.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds of a benchmark.")
flags.DEFINE_string("output", None, "Where train saves the .keras model.")
flags.DEFINE_string("model", None, "A saved .keras model.")
flags.DEFINE_string("user", None, "Raw user id for recommend.")
flags.DEFINE_integer("k", 10, "Number of recommendations.")
flags.DEFINE_string(
    "results_dir", "benchmarks/results", "Where benchmark writes JSON."
)
flags.DEFINE_integer("synthetic_users", 2000, "Users of synthetic data.")
flags.DEFINE_integer("synthetic_items", 500, "Items of synthetic data.")


def load_data():
    """The dataset the flags name (synthetic by default)."""
    from keras_rec_tx import datasets

    if FLAGS.dataset == "synthetic":
        return datasets.synthetic(
            num_users=FLAGS.synthetic_users,
            num_items=FLAGS.synthetic_items,
            seed=FLAGS.seed,
        )
    return datasets.load(FLAGS.dataset, data_dir=FLAGS.data_dir)


def protocol() -> str:
    """The --protocol flag, else full-loo."""
    return FLAGS.protocol or "full-loo"


def train() -> None:
    from keras_rec_tx import experiment

    data = load_data()
    result, model = experiment.run(
        FLAGS.preset,
        data,
        protocol=protocol(),
        seed=FLAGS.seed,
        epochs=FLAGS.epochs,
        batch_size=FLAGS.batch_size,
        max_len=FLAGS.max_len,
        verbose=2,
    )
    print(json.dumps(result["test"], indent=2))
    if FLAGS.output:
        model.save(FLAGS.output)
        print(f"saved {FLAGS.output}")


def _load_model():
    import keras

    if not FLAGS.model:
        raise app.UsageError("--model=PATH.keras is required.")
    return keras.saving.load_model(FLAGS.model)


def evaluate() -> None:
    from keras_rec_tx import experiment

    model = _load_model()
    _, valid, test = load_data().leave_one_out()
    # The test batches of `train` with the same --seed, so that the score
    # printed here is the one `train` printed.
    _, batches = experiment.evaluation_batches(
        valid, test, protocol=protocol(), seed=FLAGS.seed, max_len=model.max_len
    )
    metrics = model.evaluate(batches, return_dict=True, verbose=0)
    print(json.dumps({k: float(v) for k, v in metrics.items()}, indent=2))


def recommend() -> None:
    model = _load_model()
    data = load_data()
    if FLAGS.user is None:
        raise app.UsageError("--user=RAW_USER_ID is required.")
    matches = [i for i, u in enumerate(data.user_ids) if str(u) == FLAGS.user]
    if not matches:
        raise app.UsageError(f"Unknown user {FLAGS.user!r} in this dataset.")
    history = data.sequence(matches[0])
    ids, scores = model.recommend([history], k=FLAGS.k)
    names = data.decode_items(ids[0])
    titles = data.item_titles or {}
    for rank, (idx, name, score) in enumerate(
        zip(ids[0], names, scores[0]), start=1
    ):
        title = titles.get(int(idx), "")
        print(f"{rank:3d}  {name!s:>12}  {score:8.3f}  {title}")


def benchmark() -> None:
    from keras_rec_tx import benchmark as bench

    bench.run_from_flags(FLAGS)


def main(argv: list[str]) -> None:
    if len(argv) != 2 or argv[1] not in COMMANDS:
        raise app.UsageError(
            f"Give one command of {', '.join(COMMANDS)}. Received: {argv[1:]}"
        )
    {
        "train": train,
        "evaluate": evaluate,
        "recommend": recommend,
        "benchmark": benchmark,
    }[argv[1]]()


def run() -> None:
    """Console-script entry point."""
    app.run(main, argv=sys.argv)


if __name__ == "__main__":
    run()
