"""Cross-entropy over the whole item catalogue."""

from typing import Any

import keras
from keras import ops

from keras_rec_tx.losses.retrieval_loss import RetrievalLoss


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class FullSoftmaxLoss(RetrievalLoss):
    """Softmax cross-entropy of the target against all items `1..N`.

    Logits are `hidden @ embeddings[1:].T` in float32 (the padding row is
    not a class); the loss of a position is `logsumexp(logits) -
    logit[target]`, averaged over the valid positions. Memory is
    O(B * L * N): use `SampledSoftmaxLoss` for large catalogues.

    Args:
        num_items: optional int. If given, checked against the table size.
        seed: unused (nothing is sampled); accepted so every loss of
            `keras_rec_tx.losses.get` takes the same arguments.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments (and the scalar returned) as `RetrievalLoss`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    loss = keras_rec_tx.losses.FullSoftmaxLoss()
    users = np.random.rand(2, 1, 4).astype("float32")  # last position only
    items = np.random.rand(6, 4).astype("float32")  # row 0: padding
    loss(users, np.array([[4], [2]]), items)  # softmax over items 1..5
    ```

    References:
        - [Klenitskiy and Vasilev, Turning Dross Into Gold Loss: is BERT4Rec
          really better than SASRec?](https://arxiv.org/abs/2309.07602)
    """

    uses_negatives = False

    def position_losses(
        self, hidden: Any, targets: Any, embeddings: Any, negatives: Any
    ) -> Any:
        if (
            self.num_items is not None
            and embeddings.shape[0] is not None
            and embeddings.shape[0] != self.num_items + 1
        ):
            raise ValueError(
                f"`embeddings` must have num_items + 1 = {self.num_items + 1} "
                f"rows. Received: embeddings.shape={embeddings.shape}"
            )
        logits = ops.matmul(hidden, ops.transpose(embeddings[1:]))
        index = ops.expand_dims(ops.maximum(targets - 1, 0), -1)
        positive = ops.squeeze(ops.take_along_axis(logits, index, -1), -1)
        return ops.logsumexp(logits, axis=-1) - positive
