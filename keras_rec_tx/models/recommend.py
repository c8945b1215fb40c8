"""`recommend` and `recommend_users`: from what a user holds (raw ids,
DataFrames, datetimes, an allow-list) to the model's inputs, and from its
top-k scores back to raw ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from keras import ops

from keras_rec_tx.models.chunked_top_k import chunked_top_k
from keras_rec_tx.models.item_vocabulary import check_indices
from keras_rec_tx.utils import check_bool, check_int
from keras_rec_tx.utils.requests import (
    frame_histories,
    pad_left,
    to_time_offsets,
    to_unix_seconds,
)


class RecommendMixin:
    """The `recommend` and `recommend_users` methods of
    `SequentialRecommender`, kept apart from the Keras model.

    It needs of the model: calling it on a batch of inputs (hidden states
    `(batch, seq, d_model)`), `backbone.embeddings`, `num_items`,
    `max_len`, `time_encoder`, `score_chunk_size`, `item_vocabulary`,
    `encode_items` and `decode_items`.
    """

    def recommend(
        self,
        histories: Any,
        k: int = 10,
        exclude_seen: bool = True,
        timestamps: Any = None,
        query_timestamps: Any = None,
        batch_size: int = 512,
        candidates: Sequence[Any] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` next items for each history.

        Args:
            histories: one list of items per user, oldest first. With an
                item vocabulary these are raw item ids (unknown ones raise
                a ValueError naming them); without one, item indices
                `1..num_items`, also as a LEFT-padded int array
                `(batch, seq)` with `0` = padding (right-padded arrays are
                refused). A pandas DataFrame with `user_id`, `item_id` and,
                for time-aware models, `timestamp` columns works too: one
                row per interaction, rows of a user in time order; the
                result follows the order in which users first appear.
                Histories longer than `max_len` use their newest items.
                An empty history is refused: the model has nothing to go
                on (recommend popular items to such users instead).
            k: how many items to return, at most `num_items`.
            exclude_seen: leave out items already in the history.
            timestamps: for time-aware models, the times of the history
                items (unix seconds, numpy datetime64 or pandas timestamps;
                same layout as `histories`).
            query_timestamps: request times, one per history; defaults to
                the time of the last history item.
            batch_size: rows scored at once. The catalogue is scored in
                chunks of `score_chunk_size` items, so memory stays about
                `batch_size x score_chunk_size` scores whatever its size.
            candidates: an allow-list of items (raw ids with a vocabulary,
                else indices): only these are scored and returned; `k` is
                capped at their number.

        Returns:
            `(ids, scores)`, numpy arrays of shape `(batch, k)`, best first;
            raw ids when the model has a vocabulary. A row with fewer than
            `k` unseen items ends in `0` (`None` with a vocabulary) scored
            `-inf`.
        """
        if isinstance(histories, pd.DataFrame):
            _, histories, timestamps = frame_histories(
                histories,
                "user_id",
                "item_id",
                "timestamp" if self.time_encoder is not None else None,
            )
        item_ids, times, query = self._encode_request(
            histories, timestamps, query_timestamps
        )
        if candidates is not None:
            candidates = self._encode_candidates(candidates)
        ids, scores = self._top_k(
            item_ids, times, query, k, exclude_seen, batch_size, candidates
        )
        return self.decode_items(ids), scores

    def recommend_users(
        self,
        data: Any,
        k: int = 10,
        users: Sequence[Any] | None = None,
        exclude_seen: bool = True,
        user: str = "user_id",
        item: str = "item_id",
        time: str | None = "timestamp",
        batch_size: int = 512,
    ) -> pd.DataFrame:
        """Top-`k` items for users of a log, as a DataFrame.

        Args:
            data: a `keras_rec_tx.data.Interactions`, or a DataFrame with
                one row per interaction (rows of a user in time order).
            k: items per user.
            users: raw user ids to recommend for (unknown ones raise a
                ValueError); `None`: every user of `data`.
            exclude_seen: leave out items the user already has.
            user, item, time: column names of a DataFrame `data` (`time`
                only for time-aware models).
            batch_size: users scored at once.

        Returns:
            A DataFrame with columns `user_id`, `item_id`, `score`, `rank`
            (1 = best), raw ids, `k` rows per user (fewer when a user has
            fewer than `k` unseen items).
        """
        frame = data.to_dataframe() if hasattr(data, "to_dataframe") else data
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                "`data` must be an Interactions or a pandas DataFrame. "
                f"Received: {type(data).__name__}"
            )
        if self.time_encoder is None:
            time = None
        user_ids, histories, times = frame_histories(frame, user, item, time)
        if users is not None:
            position = pd.Index(user_ids).get_indexer(list(users))
            if (position < 0).any():
                missing = np.asarray(list(users), dtype=object)[position < 0]
                raise ValueError(
                    f"{missing.size} users are not in `data`: "
                    f"{missing[:10].tolist()}"
                )
            user_ids = np.asarray(user_ids, dtype=object)[position]
            histories = [histories[i] for i in position]
            times = None if times is None else [times[i] for i in position]
        if self.item_vocabulary is None and hasattr(data, "encode_items"):
            # A model without a vocabulary works on the indices of `data`.
            histories = [data.encode_items(h) for h in histories]
            ids, scores = self._top_k(
                *self._encode_request(histories, times, None, encoded=True),
                k,
                exclude_seen,
                batch_size,
            )
            raw = data.decode_items(np.where(ids > 0, ids, 1)).astype(object)
            raw[ids == 0] = None
        else:
            raw, scores = self.recommend(
                histories,
                k=k,
                exclude_seen=exclude_seen,
                timestamps=times,
                batch_size=batch_size,
            )
        out = pd.DataFrame(
            {
                "user_id": np.repeat(np.asarray(user_ids, dtype=object), k),
                "item_id": np.asarray(raw, dtype=object).ravel(),
                "score": scores.ravel(),
                "rank": np.tile(np.arange(1, k + 1), len(user_ids)),
            }
        )
        return out[np.isfinite(out["score"].to_numpy())].reset_index(drop=True)

    def _encode_candidates(self, candidates: Sequence[Any]) -> np.ndarray:
        """Distinct item indices of an allow-list (raw ids or indices)."""
        values = list(candidates)
        if not values:
            raise ValueError(
                "`candidates` must list at least one item. Received: []"
            )
        indices = self.encode_items(np.asarray(values).ravel())
        return np.unique(np.asarray(indices, "int64"))

    def _encode_request(
        self,
        histories: Any,
        timestamps: Any,
        query_timestamps: Any,
        encoded: bool = False,
    ) -> tuple[np.ndarray, Any, Any]:
        """Left-padded indices, unix-second times and request times."""
        if self.item_vocabulary is not None and not encoded:
            if hasattr(histories, "shape") and len(histories.shape) == 2:
                raise TypeError(
                    "This model has an item vocabulary: pass `histories` as "
                    "lists of raw item ids, not a padded array."
                )
            histories = [self.encode_items(list(h)) for h in histories]
        item_ids = pad_left(histories, "histories")
        check_indices(item_ids, self.num_items, "histories")
        empty = np.flatnonzero(~(item_ids > 0).any(axis=1))
        if empty.size:
            raise ValueError(
                f"histories {empty[:10].tolist()} are empty: the model needs "
                "at least one item to go on. Recommend popular items to "
                "users without history (see keras_rec_tx.baselines)."
            )
        if self.time_encoder is None:
            return item_ids, None, None
        if timestamps is None:
            raise ValueError(
                "This model is time-aware: pass `timestamps` with the same "
                "layout as `histories`."
            )
        if hasattr(timestamps, "shape") and len(timestamps.shape) == 2:
            times = to_unix_seconds(timestamps, "timestamps")
        else:
            rows = [to_unix_seconds(list(t), "timestamps") for t in timestamps]
            times = pad_left(rows, "timestamps")
        if times.shape != item_ids.shape:
            raise ValueError(
                "`timestamps` must match `histories` in shape. Received: "
                f"{times.shape} vs {item_ids.shape}"
            )
        query = None
        if query_timestamps is not None:
            query = to_unix_seconds(query_timestamps, "query_timestamps")
            query = query.reshape(-1)
            if len(query) != len(item_ids):
                raise ValueError(
                    "`query_timestamps` needs one time per history. Received"
                    f": {len(query)} for {len(item_ids)} histories"
                )
        return item_ids, times, query

    def _top_k(
        self,
        seen: np.ndarray,
        times: Any,
        query: Any,
        k: int,
        exclude_seen: bool,
        batch_size: int,
        candidates: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` indices and scores of encoded histories `seen` (all of
        each history is excluded with `exclude_seen`, also items older than
        `max_len`), `batch_size` rows at a time; 0 past a row's unseen items."""
        k = check_int("k", k, minimum=1, maximum=self.num_items)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        exclude_seen = check_bool("exclude_seen", exclude_seen)
        item_ids = seen[:, -self.max_len :]
        inputs = {"item_ids": item_ids.astype("int32")}
        if times is not None:
            mask = item_ids > 0
            offsets = to_time_offsets(
                times[:, -self.max_len :], mask, "timestamps"
            )
            next_times = np.roll(offsets, -1, axis=1)
            next_times[:, -1] = (
                offsets[:, -1]
                if query is None
                else to_time_offsets(query, query == query, "query_timestamps")
            )
            inputs["timestamps"] = offsets
            inputs["query_timestamps"] = np.where(mask, next_times, 0)
        table = self.backbone.embeddings
        if candidates is not None:
            # Row 0 stays the padding row; the rest are the candidates',
            # and history items are renumbered to their candidate rows.
            table = ops.take(table, np.concatenate([[0], candidates]), axis=0)
            row_of = np.zeros(self.num_items + 1, "int64")
            row_of[candidates] = np.arange(1, len(candidates) + 1)
            seen = row_of[seen]
            k = min(k, len(candidates))
        out_ids, out_scores = [], []
        for start in range(0, len(item_ids), batch_size):
            batch = {
                key: value[start : start + batch_size]
                for key, value in inputs.items()
            }
            hidden = self(batch, training=False)[:, -1, :]
            # The whole history is excluded, also items older than max_len.
            exclude = seen[start : start + batch_size] if exclude_seen else None
            top_ids, top_scores = chunked_top_k(
                hidden, table, k, exclude, self.score_chunk_size
            )
            out_ids.append(ops.convert_to_numpy(top_ids))
            out_scores.append(ops.convert_to_numpy(top_scores))
        ids = np.concatenate(out_ids).astype("int64")
        scores = np.concatenate(out_scores)
        if candidates is not None:
            ids = np.concatenate([[0], candidates])[ids]
        # Past the unseen items a row holds -inf (seen or padding): "none".
        return np.where(np.isneginf(scores), 0, ids), scores
