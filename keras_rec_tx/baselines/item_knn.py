"""Item kNN over co-occurrence in the users' training sequences."""

import numpy as np
import scipy.sparse

from keras_rec_tx.baselines.baseline import (
    Baseline,
    history_matrix,
    user_item_matrix,
)
from keras_rec_tx.utils import check_float, check_int


class ItemKNN(Baseline):
    """Item-based k-nearest neighbours with cosine similarity.

    Items `i` and `j` are similar when the same users' training sequences
    hold both: `sim(i, j) = c(i, j) / sqrt(c(i) c(j))`, with `c(i, j)`
    the number of users with both items and `c(i)` the users with `i`
    (the diagonal is zero). Each item keeps its `neighbors` most similar
    items. A history scores item `j` by `sum_h w_h sim(h, j)` over its
    items `h`, where the newest item weighs 1, the one before `decay`, the
    one before that `decay ** 2`, ... (`decay=1`: the plain item kNN;
    below 1 it leans towards the session's recent items, as session-kNN
    does). `backoff * P(j)` is added to every score, with `P(j)` the share
    of training users who have item `j` (normalised to sum to 1), so
    popularity orders the items no history item is similar to (without it
    they all tie at 0, which a ranking counts against the target). Memory:
    the sparse co-occurrence counts, at most `num_items * neighbors` kept
    similarities.

    Args:
        neighbors: int >= 1, similar items kept per item.
        decay: float in (0, 1], weight ratio of consecutive history items.
        backoff: float >= 0, the weight of popularity; the small default
            mostly breaks ties.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
    train, valid, test = data.leave_one_out()
    knn = keras_rec_tx.baselines.ItemKNN(neighbors=10).fit(train)
    knn.recommend([[3, 5]], k=5)
    ```

    References:
        - [Sarwar et al., Item-based collaborative filtering recommendation
          algorithms](https://doi.org/10.1145/371920.372071)
        - [Ludewig and Jannach, Evaluation of session-based recommendation
          algorithms](https://arxiv.org/abs/1803.09587)
    """

    name = "item_knn"

    def __init__(
        self, neighbors: int = 100, decay: float = 1.0, backoff: float = 1e-4
    ):
        super().__init__()
        self.neighbors = check_int("neighbors", neighbors, minimum=1)
        self.decay = check_float("decay", decay, above=0.0, maximum=1.0)
        self.backoff = check_float("backoff", backoff, minimum=0.0)

    def get_config(self) -> dict:
        return {
            "neighbors": self.neighbors,
            "decay": self.decay,
            "backoff": self.backoff,
        }

    def _fit(self, sequences: list) -> None:
        x = user_item_matrix(sequences, self.num_items)
        co = (x.T @ x).tocsr()
        norms = 1.0 / np.sqrt(np.maximum(co.diagonal(), 1.0))
        co.setdiag(0.0)
        co.eliminate_zeros()
        sim = scipy.sparse.diags(norms) @ co @ scipy.sparse.diags(norms)
        self.similarity = _top_per_row(sim.tocsr(), self.neighbors)
        counts = np.asarray(x.sum(axis=0)).ravel()
        self.popularity = counts / max(counts.sum(), 1)

    def _score(self, histories: np.ndarray) -> np.ndarray:
        weights = history_matrix(histories, self.num_items, self.decay)
        scores = (weights @ self.similarity).toarray()
        return scores + self.backoff * self.popularity[None, :]


def _top_per_row(matrix: scipy.sparse.csr_matrix, k: int):
    """The `k` largest entries of each row of a CSR matrix (ties: the
    lower column index), the rest dropped."""
    matrix.sort_indices()
    keep = np.zeros(matrix.nnz, dtype=bool)
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end - start <= k:
            keep[start:end] = True
            continue
        order = np.argsort(-matrix.data[start:end], kind="stable")[:k]
        keep[start + order] = True
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    return scipy.sparse.csr_matrix(
        (matrix.data[keep], (rows[keep], matrix.indices[keep])),
        shape=matrix.shape,
    )
