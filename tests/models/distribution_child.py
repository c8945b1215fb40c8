"""Child process of tests/models/test_distribution.py.

The parent sets `KERAS_BACKEND=jax` and
`XLA_FLAGS=--xla_force_host_platform_device_count=N` (JAX reads them once,
at import) and runs one of:

    distribution_child.py one OUT
        a tiny run without a distribution (the reference, on one device),
        under `DataParallel` over 8 devices and under `ModelParallel` on a
        2 x 4 (batch x model) mesh; writes what each gave to OUT (JSON).
    distribution_child.py host OUT PORT PROCESS_ID
        one of two processes (4 devices each) of a `DataParallel` run over
        their 8 devices, coordinated on localhost:PORT; process 0 writes
        what it gave to OUT.
"""

import json
import sys

import keras

import keras_rec_tx as krt

# 11 rows per batch split over neither 8 nor 2 devices; the 51 table rows
# over no 4 shards: both need padding.
BATCH_SIZE = 11
HISTORIES = [[1, 2, 3], [4, 5], [7, 8, 9, 10, 11, 12]]


def data():
    interactions = krt.datasets.synthetic(num_users=64, num_items=50, seed=0)
    train, _, test = interactions.leave_one_out()
    return train, test


def trained(distribution, full=True):
    """Trains a tiny model (under `distribution`, or none) and returns its
    losses and, if `full`, its test metrics and recommendations."""
    keras.distribution.set_distribution(distribution)
    # The blocks' initializers are unseeded: they draw from Keras' seed.
    keras.utils.set_random_seed(0)
    train, test = data()
    model = krt.models.SequentialRecommender(
        num_items=50,
        max_len=8,  # length buckets 4 and 8
        d_model=8,
        num_blocks=1,
        loss="softmax",
        dropout=0.0,
        seed=0,
        item_table_multiple=8,
    )
    model.compile(keras.optimizers.Adam(0.01))
    # 5 batches of 11 rows (2 lengths: 2 programs to compile).
    batches = train.batches(
        batch_size=BATCH_SIZE, max_len=8, drop_remainder=True
    )
    # `shuffle=False`: the batches shuffle themselves, by their own seed.
    history = model.fit(batches, epochs=1, shuffle=False, verbose=0)
    result = {
        "loss": history.history["loss"],
        "rows": [len(batches[i][1]) for i in range(len(batches))],
    }
    if full:
        # 60 + 4 rows, the last batch padded to 60 (and both to 64 for 8
        # devices): one shape, compiled once.
        test_batches = test.batches(
            batch_size=60, max_len=8, bucketing=False, pad_last_batch=True
        )
        result["evaluate"] = model.evaluate(
            test_batches, return_dict=True, verbose=0
        )
        table = model.item_embedding.embeddings.value
        result["table_sharding"] = list(getattr(table.sharding, "spec", []))
        ids, scores = model.recommend(HISTORIES, k=5)
        result["ids"] = ids.tolist()
        result["scores"] = scores.tolist()
        result["table"] = model.item_embeddings().tolist()
    keras.distribution.set_distribution(None)
    return result


def one_process(out):
    devices = keras.distribution.list_devices()
    mesh = keras.distribution.DeviceMesh((2, 4), ["batch", "model"], devices)
    layout_map = krt.models.SequentialRecommender.get_layout_map(mesh)
    results = {
        "single": trained(None),
        "data_parallel": trained(
            keras.distribution.DataParallel(devices=devices)
        ),
        "model_parallel": trained(
            keras.distribution.ModelParallel(
                layout_map=layout_map, batch_dim_name="batch"
            )
        ),
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f)


def one_host(out, port, process_id):
    keras.distribution.initialize(
        f"localhost:{port}", num_processes=2, process_id=process_id
    )
    devices = keras.distribution.list_devices()
    # The batches give each process its own share themselves.
    distribution = keras.distribution.DataParallel(
        devices=devices, auto_shard_dataset=False
    )
    result = trained(distribution, full=False)
    result["devices"] = len(devices)
    if process_id == 0:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(result, f)


if __name__ == "__main__":
    if sys.argv[1] == "one":
        one_process(sys.argv[2])
    else:
        one_host(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
