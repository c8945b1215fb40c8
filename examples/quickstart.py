"""Quickstart: train the `rope_swiglu` preset on built-in synthetic data.

Run with any backend:

    KERAS_BACKEND=jax python examples/quickstart.py

It builds a synthetic interaction log with planted sequential structure
(string item ids, as a shop's would be), splits it leave-one-out, trains
for a few epochs with `model.fit`, prints the full-catalogue test metrics
next to the most-popular and Markov-chain baselines, and a few
recommendations by raw item id.
"""

import keras

import keras_rec_tx as krt

df = krt.datasets.synthetic(
    num_users=1000, num_items=300, seed=0
).to_dataframe()
df["item_id"] = "sku-" + df["item_id"].astype(str)
data = krt.data.Interactions.from_dataframe(df, dedupe="last")
print(data.summary())
train, valid, test = data.leave_one_out()

# Sized from the data: the model keeps the raw item ids.
model = krt.zoo.get("rope_swiglu", data=data, max_len=50, dropout=0.1)
model.fit(
    train.batches(batch_size=64),
    validation_data=valid.batches(),
    epochs=5,
    verbose=2,
)
test_batches = test.batches()
metrics = model.evaluate(test_batches, return_dict=True, verbose=0)
print(f"backend: {keras.backend.backend()}")
# Does the Transformer earn its cost? Two baselines on the same test split:
table = krt.baselines.compare(train, test_batches)
print(krt.trainer.comparison_table("rope_swiglu", metrics, table))

users = data.user_ids[:3]
top = model.recommend_users(data, k=5, users=users)
for user, rows in top.groupby("user_id", sort=False):
    print(f"user {user}: next items {rows['item_id'].tolist()}")
