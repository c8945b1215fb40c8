"""First-order Markov chain: transitions from the last item."""

import numpy as np
import scipy.sparse

from keras_rec_tx.baselines.baseline import Baseline
from keras_rec_tx.utils import check_float


class MarkovChain(Baseline):
    """Scores the next item by how often it followed the last history item.

    From the training sequences it counts transitions `C[a, b]` (item `b`
    right after item `a`) and item counts `n[b]`. After a history whose
    newest item is `a` the score of `b` is

        P(b | a) + backoff * P(b),  P(b | a) = C[a, b] / sum_b' C[a, b'],
                                     P(b) = n[b] / sum_b' n[b']

    so popularity orders the items that never followed `a` (and all items
    when `a` has no outgoing transition, or the history is empty). A small
    `backoff` is a pure back-off (popularity only breaks ties); a large
    one lets popularity reorder the transitions too.

    Args:
        backoff: float >= 0, the weight of popularity.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
    train, valid, test = data.leave_one_out()
    markov = keras_rec_tx.baselines.MarkovChain(backoff=0.1).fit(train)
    markov.evaluate(valid)["ndcg@10"]
    ```
    """

    name = "markov"

    def __init__(self, backoff: float = 0.1):
        super().__init__()
        self.backoff = check_float("backoff", backoff, minimum=0.0)

    def get_config(self) -> dict:
        return {"backoff": self.backoff}

    def _fit(self, sequences: list) -> None:
        size = self.num_items + 1
        src = np.concatenate([np.asarray(s)[:-1] for s in sequences] + [[]])
        dst = np.concatenate([np.asarray(s)[1:] for s in sequences] + [[]])
        counts = scipy.sparse.csr_matrix(
            (np.ones(len(src)), (src.astype(int), dst.astype(int))),
            shape=(size, size),
        )
        counts.sum_duplicates()
        out = np.asarray(counts.sum(axis=1)).ravel()
        self.transitions = scipy.sparse.diags(1.0 / np.maximum(out, 1)) @ counts
        self.transitions = self.transitions.tocsr()
        items = np.concatenate([np.asarray(s) for s in sequences] + [[]])
        popularity = np.bincount(items.astype(int), minlength=size)
        self.popularity = popularity / max(popularity.sum(), 1)

    def _score(self, histories: np.ndarray) -> np.ndarray:
        last = histories[:, -1]  # Left-padded: 0 for an empty history.
        scores = self.transitions[last].toarray()
        return scores + self.backoff * self.popularity[None, :]
