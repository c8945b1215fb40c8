"""RecBole 1.2.1 SASRec on MovieLens-100k, the side of the time-to-quality
comparison (benchmarks/time_to_quality.py) that is not this library.

Runs in RecBole's own virtual environment (its pins clash with keras'):

    bash benchmarks/recbole_setup.sh         # builds .venv-recbole
    .venv-recbole/bin/python -m benchmarks.recbole_sasrec \
        --data_dir=../shared/data

Converts ml-100k/u.data to RecBole's atomic `.inter` file in a temporary
folder (nothing is written next to the data or committed), trains SASRec in
the configuration of benchmark issue #4 (leave-one-out by time, full
ranking, maxlen 50, d 64, 2 layers, 2 heads, CE loss, batch 256; RecBole's
defaults otherwise), validates after every epoch and rewrites
benchmarks/results/time_to_quality/recbole_sasrec__seed<seed>.json after
each one: validation NDCG@10 and wall seconds since training began per
epoch, and the best 3-epoch moving average and when it was first reached.
The comparison is of wall time: give both sides the same CPUs (the
README pins each to one core with one thread).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pathlib
import platform
import tempfile
import time

from benchmarks import provenance
from benchmarks.quality_curve import best_moving_average, first_reaching

HERE = pathlib.Path(__file__).resolve().parent


# Benchmark issue #4's configuration; every other key is RecBole's default.
CONFIG = {
    "MAX_ITEM_LIST_LENGTH": 50,
    "hidden_size": 64,
    "n_layers": 2,
    "n_heads": 2,
    "loss_type": "CE",
    "train_neg_sample_args": None,
    "train_batch_size": 256,
    "eval_args": {
        "split": {"LS": "valid_and_test"},
        "order": "TO",
        "group_by": "user",
        "mode": "full",
    },
    "metrics": ["Recall", "NDCG"],
    "topk": [10],
    "valid_metric": "NDCG@10",
    "eval_step": 1,
    "metric_decimal_place": 6,
    "use_gpu": False,
    "show_progress": False,
}


def write_atomic_inter(u_data: pathlib.Path, folder: pathlib.Path) -> int:
    """Writes `folder/ml-100k/ml-100k.inter` from MovieLens' u.data (user,
    item, rating, timestamp, tab-separated); returns the row count."""
    rows = u_data.read_text(encoding="latin-1").splitlines()
    out = folder / "ml-100k"
    out.mkdir(parents=True, exist_ok=True)
    lines = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    for number, row in enumerate(rows, 1):
        fields = row.split("\t")
        if len(fields) != 4:
            raise ValueError(
                f"{u_data}:{number}: expected 4 tab-separated fields (user, "
                f"item, rating, timestamp), got {len(fields)}: {row!r}"
            )
        lines.append("\t".join(fields))
    if len(lines) == 1:
        raise ValueError(f"{u_data} has no interactions")
    (out / "ml-100k.inter").write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data_dir", default=str(HERE.parents[1] / "shared" / "data")
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument(
        "--stopping_step",
        type=int,
        default=10,
        help="RecBole's early-stopping patience (its default).",
    )
    parser.add_argument(
        "--output_dir", default=str(HERE / "results" / "time_to_quality")
    )
    args = parser.parse_args()
    u_data = pathlib.Path(args.data_dir) / "ml-100k" / "u.data"
    if not u_data.is_file():
        parser.error(f"{u_data} not found (MovieLens-100k's u.data)")

    import recbole
    import torch
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.model.sequential_recommender import SASRec
    from recbole.trainer import Trainer
    from recbole.utils import init_logger, init_seed

    out_path = pathlib.Path(args.output_dir) / (
        f"recbole_sasrec__seed{args.seed}.json"
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    command = provenance.command_line()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        interactions = write_atomic_inter(u_data, folder)
        # RecBole writes logs, tensorboard files and checkpoints under the
        # working directory and its checkpoint_dir: keep them in tmp.
        os.chdir(folder)
        config = Config(
            model="SASRec",
            dataset="ml-100k",
            config_dict={
                **CONFIG,
                "data_path": str(folder),
                "checkpoint_dir": str(folder / "saved"),
                "seed": args.seed,
                "epochs": args.epochs,
                "stopping_step": args.stopping_step,
            },
        )
        init_seed(config["seed"], config["reproducibility"])
        init_logger(config)  # per-epoch lines on stdout
        dataset = create_dataset(config)
        logger = logging.getLogger()
        logger.info(config)
        logger.info(dataset)
        train_data, valid_data, _ = data_preparation(config, dataset)
        model = SASRec(config, train_data.dataset).to(config["device"])

        class RecordingTrainer(Trainer):
            """Keeps the last validation result for the per-epoch record."""

            def _valid_epoch(self, *args, **kwargs):
                score, result = super()._valid_epoch(*args, **kwargs)
                self.last_valid_result = result
                return score, result

        trainer = RecordingTrainer(config, model)
        history: list[dict] = []

        def record(epoch_idx: int, valid_score: float) -> None:
            history.append(
                {
                    "epoch": epoch_idx + 1,
                    "wall_s": time.perf_counter() - start,
                    "val_ndcg@10": float(valid_score),
                    "val_recall@10": float(
                        trainer.last_valid_result["recall@10"]
                    ),
                }
            )
            write(finished=False)

        def write(finished: bool) -> None:
            curve = [row["val_ndcg@10"] for row in history]
            best = best_moving_average(curve)
            reached = first_reaching(curve, best) if best is not None else None
            result = {
                "library": f"RecBole {recbole.__version__} SASRec",
                "config": {
                    key: config[key]
                    for key in (
                        "MAX_ITEM_LIST_LENGTH",
                        "hidden_size",
                        "inner_size",
                        "n_layers",
                        "n_heads",
                        "hidden_dropout_prob",
                        "attn_dropout_prob",
                        "hidden_act",
                        "loss_type",
                        "learning_rate",
                        "train_batch_size",
                        "eval_args",
                        "stopping_step",
                        "epochs",
                    )
                },
                "interactions": interactions,
                "users": int(dataset.user_num) - 1,
                "items": int(dataset.item_num) - 1,
                "seed": args.seed,
                "finished": finished,
                "history": history,
                "seconds_per_epoch": (
                    history[-1]["wall_s"] / len(history) if history else None
                ),
                "best_val_ndcg@10": max(curve, default=None),
                "best_3_epoch_moving_average": best,
                "best_3_epoch_moving_average_at": (
                    history[reached[0]] if reached else None
                ),
                "torch": torch.__version__,
                "torch_threads": torch.get_num_threads(),
                "machine": {
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                    "cpus_used": len(os.sched_getaffinity(0)),
                    "python": platform.python_version(),
                },
                "date": provenance.utc_now(),
                "command": command,
            }
            # Atomically (RecBole's environment may lack keras_rec_tx and
            # its atomic_write_text): a reader never sees half a file.
            tmp = out_path.with_name(f".tmp-{out_path.name}")
            tmp.write_text(json.dumps(result, indent=1) + "\n")
            os.replace(tmp, out_path)

        start = time.perf_counter()
        trainer.fit(train_data, valid_data, saved=False, callback_fn=record)
        write(finished=True)
    print(
        out_path,
        "best 3-epoch MA",
        best_moving_average([row["val_ndcg@10"] for row in history]),
    )


if __name__ == "__main__":
    main()
