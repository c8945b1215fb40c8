"""Scratch: Beauty sasrec_plus variants, one seed, results in scratch/runs."""

import json
import sys

sys.path.insert(0, "/work/main")
from keras_rec_tx import benchmark, datasets  # noqa: E402

VARIANTS = {
    "position": {
        "loss_config": {
            "num_negatives": 256,
            "sampling": "uniform",
            "share_negatives": "position",
        }
    },
    "full": {"loss": "full_softmax", "loss_config": {}},
    "noscale": {"scale_embeddings": False},
    "d256": {"d_model": 256, "d_ff": 1024},
}
names = sys.argv[1].split(",")
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
data = datasets.load("s3rec-amazon-beauty", data_dir="/work/shared/data")
for name in names:
    over = {}
    for part in name.split("+"):
        over.update(VARIANTS[part])
    path = benchmark.run_one(
        "sasrec_plus",
        data,
        dataset="s3rec-amazon-beauty",
        seed=seed,
        protocol="full-loo",
        tag="x_"
        + name.replace("+", "_")
        + ("_p50" if "p50" in sys.argv else ""),
        overrides=over,
        patience=50 if "p50" in sys.argv else None,
        results_dir="/work/main/benchmarks/scratch/runs",
        verbose=2,
    )
    r = json.load(open(path))
    print(
        "RESULT",
        name,
        r["best_epoch"],
        r["best_val_ndcg@10"],
        r["test"]["ndcg@10"],
        r["test"]["recall@10"],
        flush=True,
    )
