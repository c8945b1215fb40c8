"""keras_rec_tx.losses: next-item retrieval losses.

Each loss is a layer called as `loss(hidden, targets, embeddings, mask=None)`
and returning a float32 scalar (see `RetrievalLoss`). `get(name, **kwargs)`
builds one from its name.
"""

from typing import Any

from keras_rec_tx.losses.bce_loss import BCELoss
from keras_rec_tx.losses.full_softmax_loss import FullSoftmaxLoss
from keras_rec_tx.losses.gbce_loss import GBCELoss
from keras_rec_tx.losses.retrieval_loss import RetrievalLoss
from keras_rec_tx.losses.sampled_softmax_loss import SampledSoftmaxLoss

_LOSSES = {
    "softmax": FullSoftmaxLoss,
    "full_softmax": FullSoftmaxLoss,
    "sampled_softmax": SampledSoftmaxLoss,
    "bce": BCELoss,
    "gbce": GBCELoss,
}


def get(identifier: Any, **kwargs: Any) -> RetrievalLoss:
    """Returns a retrieval loss from its name.

    Args:
        identifier: one of `"softmax"` (= `"full_softmax"`),
            `"sampled_softmax"`, `"bce"`, `"gbce"`; or a `RetrievalLoss`
            instance, returned as is (then `kwargs` must be empty).
        **kwargs: constructor arguments of the loss (e.g. `num_items`,
            `seed`, `num_negatives`).

    Returns:
        A `RetrievalLoss` layer.

    Example:

    ```python
    import keras_rec_tx

    loss = keras_rec_tx.losses.get("gbce", num_items=100, num_negatives=16)
    ```
    """
    if isinstance(identifier, RetrievalLoss):
        if kwargs:
            raise ValueError(
                "Arguments are only accepted with a loss name. Received: "
                f"identifier={identifier}, kwargs={kwargs}"
            )
        return identifier
    if not isinstance(identifier, str) or identifier.lower() not in _LOSSES:
        raise ValueError(
            f"Unknown loss. Known names: {sorted(_LOSSES)}. Received: "
            f"identifier={identifier!r}"
        )
    return _LOSSES[identifier.lower()](**kwargs)


__all__ = [
    "BCELoss",
    "FullSoftmaxLoss",
    "GBCELoss",
    "RetrievalLoss",
    "SampledSoftmaxLoss",
    "get",
]
