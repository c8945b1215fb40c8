"""Most popular items: the same ranking for every user."""

import numpy as np

from keras_rec_tx.baselines.baseline import Baseline


class MostPopular(Baseline):
    """Ranks items by their number of training interactions.

    Every user gets the same scores (the counts), minus the items of their
    own history under `exclude_seen` / full-loo.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
    train, valid, test = data.leave_one_out()
    pop = keras_rec_tx.baselines.MostPopular().fit(train)
    pop.evaluate(valid)["ndcg@10"]
    ids, scores = pop.recommend([[1, 2]], k=5)
    ```
    """

    name = "most_popular"

    def _fit(self, sequences: list) -> None:
        items = np.concatenate([np.asarray(s) for s in sequences] + [[]])
        self.counts = np.bincount(
            items.astype(np.int64), minlength=self.num_items + 1
        ).astype(np.float64)

    def _score(self, histories: np.ndarray) -> np.ndarray:
        return np.tile(self.counts, (len(histories), 1))
