"""Quickstart: train the `rope_swiglu` preset on built-in synthetic data.

Run with any backend:

    KERAS_BACKEND=jax python examples/quickstart.py

It builds a synthetic interaction log with planted sequential structure,
splits it leave-one-out, trains for a few epochs with `model.fit`, prints
the full-catalogue test metrics and a few recommendations.
"""

import keras

import keras_rec_tx as krt

data = krt.datasets.synthetic(num_users=1000, num_items=300, seed=0)
print(data.summary())
train, valid, test = data.leave_one_out()

model = krt.zoo.get(
    "rope_swiglu", num_items=data.num_items, max_len=50, dropout=0.1
)
model.fit(
    train.batches(batch_size=64),
    validation_data=valid.batches(),
    epochs=5,
    verbose=2,
)
metrics = model.evaluate(test.batches(), return_dict=True, verbose=0)
print(f"backend: {keras.backend.backend()}")
for name in ("recall@10", "ndcg@10", "recall@50", "mrr"):
    print(f"test {name}: {metrics[name]:.4f}")

users = range(3)
ids, scores = model.recommend([data.sequence(u) for u in users], k=5)
for user, row in zip(users, ids):
    raw_user = data.user_ids[user]
    print(f"user {raw_user}: next items {data.decode_items(row).tolist()}")
