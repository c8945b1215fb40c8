"""numpy references shared by the loss tests."""

import numpy as np


def logsumexp(x):
    m = x.max(-1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(-1, keepdims=True)))[..., 0]


def softplus(x):
    return np.logaddexp(0.0, x)


def masked_mean(per_position, valid):
    return per_position[valid].sum() / max(valid.sum(), 1)


def random_inputs(seed=0, batch=3, length=4, dim=5, num_items=9):
    rng = np.random.default_rng(seed)
    hidden = rng.normal(size=(batch, length, dim)).astype("float32")
    table = rng.normal(size=(num_items + 1, dim)).astype("float32")
    targets = rng.integers(1, num_items + 1, size=(batch, length))
    targets[0, :2] = 0  # left padding
    return hidden, targets.astype("int32"), table
