"""Interaction logs stored per user in time order."""

import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from keras_rec_tx.data import _checks, _sorting
from keras_rec_tx.data.sequence_split import leave_one_out, time_split
from keras_rec_tx.utils import check_choice, check_float, check_int
from keras_rec_tx.utils.requests import TIME_ORIGIN

_DEDUPE = ("keep_all", "first", "last")


class Interactions:
    """User-item interactions, one time-ordered sequence per user.

    Item ids are remapped to indices `1..num_items` (`0` is padding) in the
    sorted order of the original ids (`pd.factorize(sort=True) + 1`); users
    to `0..num_users - 1` the same way. The log is stored compactly as
    numpy CSR arrays: `offsets` (int64, `num_users + 1`), `item_indices`
    (int32) and `timestamps` (int64 unix seconds, or `None`). Each user's
    interactions are sorted by time with a stable sort, so ties keep their
    input order.

    Build one with `Interactions.from_dataframe(...)` or
    `Interactions.from_sequences(...)`; the constructor takes the CSR arrays
    directly. Objects are immutable: preprocessing methods (`k_core`,
    `min_sequence_length`) return new ones.

    Args:
        offsets: int array `(num_users + 1,)`, user `u` owns rows
            `offsets[u]:offsets[u + 1]`. Starts at 0, non-decreasing.
        item_indices: int array of item indices in `1..num_items`.
        timestamps: optional int array of unix seconds, same length.
        item_ids: original item ids, `item_ids[i - 1]` for index `i`.
            Defaults to the indices themselves (`1..max index`).
        user_ids: original user ids, `user_ids[u]` for user `u`.
            Defaults to `0..num_users - 1`.
        item_titles: optional mapping item index -> title.

    Example:

    ```python
    import pandas as pd
    import keras_rec_tx

    df = pd.DataFrame({
        "user_id": ["a", "a", "a", "b", "b", "b"],
        "item_id": [10, 20, 30, 20, 30, 40],
        "timestamp": [1, 2, 3, 1, 2, 3],
    })
    data = keras_rec_tx.data.Interactions.from_dataframe(
        df, user="user_id", item="item_id", time="timestamp"
    )
    train, valid, test = data.leave_one_out()
    print(data.summary())
    ```
    """

    def __init__(
        self,
        offsets,
        item_indices,
        timestamps=None,
        *,
        item_ids=None,
        user_ids=None,
        item_titles: Mapping | None = None,
    ):
        offsets = _checks.int_array("offsets", offsets).astype(np.int64)
        items = _checks.int_array("item_indices", item_indices)
        if items.ndim != 1 or offsets.ndim != 1 or len(offsets) < 1:
            raise ValueError(
                "offsets and item_indices must be 1-D arrays. Received: "
                f"offsets.shape={offsets.shape}, "
                f"item_indices.shape={items.shape}"
            )
        if (
            offsets[0] != 0
            or offsets[-1] != len(items)
            or (np.diff(offsets) < 0).any()
        ):
            raise ValueError(
                "offsets must start at 0, be non-decreasing and end at "
                f"len(item_indices)={len(items)}. Received: offsets="
                f"{offsets[:5]}...{offsets[-1:]}"
            )
        if len(items) and items.min() < 1:
            raise ValueError(
                "item_indices must be >= 1 (0 is padding). "
                f"Received: min(item_indices)={items.min()}"
            )
        if item_ids is None:
            item_ids = np.arange(1, int(items.max(initial=0)) + 1)
        item_ids = np.asarray(item_ids)
        if len(items) and items.max() > len(item_ids):
            raise ValueError(
                f"item_indices go up to {items.max()} but only "
                f"{len(item_ids)} item_ids were given."
            )
        if len(item_ids) >= 2**31:
            raise ValueError(f"Too many items for int32: {len(item_ids)}")
        if user_ids is None:
            user_ids = np.arange(len(offsets) - 1)
        user_ids = np.asarray(user_ids)
        if len(user_ids) != len(offsets) - 1:
            raise ValueError(
                f"Expected {len(offsets) - 1} user_ids, received "
                f"{len(user_ids)}."
            )
        if timestamps is not None:
            timestamps = _checks.int_array("timestamps", timestamps).astype(
                np.int64
            )
            if timestamps.shape != items.shape:
                raise ValueError(
                    "timestamps must have the shape of item_indices. "
                    f"Received: timestamps.shape={timestamps.shape}, "
                    f"item_indices.shape={items.shape}"
                )
            timestamps = timestamps.view()
            timestamps.setflags(write=False)
        # Read-only views: the caller's arrays stay writeable.
        self._offsets = offsets.view()
        self._items = items.astype(np.int32, copy=False).view()
        self._timestamps = timestamps
        self._item_ids = item_ids.view()
        self._user_ids = user_ids.view()
        self._item_titles = dict(item_titles) if item_titles else None
        self._time_offsets = None
        for array in (
            self._offsets,
            self._items,
            self._item_ids,
            self._user_ids,
        ):
            array.setflags(write=False)

    # ------------------------------------------------------------------
    # Constructors.

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        user: str = "user_id",
        item: str = "item_id",
        time: str | None = None,
        rating: str | None = None,
        min_rating: float | None = None,
        dedupe: str = "keep_all",
        item_titles: Mapping | pd.Series | None = None,
    ) -> "Interactions":
        """Builds `Interactions` from a DataFrame with one row per event.

        Args:
            df: the log, one row per interaction, ids of any dtype.
            user: user id column.
            item: item id column.
            time: optional timestamp column: unix seconds (ints or floats,
                floored), or datetime64 (tz-aware ones are converted to
                UTC). A column whose values are all >= 1e11 is read as
                milliseconds (warning, divided by 1000); one that mixes
                values above and below 1e11 raises a ValueError.
            rating: rating column, needed only with `min_rating`.
            min_rating: keep rows with `rating >= min_rating`. Ratings
                must then be finite numbers >= 0 (half stars are fine).
            dedupe: what to do with rows repeating a (user, item) pair:
                `"keep_all"` keeps them (repeat consumption) and warns once
                with their count; `"first"` keeps the earliest
                interaction of each pair, `"last"` the latest.
            item_titles: optional mapping original item id -> title.

        Returns:
            An `Interactions`. A single-user log gives a warning (a
            leave-one-out split of it still works).
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(
                "`df` must be a pandas DataFrame. Received: df of type "
                f"{type(df).__name__}"
            )
        dedupe = check_choice("dedupe", dedupe, _DEDUPE)
        min_rating = check_float(
            "min_rating", min_rating, minimum=0.0, allow_none=True
        )
        if item_titles is not None and not isinstance(
            item_titles, (Mapping, pd.Series)
        ):
            raise TypeError(
                "`item_titles` must be a mapping item id -> title or a "
                "pandas Series. Received: item_titles of type "
                f"{type(item_titles).__name__}"
            )
        roles = {"user": user, "item": item, "time": time, "rating": rating}
        _checks.check_roles(df, roles)
        _checks.check_columns(df, roles)
        if len(df) == 0:
            raise ValueError(
                "The DataFrame is empty: there are no interactions to load."
            )
        _checks.check_ids(df[user], user)
        _checks.check_ids(df[item], item)
        if min_rating is not None:
            if rating is None:
                raise ValueError(
                    "min_rating needs a rating column: pass rating=<column>. "
                    f"Received: min_rating={min_rating!r}, rating=None"
                )
            keep = _checks.check_ratings(df[rating], rating, min_rating)
            if not keep.any():
                raise ValueError(
                    f"No interaction has {rating!r} >= {min_rating}: "
                    "nothing is left. Lower min_rating."
                )
            if not keep.all():
                df = df.loc[keep]
        times = None if time is None else _checks.to_seconds(df[time], time)
        users, user_ids = _checks.factorize(df[user].to_numpy(), user, 0)
        items, item_ids = _checks.factorize(df[item].to_numpy(), item, 1)
        titles = None
        if item_titles is not None:
            lookup = (
                item_titles.to_dict()
                if isinstance(item_titles, pd.Series)
                else item_titles
            )
            titles = {
                i + 1: lookup[key]
                for i, key in enumerate(item_ids.tolist())
                if key in lookup
            }
        return cls._from_codes(
            users, items, times, user_ids, item_ids, titles, dedupe
        )

    @classmethod
    def from_sequences(
        cls,
        sequences: Sequence[Sequence],
        timestamps: Sequence[Sequence] | None = None,
        *,
        user_ids: Sequence | None = None,
        dedupe: str = "keep_all",
        item_titles: Mapping | None = None,
    ) -> "Interactions":
        """Builds `Interactions` from ready, time-ordered sequences.

        Args:
            sequences: one list of item ids (any hashable dtype) per user,
                oldest first. Empty lists are dropped.
            timestamps: optional, one list of unix seconds per sequence.
            user_ids: optional original user ids, one per sequence
                (default: the position in `sequences`).
            dedupe: as in `from_dataframe`.
            item_titles: optional mapping original item id -> title.
        """
        sequences = _checks.list_of_lists("sequences", sequences)
        if user_ids is None:
            user_ids = np.arange(len(sequences))
        if isinstance(user_ids, (str, bytes)) or not isinstance(
            user_ids, Iterable
        ):
            raise TypeError(
                "`user_ids` must be a list with one id per sequence. "
                f"Received: user_ids={user_ids!r}"
            )
        user_ids = list(user_ids)
        if len(user_ids) != len(sequences):
            raise ValueError(
                f"Expected one user id per sequence ({len(sequences)}). "
                f"Received: len(user_ids)={len(user_ids)}"
            )
        if len(set(map(_checks.hashable, user_ids))) != len(user_ids):
            raise ValueError(
                "`user_ids` must be unique (one sequence per user). "
                f"Received: user_ids={user_ids[:10]!r}"
            )
        lengths = np.array([len(s) for s in sequences], dtype=np.int64)
        data = {
            "user": np.repeat(np.asarray(user_ids), lengths),
            "item": [i for s in sequences for i in s],
        }
        time = None
        if timestamps is not None:
            timestamps = _checks.list_of_lists("timestamps", timestamps)
            stamp_lengths = [len(t) for t in timestamps]
            if stamp_lengths != lengths.tolist():
                raise ValueError(
                    "timestamps must have one list per sequence, with the "
                    "same lengths as the sequences."
                )
            data["time"] = [t for ts in timestamps for t in ts]
            time = "time"
        df = pd.DataFrame(data)
        return cls.from_dataframe(
            df,
            user="user",
            item="item",
            time=time,
            dedupe=dedupe,
            item_titles=item_titles,
        )

    @classmethod
    def _from_codes(
        cls, users, items, times, user_ids, item_ids, titles, dedupe
    ):
        """Sorts coded rows by (user, time) stably and builds the CSR."""
        if not _sorting.grouped(users, times):
            # By time, then stably by user: each user's rows in time
            # order, ties in input order (as a lexsort of (times, users)).
            order = None
            if times is not None:
                order = _sorting.stable_argsort(times - times.min())
            by_user = _sorting.stable_argsort(
                users if order is None else users[order]
            )
            order = by_user if order is None else order[by_user]
            del by_user
            items = items[order]
            times = None if times is None else times[order]
            del order
            # Sorted users are runs of 0, 1, ...: counted, not gathered.
            counts = np.bincount(users, minlength=len(user_ids))
            users = np.repeat(np.arange(len(user_ids)), counts)
        # Repeated (user, item) pairs are equal neighbours once the pairs
        # are sorted; with dedupe, a stable sort keeps them in time order,
        # so the first of each run is the earliest.
        pair = users.astype(np.int64)
        pair *= len(item_ids) + 1
        pair += items
        if dedupe == "keep_all":
            pair.sort()  # only counted: any order of equal pairs will do
            repeats = int(np.count_nonzero(pair[1:] == pair[:-1]))
            del pair
            if repeats:
                warnings.warn(
                    f"{repeats} rows repeat a (user, item) pair seen "
                    "before; they are all kept. Pass dedupe='first' or "
                    "dedupe='last' to keep one interaction per pair.",
                    UserWarning,
                    stacklevel=3,
                )
        else:
            by_pair = _sorting.stable_argsort(pair)
            pair = pair[by_pair]
            repeat = pair[1:] == pair[:-1]
            del pair
            if repeat.any():
                drop = np.zeros(len(users), dtype=bool)
                if dedupe == "first":
                    drop[by_pair[1:][repeat]] = True
                else:
                    drop[by_pair[:-1][repeat]] = True
                keep = ~drop
                users, items = users[keep], items[keep]
                times = None if times is None else times[keep]
            del by_pair, repeat
        counts = np.bincount(users, minlength=len(user_ids))
        offsets = np.zeros(len(user_ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        if len(user_ids) == 1:
            warnings.warn(
                "The log has a single user: models will learn from one "
                "sequence only. Check the user column.",
                UserWarning,
                stacklevel=3,
            )
        return cls(
            offsets,
            items.astype(np.int32),
            times,
            item_ids=item_ids,
            user_ids=user_ids,
            item_titles=titles,
        )

    # ------------------------------------------------------------------
    # Properties.

    @property
    def num_users(self) -> int:
        return len(self._offsets) - 1

    @property
    def num_items(self) -> int:
        """Catalogue size; valid item indices are `1..num_items`."""
        return len(self._item_ids)

    @property
    def num_interactions(self) -> int:
        return len(self._items)

    @property
    def has_time(self) -> bool:
        return self._timestamps is not None

    @property
    def offsets(self) -> np.ndarray:
        """int64 `(num_users + 1,)`: user `u` owns `offsets[u]:offsets[u+1]`."""
        return self._offsets

    @property
    def item_indices(self) -> np.ndarray:
        """int32 item indices (1-based) of every interaction, by user."""
        return self._items

    @property
    def timestamps(self) -> np.ndarray | None:
        """int64 unix seconds of every interaction, or `None`."""
        return self._timestamps

    @property
    def lengths(self) -> np.ndarray:
        """int64 number of interactions of each user."""
        return np.diff(self._offsets)

    @property
    def item_ids(self) -> np.ndarray:
        """Original item ids: `item_ids[i - 1]` is the id of index `i`."""
        return self._item_ids

    @property
    def user_ids(self) -> np.ndarray:
        """Original user ids: `user_ids[u]` is the id of user `u`."""
        return self._user_ids

    @property
    def item_titles(self) -> dict | None:
        """Mapping item index -> title, or `None`."""
        return self._item_titles

    @property
    def time_origin(self) -> int | None:
        """`TIME_ORIGIN` (fixed, week-aligned) when there is time, else
        `None`."""
        if self._timestamps is None or not len(self._timestamps):
            return None
        return TIME_ORIGIN

    def time_offsets(self) -> np.ndarray:
        """int32 seconds since `time_origin` of every interaction.

        Computed in int64 and checked to fit int32 (about 68 years).
        """
        if self._timestamps is None:
            raise ValueError("These interactions have no timestamps.")
        if self._time_offsets is None:
            offsets = self._timestamps - self.time_origin
            info = np.iinfo(np.int32)
            if len(offsets) and (
                offsets.max() > info.max or offsets.min() < info.min
            ):
                raise ValueError(
                    "Timestamps must be unix seconds between 1931-12 and "
                    "2068-01 (int32 seconds from the origin "
                    f"{self.time_origin}). Received: min "
                    f"{self._timestamps.min()}, max {self._timestamps.max()}"
                )
            self._time_offsets = offsets.astype(np.int32)
            self._time_offsets.setflags(write=False)
        return self._time_offsets

    # ------------------------------------------------------------------
    # Look-ups.

    def sequence(self, user: int) -> np.ndarray:
        """Item indices of user `user` (0-based), oldest first."""
        user = check_int("user", user, minimum=0, maximum=self.num_users - 1)
        return self._items[self._offsets[user] : self._offsets[user + 1]]

    def encode_items(self, ids) -> np.ndarray:
        """Maps original item ids to indices (int32, same shape)."""
        ids = _checks.as_array("ids", ids)
        index = pd.Index(self._item_ids).get_indexer(ids.ravel())
        unseen = index < 0
        if unseen.any():
            missing = ids.ravel()[unseen]
            raise ValueError(
                f"{len(missing)} item ids are not in the catalogue of "
                f"{self.num_items} items: {missing[:10].tolist()}"
                f"{' ...' if len(missing) > 10 else ''}"
            )
        return (index + 1).astype(np.int32).reshape(ids.shape)

    def decode_items(self, indices) -> np.ndarray:
        """Maps item indices (1..num_items) back to original ids."""
        indices = _checks.int_array("indices", indices, ndim=None)
        bad = (indices < 1) | (indices > self.num_items)
        if bad.any():
            raise ValueError(
                f"Item indices must be in [1, {self.num_items}] (0 is "
                f"padding). Received: {indices[bad][:10].tolist()}"
            )
        return self._item_ids[indices - 1]

    def to_dataframe(self) -> pd.DataFrame:
        """The log with original ids: `user_id`, `item_id`[, `timestamp`]."""
        columns = {
            "user_id": np.repeat(self._user_ids, self.lengths),
            "item_id": self._item_ids[self._items - 1],
        }
        if self.has_time:
            columns["timestamp"] = self._timestamps
        return pd.DataFrame(columns)

    def summary(self) -> dict:
        """Counts: users, items, interactions, lengths and density."""
        lengths = self.lengths
        summary = {
            "users": self.num_users,
            "items": self.num_items,
            "interactions": self.num_interactions,
            "mean_length": float(lengths.mean()) if len(lengths) else 0.0,
            "median_length": (
                float(np.median(lengths)) if len(lengths) else 0.0
            ),
            "density": self.num_interactions
            / max(1, self.num_users * self.num_items),
            "has_time": self.has_time,
        }
        return summary

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"Interactions(users={s['users']:,}, items={s['items']:,}, "
            f"interactions={s['interactions']:,}, "
            f"mean_length={s['mean_length']:.1f}, "
            f"median_length={s['median_length']:.1f}, "
            f"density={s['density']:.4%}, has_time={s['has_time']})"
        )

    def __len__(self) -> int:
        return self.num_interactions

    # ------------------------------------------------------------------
    # Preprocessing.

    def _user_of_rows(self) -> np.ndarray:
        return np.repeat(np.arange(self.num_users), self.lengths)

    def _subset(self, keep: np.ndarray, what: str) -> "Interactions":
        """Keeps rows where `keep`; drops empty users and unused items."""
        if not keep.any():
            raise ValueError(f"{what} removed every interaction.")
        users = self._user_of_rows()[keep]
        items = self._items[keep]
        user_present = np.bincount(users, minlength=self.num_users) > 0
        user_map = np.cumsum(user_present) - 1
        item_present = np.zeros(self.num_items + 1, dtype=bool)
        item_present[items] = True
        item_map = np.cumsum(item_present)
        new_items = item_map[items].astype(np.int32)
        counts = np.bincount(user_map[users], minlength=user_present.sum())
        offsets = np.concatenate([[0], np.cumsum(counts)])
        titles = None
        if self._item_titles:
            titles = {
                int(item_map[i]): t
                for i, t in self._item_titles.items()
                if item_present[i]
            }
        return Interactions(
            offsets,
            new_items,
            None if self._timestamps is None else self._timestamps[keep],
            item_ids=self._item_ids[item_present[1:]],
            user_ids=self._user_ids[user_present],
            item_titles=titles,
        )

    def k_core(self, user_k: int = 5, item_k: int = 5) -> "Interactions":
        """Iterative k-core: every user and item keeps >= k interactions.

        Removes users with fewer than `user_k` interactions and items with
        fewer than `item_k`, repeating until both hold. Counts are
        interactions (repeats included). Items are re-indexed to
        `1..num_items` of the result.
        """
        user_k = check_int("user_k", user_k, minimum=1)
        item_k = check_int("item_k", item_k, minimum=1)
        users = self._user_of_rows()
        keep = np.ones(self.num_interactions, dtype=bool)
        while True:
            user_counts = np.bincount(
                users, weights=keep, minlength=self.num_users
            )
            item_counts = np.bincount(
                self._items, weights=keep, minlength=self.num_items + 1
            )
            new_keep = (
                keep
                & (user_counts[users] >= user_k)
                & (item_counts[self._items] >= item_k)
            )
            if (new_keep == keep).all():
                break
            keep = new_keep
        return self._subset(keep, f"k_core(user_k={user_k}, item_k={item_k})")

    def min_sequence_length(self, n: int) -> "Interactions":
        """Keeps users with at least `n` interactions (items re-indexed)."""
        n = check_int("n", n, minimum=1)
        keep = np.repeat(self.lengths >= n, self.lengths)
        return self._subset(keep, f"min_sequence_length({n})")

    # ------------------------------------------------------------------
    # Splits.

    def leave_one_out(self) -> tuple:
        """Leave-one-out split by time order (SASRec protocol).

        For each user with at least 3 interactions the last item is the test
        target, the second-last the validation target and the rest is
        training data; users with fewer than 3 interactions are in the
        training split only. The validation input history is the training
        sequence; the test history is training + validation item.

        Returns:
            `(train, valid, test)`, three `SequenceSplit`s.
        """
        return leave_one_out(self)

    def time_split(self, valid_time, test_time) -> tuple:
        """Global temporal split at two cut-off times.

        - train: every interaction before `valid_time`.
        - valid: for each user, the first interaction in
          `[valid_time, test_time)` is the target; its history is every
          earlier interaction of the user.
        - test: for each user, the first interaction at or after
          `test_time` is the target; its history is every earlier
          interaction (training and validation period).

        Users without any interaction before a target get no sample for
        it (a history is needed); later interactions of a period are not
        used as targets. Times are unix seconds (ints) or anything
        `pd.Timestamp` reads (naive dates are UTC).

        Returns:
            `(train, valid, test)`, three `SequenceSplit`s.
        """
        return time_split(self, valid_time, test_time)
