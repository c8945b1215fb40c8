"""EASE: the closed-form item-item linear model."""

import numpy as np
import scipy.linalg

from keras_rec_tx.baselines.baseline import (
    Baseline,
    history_matrix,
    user_item_matrix,
)
from keras_rec_tx.utils import check_float, check_int

MAX_ITEMS = 30_000


class EASE(Baseline):
    """Embarrassingly shallow autoencoder (Steck, 2019).

    With `X` the binary user x item matrix of the training sequences and
    `P = (X^T X + l2 * I)^-1`, the item-item weights are
    `B[i, j] = -P[i, j] / P[j, j]` (zero diagonal), and a history `x`
    (0/1 per item, order ignored) scores the items `x B`.

    Memory: unlike the other baselines EASE holds a dense float64
    catalogue x catalogue matrix, `8 * N^2` bytes (1.2 GB for Amazon
    Beauty's 12,101 items, 4.5 GB for Amazon Games' 23,715), inverted in
    place (Cholesky), in about `N^3` floating-point operations. `fit`
    refuses catalogues above `max_items` (default 30,000 items: 7.2 GB)
    with a ValueError rather than exhaust the machine's memory.

    Args:
        l2: float > 0, the L2 regularisation `lambda`.
        max_items: int, the largest catalogue `fit` accepts.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
    train, valid, test = data.leave_one_out()
    ease = keras_rec_tx.baselines.EASE(l2=10.0).fit(train)
    ease.evaluate(valid)["ndcg@10"]
    ```

    References:
        - [Steck, Embarrassingly shallow autoencoders for sparse data](
          https://arxiv.org/abs/1905.03375)
    """

    name = "ease"

    def __init__(self, l2: float = 100.0, max_items: int = MAX_ITEMS):
        super().__init__()
        self.l2 = check_float("l2", l2, above=0.0)
        self.max_items = check_int("max_items", max_items, minimum=1)

    def get_config(self) -> dict:
        return {"l2": self.l2}

    def _fit(self, sequences: list) -> None:
        n = self.num_items + 1
        if self.num_items > self.max_items:
            raise ValueError(
                f"EASE needs a dense {n:,} x {n:,} float64 matrix "
                f"({8 * n * n / 1e9:.1f} GB) for {self.num_items:,} items, "
                f"above max_items={self.max_items:,}. Pass a larger "
                "`max_items` if the machine has the memory. Received: "
                f"num_items={self.num_items}"
            )
        x = user_item_matrix(sequences, self.num_items)
        gram = (x.T @ x).toarray()  # float64, C order, symmetric.
        gram[np.diag_indices(n)] += self.l2
        # gram.T is the same matrix in Fortran order: LAPACK works in place.
        factor, info = scipy.linalg.lapack.dpotrf(
            gram.T, lower=1, overwrite_a=1, clean=0
        )
        del gram
        if info == 0:
            factor, info = scipy.linalg.lapack.dpotri(
                factor, lower=1, overwrite_c=1
            )
        if info != 0:
            raise ValueError(f"EASE: Cholesky inverse failed (info={info}).")
        _fill_upper_from_lower(factor)
        # P is symmetric: its transpose is the same matrix in C order.
        weights = factor.T
        weights /= -np.diag(weights).copy()[None, :]  # B = -P / diag(P).
        weights[np.diag_indices(n)] = 0.0
        self.weights = weights

    def _score(self, histories: np.ndarray) -> np.ndarray:
        x = history_matrix(histories, self.num_items)
        x.data[:] = 1.0
        return np.asarray(x @ self.weights)


def _fill_upper_from_lower(matrix: np.ndarray, block: int = 2048) -> None:
    """Copies the lower triangle of a square matrix onto its upper one,
    in place, a block of rows at a time."""
    n = matrix.shape[0]
    for start in range(0, n, block):
        end = min(start + block, n)
        rows = slice(start, end)
        diag = matrix[rows, rows]
        diag[...] = np.tril(diag) + np.tril(diag, -1).T
        matrix[rows, end:] = matrix[end:, rows].T
