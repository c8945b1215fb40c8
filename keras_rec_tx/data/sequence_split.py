"""A training or evaluation split of an `Interactions` log, and the two
ways to make one: leave-one-out and by time."""

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from keras_rec_tx.data._checks import to_seconds_scalar
from keras_rec_tx.data.sequence_batches import SequenceBatches

if TYPE_CHECKING:
    from keras_rec_tx.data.interactions import Interactions

_KINDS = ("train", "valid", "test")


class SequenceSplit:
    """Training sequences, or evaluation histories with one target each.

    A split holds one row per user, as views into the parent
    `Interactions` (no copy): the rows `starts[i]:ends[i]` of the
    interaction arrays. For the `"train"` split they are the user's
    training sequence (every position a next-item target). For `"valid"`
    and `"test"` they are the input history, and the interaction at row
    `ends[i]` is the target. Splits come from
    `Interactions.leave_one_out()` or `Interactions.time_split()`; call
    `batches()` to feed a model.

    Args:
        interactions: the parent `Interactions`.
        users: user indices, one per row.
        starts: first interaction row of each sequence (int).
        ends: end (exclusive) of each sequence; for evaluation splits the
            target's row.
        kind: `"train"`, `"valid"` or `"test"`.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
    train, valid, test = data.leave_one_out()
    x, y, sample_weight = train.batches(batch_size=8, max_len=10)[0]
    x, y = test.batches(batch_size=8, max_len=10)[0]  # y: (8,) targets
    ```
    """

    def __init__(
        self,
        interactions: "Interactions",
        users,
        starts,
        ends,
        kind: str,
    ):
        if kind not in _KINDS:
            raise ValueError(
                f"kind must be one of {_KINDS}. Received: kind={kind!r}"
            )
        users = np.asarray(users, dtype=np.int64)
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if not users.shape == starts.shape == ends.shape:
            raise ValueError("users, starts and ends must have one shape.")
        offsets = interactions.offsets
        if len(users) and (
            (starts < offsets[users]).any()
            or (ends > offsets[users + 1]).any()
            or (ends < starts).any()
        ):
            raise ValueError("Each row must lie inside its user's sequence.")
        if kind != "train" and len(users):
            if (ends >= offsets[users + 1]).any() or (ends <= starts).any():
                raise ValueError(
                    "An evaluation row needs a non-empty history and a "
                    "target inside the user's sequence."
                )
        for array in (users, starts, ends):
            array.setflags(write=False)
        self._interactions = interactions
        self._users = users
        self._starts = starts
        self._ends = ends
        self._kind = kind

    @property
    def interactions(self) -> "Interactions":
        return self._interactions

    @property
    def kind(self) -> str:
        """`"train"`, `"valid"` or `"test"`."""
        return self._kind

    @property
    def is_training(self) -> bool:
        return self._kind == "train"

    @property
    def users(self) -> np.ndarray:
        """User index (0-based) of each row."""
        return self._users

    @property
    def starts(self) -> np.ndarray:
        return self._starts

    @property
    def ends(self) -> np.ndarray:
        return self._ends

    @property
    def num_sequences(self) -> int:
        return len(self._users)

    def __len__(self) -> int:
        return self.num_sequences

    @property
    def lengths(self) -> np.ndarray:
        """Length of each training sequence or evaluation history."""
        return self._ends - self._starts

    @property
    def targets(self) -> np.ndarray | None:
        """int32 target item of each row (evaluation splits), else `None`."""
        if self.is_training:
            return None
        return self._interactions.item_indices[self._ends]

    def sequences(self) -> list:
        """Item-index arrays: training sequences or evaluation histories."""
        items = self._interactions.item_indices
        pairs = zip(self._starts.tolist(), self._ends.tolist(), strict=True)
        return [items[s:e] for s, e in pairs]

    def to_dataframe(self) -> pd.DataFrame:
        """The interactions this split trains or evaluates on.

        For `"train"` every interaction of the training sequences; for
        `"valid"`/`"test"` the target interactions. Columns: `user_id`,
        `item_id` (original ids) and `timestamp` when there is time.
        """
        data = self._interactions
        if self.is_training:
            lengths = self.lengths
            rows = np.repeat(self._ends - np.cumsum(lengths), lengths)
            rows += np.arange(lengths.sum())
            users = np.repeat(self._users, lengths)
        else:
            rows, users = self._ends, self._users
        columns = {
            "user_id": data.user_ids[users],
            "item_id": data.item_ids[data.item_indices[rows] - 1],
        }
        if data.has_time:
            columns["timestamp"] = data.timestamps[rows]
        return pd.DataFrame(columns)

    def batches(self, **kwargs: Any) -> SequenceBatches:
        """Returns a `keras.utils.PyDataset` of `(x, y)` batches
        (`(x, y, sample_weight)` for bucketed training batches).

        The keyword arguments are those of
        `keras_rec_tx.data.SequenceBatches` (`batch_size`, `max_len`,
        `shuffle`, `seed`, `bucketing`, `protocol`, ...), with its
        defaults; see it for their meaning and the batch layout. They are
        forwarded, not repeated here, so the two cannot drift apart.

        Example:

        ```python
        import keras_rec_tx

        data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
        train, valid, _ = data.leave_one_out()
        batches = train.batches(batch_size=16, max_len=10, seed=0)
        ```
        """
        return SequenceBatches(self, **kwargs)

    def __repr__(self) -> str:
        lengths = self.lengths
        mean = float(lengths.mean()) if len(lengths) else 0.0
        return (
            f"SequenceSplit(kind={self._kind!r}, "
            f"sequences={self.num_sequences:,}, "
            f"interactions={int(lengths.sum()):,}, mean_length={mean:.1f})"
        )


def leave_one_out(interactions: "Interactions") -> tuple:
    """`Interactions.leave_one_out`: `(train, valid, test)`."""
    starts = interactions.offsets[:-1]
    ends = interactions.offsets[1:]
    users = np.arange(interactions.num_users)
    evaluated = (ends - starts) >= 3
    train = SequenceSplit(
        interactions, users, starts, ends - 2 * evaluated, kind="train"
    )
    e_users = users[evaluated]
    e_starts, e_ends = starts[evaluated], ends[evaluated]
    valid = SequenceSplit(interactions, e_users, e_starts, e_ends - 2, "valid")
    test = SequenceSplit(interactions, e_users, e_starts, e_ends - 1, "test")
    return train, valid, test


def time_split(interactions: "Interactions", valid_time, test_time) -> tuple:
    """`Interactions.time_split`: `(train, valid, test)`."""
    if not interactions.has_time:
        raise ValueError(
            "time_split needs timestamps; these interactions have none. "
            "Use leave_one_out() instead."
        )
    valid_time = to_seconds_scalar(valid_time, "valid_time")
    test_time = to_seconds_scalar(test_time, "test_time")
    if valid_time > test_time:
        raise ValueError(
            "valid_time must be <= test_time. Received: "
            f"valid_time={valid_time}, test_time={test_time}"
        )
    starts, ends = interactions.offsets[:-1], interactions.offsets[1:]
    users = np.arange(interactions.num_users)
    ts = interactions.timestamps
    cum_valid = np.concatenate([[0], np.cumsum(ts < valid_time)])
    cum_test = np.concatenate([[0], np.cumsum(ts < test_time)])
    before_valid = cum_valid[ends] - cum_valid[starts]
    before_test = cum_test[ends] - cum_test[starts]
    train_ends = starts + before_valid
    has_train = before_valid > 0
    train = SequenceSplit(
        interactions,
        users[has_train],
        starts[has_train],
        train_ends[has_train],
        kind="train",
    )
    splits = [train]
    for name, before, limit in (
        ("valid", before_valid, test_time),
        ("test", before_test, None),
    ):
        target = starts + before
        ok = (before > 0) & (target < ends)
        if limit is not None:
            ok &= ts[np.minimum(target, len(ts) - 1)] < limit
        splits.append(
            SequenceSplit(interactions, users[ok], starts[ok], target[ok], name)
        )
    return tuple(splits)
