"""Command line: train, evaluate and recommend with presets.

    keras-rec-tx train --preset=rope_swiglu --epochs=5 --output=m.keras
    keras-rec-tx train --dataset=events.csv --user_col=customer \
        --item_col=sku --time_col=ts --output=m.keras
    keras-rec-tx evaluate --model=m.keras
    keras-rec-tx recommend --model=m.keras --user=3 --k=10
    keras-rec-tx recommend --model=m.keras --items=sku-1,sku-7

`keras-rec-tx --help` lists the commands, `keras-rec-tx COMMAND --help`
their flags (`python -m keras_rec_tx.cli` works too). Without `--dataset`
every command uses the built-in synthetic data. A trained model carries
its item vocabulary, so `evaluate` and `recommend` need only `--model`
(and data to score); data whose catalogue differs from the model's is
refused with an error and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any

COMMANDS = ("train", "evaluate", "recommend")


class CliError(Exception):
    """A user error: printed as `error: ...`, exit status 1."""


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="keras-rec-tx",
        description="Train, evaluate and serve Transformer recommenders.",
    )
    sub = main.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    data = argparse.ArgumentParser(add_help=False)
    group = data.add_argument_group("data")
    group.add_argument(
        "--dataset",
        default="synthetic",
        help="dataset name (ml-100k, ...) or a CSV/Parquet/txt file",
    )
    group.add_argument("--data_dir", help="folder holding dataset files")
    group.add_argument("--user_col", default="user_id", help="CSV/Parquet")
    group.add_argument("--item_col", default="item_id", help="CSV/Parquet")
    group.add_argument("--time_col", help="CSV/Parquet time column")
    group.add_argument("--synthetic_users", type=positive_int, default=2000)
    group.add_argument("--synthetic_items", type=positive_int, default=500)
    group.add_argument(
        "--protocol",
        choices=("full-loo", "sampled-100"),
        default="full-loo",
        help="evaluation protocol",
    )
    group.add_argument("--seed", type=int, default=0, help="random seed")
    group.add_argument(
        "--compilation_cache",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="JAX: keep compiled programs under the Keras home for later "
        "runs (keras_rec_tx.utils.enable_compilation_cache)",
    )

    train = sub.add_parser(
        "train", parents=[data], help="train a preset, save it (+ results)"
    )
    train.add_argument("--preset", default="rope_swiglu")
    train.add_argument("--output", help="where to save the .keras model")
    train.add_argument("--epochs", type=positive_int, help="default: preset")
    train.add_argument("--batch_size", type=positive_int)
    train.add_argument("--max_len", type=positive_int)
    train.add_argument(
        "--checkpoint_dir", help="resume here after a crash or kill"
    )
    evaluate = sub.add_parser(
        "evaluate", parents=[data], help="score a saved model's test split"
    )
    evaluate.add_argument("--model", required=True, help="a .keras file")
    recommend = sub.add_parser(
        "recommend", parents=[data], help="top-k items for a user or history"
    )
    recommend.add_argument("--model", required=True, help="a .keras file")
    recommend.add_argument("--user", help="raw user id of --dataset")
    recommend.add_argument("--items", help="comma-separated raw item ids")
    recommend.add_argument("--k", type=positive_int, default=10)
    return main


def load_data(args: argparse.Namespace) -> Any:
    """The dataset the flags name (synthetic by default)."""
    from keras_rec_tx import datasets

    columns = {}
    if pathlib.Path(args.dataset).suffix.lower() in (".csv", ".parquet", ".pq"):
        columns = dict(
            user=args.user_col, item=args.item_col, time=args.time_col
        )
    return datasets.load_by_name(
        args.dataset,
        args.data_dir,
        synthetic_users=args.synthetic_users,
        synthetic_items=args.synthetic_items,
        seed=args.seed,
        **columns,
    )


def check_output(path: str | None) -> pathlib.Path | None:
    """Refuses an output path that cannot be written, before training."""
    if path is None:
        return None
    out = pathlib.Path(path)
    if out.suffix != ".keras":
        raise CliError(f"--output must end in .keras. Received: {path}")
    if not out.parent.is_dir():
        raise CliError(
            f"--output's folder {str(out.parent)!r} does not exist. "
            "Create it first."
        )
    if out.is_dir():
        raise CliError(f"--output {path!r} is a folder.")
    return out


def train(args: argparse.Namespace) -> None:
    from keras_rec_tx import experiment
    from keras_rec_tx.utils import atomic_write_text

    output = check_output(args.output)
    data = load_data(args)
    result, model = experiment.run(
        args.preset,
        data,
        protocol=args.protocol,
        seed=args.seed,
        epochs=args.epochs,
        batch_size=args.batch_size,
        max_len=args.max_len,
        checkpoint_dir=args.checkpoint_dir,
        verbose=2,
    )
    if result.get("diverged"):
        raise CliError(result.get("error", "training diverged"))
    print(json.dumps(result["test"], indent=2))
    if output is not None:
        model.save(output)
        results = output.with_suffix(".json")
        atomic_write_text(
            results, json.dumps(result, indent=1, default=str) + "\n"
        )
        print(f"saved {output} and {results}")


def load_model(args: argparse.Namespace) -> Any:
    import keras

    import keras_rec_tx  # noqa: F401 - registers the classes

    if not pathlib.Path(args.model).is_file():
        raise CliError(f"--model {args.model!r} is not a file.")
    return keras.saving.load_model(args.model)


def check_catalogue(model: Any, data: Any) -> None:
    """Refuses data whose items are not the model's, index for index."""
    vocabulary = model.item_vocabulary
    if vocabulary is None:
        if data.num_items != model.num_items:
            raise CliError(
                f"The data has {data.num_items} items, the model "
                f"{model.num_items}: it was trained on other data."
            )
        return
    ids = [v.item() if hasattr(v, "item") else v for v in data.item_ids]
    if ids != list(vocabulary):
        known = set(vocabulary)
        unknown = [i for i in ids if i not in known]
        raise CliError(
            "The data's item catalogue is not the model's "
            f"({len(ids)} items vs {len(vocabulary)}; {len(unknown)} "
            f"unknown to the model, e.g. {unknown[:5]}). Evaluate on the "
            "data the model was trained on."
        )


def evaluate(args: argparse.Namespace) -> None:
    from keras_rec_tx import experiment

    model = load_model(args)
    data = load_data(args)
    check_catalogue(model, data)
    _, valid, test = data.leave_one_out()
    # The test batches of `train` with the same --seed, so that the score
    # printed here is the one `train` printed.
    _, batches = experiment.evaluation_batches(
        valid,
        test,
        protocol=args.protocol,
        seed=args.seed,
        max_len=model.max_len,
    )
    metrics = model.evaluate(batches, return_dict=True, verbose=0)
    print(json.dumps({k: float(v) for k, v in metrics.items()}, indent=2))


def recommend(args: argparse.Namespace) -> None:
    model = load_model(args)
    if (args.user is None) == (args.items is None):
        raise CliError("Give either --user=RAW_USER_ID or --items=ID,ID,...")
    if args.items is not None:
        items = [_raw(i, model) for i in args.items.split(",") if i]
        ids, scores = model.recommend([items], k=args.k)
    else:
        data = load_data(args)
        known = [str(u) for u in data.user_ids]
        if args.user not in known:
            raise CliError(f"Unknown user {args.user!r} in this dataset.")
        frame = data.to_dataframe()
        frame = frame[frame["user_id"].astype(str) == args.user]
        top = model.recommend_users(frame, k=args.k)
        ids = [top["item_id"].tolist()]
        scores = [top["score"].tolist()]
    for rank, (item, score) in enumerate(zip(ids[0], scores[0]), start=1):
        print(f"{rank:3d}  {item!s:>12}  {score:8.3f}")


def _raw(text: str, model: Any) -> Any:
    """A raw id from the command line, typed like the model's ids."""
    vocabulary = model.item_vocabulary
    if vocabulary is None or isinstance(vocabulary[0], int):
        try:
            return int(text)
        except ValueError:
            raise CliError(
                f"Item ids of this model are integers. Received: {text!r}"
            ) from None
    return text


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.compilation_cache:
        from keras_rec_tx.utils import enable_compilation_cache

        enable_compilation_cache()
    try:
        {
            "train": train,
            "evaluate": evaluate,
            "recommend": recommend,
        }[args.command](args)
    except (CliError, ValueError, TypeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
