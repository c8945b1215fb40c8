"""Base class of the model-free baselines: fit, score, recommend, evaluate."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse

from keras_rec_tx.data import SequenceBatches, SequenceSplit
from keras_rec_tx.metrics.ranking_protocol import (
    ranking_metrics,
    update_ranking_metrics,
)
from keras_rec_tx.utils import check_choice, check_int
from keras_rec_tx.utils.requests import pad_left

# The model's `protocol` names (keras_rec_tx.experiment) -> SequenceBatches'.
PROTOCOLS = {"full-loo": "full", "sampled-100": "sampled"}
EVAL_BATCH_SIZE = 256  # As keras_rec_tx.experiment.evaluation_batches.


class Baseline:
    """A model-free next-item recommender over item indices `1..N`.

    Subclasses implement `_fit(sequences)` (item-index arrays of the
    training split) and `_score(histories)` (a left-padded int array ->
    float64 scores `(B, N + 1)`). Everything else is shared: `fit`
    records the fit time, `recommend` returns the top `k` unseen items,
    and `evaluate` feeds the scores of the same evaluation batches a model
    is scored on into the same metric code (`update_ranking_metrics`).

    Scores are float64. Before the metrics see them, each row is shifted
    by its target's score (a constant per row, so no rank changes): an
    item above, equal to or below the target stays so after the float32
    cast a backend may compute in (JAX), which could merge close scores
    into ties otherwise.
    """

    name = "baseline"

    def __init__(self) -> None:
        self.num_items: int | None = None
        self.fit_seconds: float | None = None

    def get_config(self) -> dict:
        """The hyper-parameters."""
        return {}

    # ------------------------------------------------------------- fitting
    def fit(self, train: SequenceSplit) -> Baseline:
        """Counts the training split (`Interactions.leave_one_out()[0]`);
        returns `self`."""
        if not isinstance(train, SequenceSplit) or not train.is_training:
            raise ValueError(
                "`train` must be the training SequenceSplit of "
                f"`leave_one_out()`. Received: train={train!r}"
            )
        self.num_items = int(train.interactions.num_items)
        start = time.perf_counter()
        self._fit(train.sequences())
        self.fit_seconds = time.perf_counter() - start
        return self

    def _fit(self, sequences: list) -> None:
        raise NotImplementedError

    def _score(self, histories: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if self.num_items is None:
            raise ValueError(f"Call `fit` before using {type(self).__name__}.")

    def score(self, histories: Any) -> np.ndarray:
        """float64 scores `(B, num_items + 1)` of every item (column 0 is
        padding) after each history (list of item-index lists, oldest
        first, or a left-padded int array)."""
        self._check_fitted()
        histories = pad_left(histories, "histories")
        if histories.size and (
            histories.min() < 0 or histories.max() > self.num_items
        ):
            raise ValueError(
                f"Item indices must lie in 0..{self.num_items}. Received: "
                f"histories with values in {histories.min()}.."
                f"{histories.max()}"
            )
        return self._score(histories)

    # ---------------------------------------------------------------- use
    def recommend(
        self, histories: Any, k: int = 10, exclude_seen: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` next items for each history.

        Args:
            histories: a list of item-index lists (oldest first), or a
                left-padded int array `(batch, seq)` with `0` = padding.
            k: how many items to return, at most `num_items`.
            exclude_seen: leave out items already in the history.

        Returns:
            `(ids, scores)`, arrays `(batch, k)`, best first (ties: lower
            index first). Excluded items score `-inf` if `k` reaches them.
        """
        self._check_fitted()
        k = check_int("k", k, minimum=1, maximum=self.num_items)
        histories = pad_left(histories, "histories")
        scores = self.score(histories)
        scores[:, 0] = -np.inf
        if exclude_seen:
            np.put_along_axis(scores, histories, -np.inf, axis=1)
        ids = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return ids, np.take_along_axis(scores, ids, axis=1)

    def evaluate(
        self,
        data: SequenceSplit | SequenceBatches,
        protocol: str = "full-loo",
        seed: int = 0,
        max_len: int | None = None,
        eval_ks=(10, 50),
    ) -> dict[str, float]:
        """Ranking metrics on an evaluation split, as a model reports them.

        Args:
            data: a `"valid"`/`"test"` `SequenceSplit`, or the exact
                evaluation batches a model was scored on (e.g. from
                `keras_rec_tx.experiment.evaluation_batches`; `protocol`,
                `seed` and `max_len` are then ignored).
            protocol: `"full-loo"` (full catalogue, history items
                excluded) or `"sampled-100"` (the target among 100 items
                the user never interacted with, at most 10,000 users).
            seed: the batches' seed (users and candidates of sampled-100).
                `experiment.evaluation_batches` uses `seed` for validation
                and `seed + 1` for test.
            max_len: newest history items used to score and excluded from
                the ranking; `None` (default): the whole history.
            eval_ks: cut-offs of Recall@K and NDCG@K.

        Returns:
            `{"recall@10", "ndcg@10", "recall@50", "ndcg@50", "mrr"}` (for
            the default `eval_ks`) as floats.
        """
        self._check_fitted()
        batches = data
        if isinstance(data, SequenceSplit) and not data.is_training:
            check_choice("protocol", protocol, PROTOCOLS)
            if max_len is None:
                max_len = max(int(data.lengths.max()), 1)
            batches = data.batches(
                batch_size=EVAL_BATCH_SIZE,
                max_len=check_int("max_len", max_len, minimum=1),
                protocol=PROTOCOLS[protocol],
                seed=check_int("seed", seed),
            )
        elif not isinstance(data, SequenceBatches) or data.split.is_training:
            raise ValueError(
                "`data` must be an evaluation SequenceSplit or its "
                f"SequenceBatches. Received: data={data!r}"
            )
        metrics = ranking_metrics(eval_ks)
        for i in range(len(batches)):
            x, y = batches[i][:2]
            scores = self.score(x["item_ids"])
            target = np.take_along_axis(scores, y[:, None].astype(int), 1)
            shifted = (scores - target).astype(np.float32)
            # Padding rows (target 0, `pad_last_batch`) count in no metric,
            # as in a model's `evaluate`.
            real = (np.asarray(y) > 0).astype(np.float32)
            update_ranking_metrics(metrics, x, y, shifted, real)
        return {m.name: float(m.result()) for m in metrics}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def user_item_matrix(
    sequences: list, num_items: int, binary: bool = True
) -> scipy.sparse.csr_matrix:
    """Sparse `(users, num_items + 1)` float64 counts (or 0/1 with
    `binary`) of the items in each sequence."""
    lengths = [len(s) for s in sequences]
    rows = np.repeat(np.arange(len(sequences)), lengths)
    cols = np.concatenate([np.asarray(s) for s in sequences] + [[]])
    x = scipy.sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols.astype(np.int64))),
        shape=(len(sequences), num_items + 1),
    )
    x.sum_duplicates()
    if binary:
        x.data[:] = 1.0
    return x


def history_matrix(
    histories: np.ndarray, num_items: int, decay: float = 1.0
) -> scipy.sparse.csr_matrix:
    """Sparse `(B, num_items + 1)` weights of the history items: the
    newest `decay ** 0 = 1`, the one before `decay`, and so on (repeats
    add up); padding dropped."""
    batch, length = histories.shape
    age = np.broadcast_to(np.arange(length)[::-1], histories.shape)
    rows = np.broadcast_to(np.arange(batch)[:, None], histories.shape)
    real = histories > 0
    x = scipy.sparse.csr_matrix(
        (decay ** age[real].astype(np.float64), (rows[real], histories[real])),
        shape=(batch, num_items + 1),
    )
    x.sum_duplicates()
    return x
