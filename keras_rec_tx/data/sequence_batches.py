"""Padded, length-bucketed batches of a `SequenceSplit` for Keras."""

import math
from typing import TYPE_CHECKING

import keras
import numpy as np

from keras_rec_tx.utils import (
    check_bool,
    check_choice,
    check_int,
    check_int_list,
)

if TYPE_CHECKING:
    from keras_rec_tx.data.sequence_split import SequenceSplit

_PROTOCOLS = ("full", "sampled")


MAX_BUCKETS = 4
BUCKET_TOLERANCE = 0.1


def default_bucket_lengths(
    lengths, max_len: int, max_buckets: int = MAX_BUCKETS
) -> np.ndarray:
    """The fewest bucket lengths that pad `lengths` almost as little as
    `max_buckets` lengths can.

    Each bucket length is one program to compile (JAX, TensorFlow's XLA),
    so the count stays small and bounded whatever the data: for `k = 1 ..
    max_buckets`, the `k` lengths that minimise the padded positions of
    `lengths` (each sequence padded to the smallest length that holds it;
    exact dynamic programming over the distinct lengths, or over ~256 of
    them for a longer `max_len`) are found, and
    the smallest `k` is kept whose positions (real and padding: what a
    step costs) are at most 10% more than with `max_buckets` lengths.
    `max_len` is appended when missing (no sequence is longer than the
    largest length kept, so no batch uses it).

    Args:
        lengths: the sequence lengths (each at most `max_len`).
        max_len: the longest length.
        max_buckets: the most lengths chosen (an unused `max_len` may
            come on top).

    Returns:
        The sorted int64 bucket lengths.

    Example:

    >>> default_bucket_lengths([2, 2, 3, 9, 10, 50], 50).tolist()
    [3, 10, 50]
    """
    max_len = check_int("max_len", max_len, minimum=1)
    max_buckets = check_int("max_buckets", max_buckets, minimum=1)
    lengths = np.minimum(np.asarray(lengths, np.int64), max_len)
    # At most ~256 candidate lengths (multiples of `step`): the search
    # below takes memory quadratic in their number.
    step = -(-max_len // 256)
    lengths = np.minimum(-(-lengths // step) * step, max_len)
    counts = np.bincount(lengths, minlength=max_len + 1)
    values = np.flatnonzero(counts)
    if not len(values):
        return np.array([max_len], dtype=np.int64)
    num = np.concatenate([[0], np.cumsum(counts[values])])
    real = np.concatenate([[0], np.cumsum(counts[values] * values)])
    n = len(values)
    # cost[b, j]: fewest padding positions of the `j` shortest distinct
    # lengths in `b` buckets, the last of which is `values[j - 1]`.
    i, j = np.triu_indices(n + 1, 1)  # a bucket holds values[i:j]
    group = np.full((n + 1, n + 1), np.inf)
    group[i, j] = (num[j] - num[i]) * values[j - 1] - (real[j] - real[i])
    cost = np.full((max_buckets + 1, n + 1), np.inf)
    cost[0, 0] = 0.0
    start = np.zeros((max_buckets + 1, n + 1), np.int64)
    for b in range(1, max_buckets + 1):
        total = cost[b - 1][:, None] + group
        start[b] = np.argmin(total, axis=0)
        cost[b] = total[start[b], np.arange(n + 1)]
    positions = cost[1:, n] + real[n]  # padded and real
    limit = positions.min() * (1 + BUCKET_TOLERANCE)
    k = int(np.argmax(positions <= limit)) + 1
    chosen, end = [], n
    for b in range(k, 0, -1):
        chosen.append(int(values[end - 1]))
        end = start[b, end]
    chosen = sorted(chosen)
    if chosen[-1] != max_len:
        chosen.append(max_len)
    return np.array(chosen, dtype=np.int64)


def _sample_negatives(data, users, num, rng) -> np.ndarray:
    """`num` distinct items per user, drawn uniformly from unseen items."""
    num_items = data.num_items
    offsets, items = data.offsets, data.item_indices
    keys = np.unique(
        np.repeat(np.arange(data.num_users, dtype=np.int64), data.lengths)
        * (num_items + 1)
        + items
    )
    seen = np.bincount(keys // (num_items + 1), minlength=data.num_users)
    available = num_items - seen[users]
    if len(users) and available.min() < num:
        i = int(np.argmin(available))
        raise ValueError(
            f"User {users[i]} interacted with {seen[users[i]]} of "
            f"{num_items} items: fewer than num_candidates={num} items are "
            "left to sample. Lower num_candidates."
        )

    def is_bad(rows, cand):
        """Seen by the user, or a repeat within the row."""
        query = users[rows, None] * (num_items + 1) + cand
        where = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
        order = np.argsort(cand, axis=1, kind="stable")
        ranked = np.take_along_axis(cand, order, axis=1)
        repeat_ranked = np.zeros(cand.shape, dtype=bool)
        repeat_ranked[:, 1:] = ranked[:, 1:] == ranked[:, :-1]
        repeat = np.empty_like(repeat_ranked)
        np.put_along_axis(repeat, order, repeat_ranked, axis=1)
        return (keys[where] == query) | repeat

    out = rng.integers(1, num_items + 1, size=(len(users), num))
    # Rejection sampling where most items are unseen; explicit otherwise.
    dense = available < np.maximum(2 * num, num_items // 2)
    rows = np.flatnonzero(~dense)
    for _ in range(1000):
        if not len(rows):
            break
        bad = is_bad(rows, out[rows])
        keep = bad.any(axis=1)
        rows, bad = rows[keep], bad[keep]
        redraw = out[rows]
        redraw[bad] = rng.integers(1, num_items + 1, size=int(bad.sum()))
        out[rows] = redraw
    dense[rows] = True
    for row in np.flatnonzero(dense):
        user = users[row]
        seen_items = items[offsets[user] : offsets[user + 1]]
        pool = np.setdiff1d(np.arange(1, num_items + 1), seen_items)
        out[row] = rng.choice(pool, size=num, replace=False)
    return out.astype(np.int32)


class SequenceBatches(keras.utils.PyDataset):
    """A `keras.utils.PyDataset` of padded batches of a `SequenceSplit`.

    Sequences are LEFT-padded with 0, so the last column always holds the
    newest item. Histories longer than `max_len` keep their newest
    `max_len` items.

    Training split: one sequence per user per epoch (users with at least
    two training items). `x["item_ids"]` holds `seq[:-1]` and `y` holds
    `seq[1:]` (the next item at every position, 0 at padding), both int32
    `(B, L)`. With `random_crop=True` a sequence longer than `max_len + 1`
    gives, each epoch, a random window of `max_len + 1` consecutive items
    instead of the newest one.

    Evaluation splits (`"valid"`, `"test"`): `x["item_ids"]` is the history
    (newest `max_len` items), `y` the int32 `(B,)` target. With
    `protocol="sampled"` (the SASRec paper's sampled-100), at most
    `max_users` users (a seeded draw) are kept and `x["candidates"]`, int32
    `(B, num_candidates + 1)`, holds the target in column 0 and
    `num_candidates` distinct items the user never interacted with in any
    split, drawn uniformly once (seeded).

    With timestamps, `x` also has `"timestamps"` (int32 seconds since the
    fixed week-aligned origin `keras_rec_tx.data.TIME_ORIGIN`, 0 at padding) and
    `"query_timestamps"` (the time of the next item of each position, i.e.
    of the target; for evaluation the last column is the request time).

    Length bucketing: each sequence is padded to the smallest bucket
    length that holds it; batches are formed from sequences sorted by
    bucket (random order inside a bucket), and a batch is padded to the
    bucket of its longest member. Only the last batch of an epoch can be
    smaller than `batch_size`; for the training split it is padded to
    `batch_size` rows (`pad_last_batch`, see "Padding rows"). Without
    bucketing every batch is padded to `max_len`. The batch order is
    shuffled each epoch (training default); the order of epoch `e`
    depends only on `(seed, e)`. The first two batches of an epoch have
    different lengths where possible, because TensorFlow infers the
    `tf.data` signature from them.

    Compile once: under JAX (and TensorFlow's XLA) every distinct batch
    shape is one more program to compile, which can take longer than
    several epochs of a small dataset. The default bucket lengths are
    therefore few, and chosen from the data: the fewest (at most
    `max_buckets`, 4) that pad this split's sequences to at most 10% more
    positions than the best `max_buckets` lengths would
    (`default_bucket_lengths`). A training epoch then has at most
    `max_buckets` batch shapes whatever the dataset (MovieLens-100k at
    `max_len=50`: two).

    Token weighting: the model's training loss is the mean over a batch's
    real (non-padding) positions. Bucketed batches differ a lot in their
    number of real positions, so a plain mean would weigh a position of a
    short-sequence batch many times more than one of a long-sequence batch
    (padded batches differ far less; `benchmarks/batch_tokens.py` measures
    both on a dataset). With
    `token_weighting` (the default for bucketed training batches) a
    training batch is `(x, y, sample_weight)`: `sample_weight`, float32
    `(B, L)` like `y`, is 0 at padding and, at every real position, the
    batch's number of real positions divided by its mean over batches
    (`batch_size` times the mean sequence length). Every real position
    then weighs the same in every batch, as without bucketing. A plain
    Keras model trained on these batches receives the same weights.

    Padding rows (many devices): under a `keras.distribution` (JAX), each
    batch is split over the devices of its batch axis, so its row count
    must be a multiple of their number (the bucketed batches, and the
    last one, rarely are). A batch is padded up to a multiple of that
    number and of `row_multiple` with rows that hold no item and no
    target: `y` is 0 (every loss skips it; a `SequentialRecommender`
    counts an evaluation row with target 0 in no metric) and
    `sample_weight` is 0. With several processes (multi-host), each one
    gives its own contiguous share of every padded batch, which is what
    `keras.distribution` expects of each process (build the distribution
    with `auto_shard_dataset=False`: Keras shards only `tf.data` sets
    itself). `pad_last_batch` (the default for the training split) pads
    the smaller last batch to `batch_size` rows, so that every batch of a
    length has one shape (compiled once); its users' negatives may then
    differ from those of the unpadded batch, as they are drawn per row.
    Evaluation splits are not padded by default, so that their batches
    hold their users only (`predict`, your own loops); the trainer
    (`keras_rec_tx.experiment`, `keras_rec_tx.fit`) pads them, which
    changes no metric.
    Keras keeps the distribution per thread: with `workers > 1`, set
    `row_multiple` to the number of devices yourself.

    Args:
        split: the `SequenceSplit` to batch.
        batch_size: sequences per batch.
        max_len: longest input length; longer histories are truncated to
            their newest `max_len` items.
        shuffle: shuffle every epoch. Defaults to `True` for the training
            split and `False` for evaluation splits.
        seed: seed of shuffling, crops, user draws and candidates.
        bucketing: pad to bucket lengths instead of `max_len`.
        bucket_lengths: sorted lengths to pad to; `max_len` is added when
            missing. Default: `default_bucket_lengths` of this split's
            sequence lengths (at most `max_buckets` lengths, see above).
        token_weighting: return training batches as `(x, y, sample_weight)`
            with the weights described above. Defaults to `bucketing` for
            the training split; evaluation splits have none.
        random_crop: training only, see above.
        protocol: `"full"` (rank the full catalogue) or `"sampled"`.
        num_candidates: negatives per user for `protocol="sampled"`.
        max_users: for `protocol="sampled"`, keep at most this many users
            (`None`: all).
        drop_remainder: drop the last, smaller batch of each epoch.
        row_multiple: pad the rows of every batch to a multiple of this
            (and of the data-parallel devices of the active
            `keras.distribution`), see above.
        pad_last_batch: pad the last, smaller batch to `batch_size` rows
            (no padding where all sequences fit in one batch). Defaults
            to `True` for the training split and `False` for evaluation
            splits.
        max_buckets: the most default bucket lengths (ignored with
            `bucket_lengths`).
        **kwargs: `keras.utils.PyDataset` arguments (`workers`, ...).

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=64, num_items=30)
    train, valid, test = data.leave_one_out()
    batches = train.batches(batch_size=16, max_len=20)
    x, y, sample_weight = batches[0]  # bucketed training batch
    print(x["item_ids"].shape, y.shape, batches.padding_fraction())
    ```
    """

    def __init__(
        self,
        split: "SequenceSplit",
        batch_size: int = 128,
        max_len: int = 50,
        shuffle: bool | None = None,
        seed: int = 0,
        bucketing: bool = True,
        bucket_lengths=None,
        token_weighting: bool | None = None,
        random_crop: bool = False,
        protocol: str = "full",
        num_candidates: int = 100,
        max_users: int | None = 10000,
        drop_remainder: bool = False,
        row_multiple: int = 1,
        pad_last_batch: bool | None = None,
        max_buckets: int = MAX_BUCKETS,
        **kwargs,
    ):
        super().__init__(**kwargs)
        from keras_rec_tx.data.sequence_split import SequenceSplit

        if not isinstance(split, SequenceSplit):
            raise TypeError(
                "`split` must be a `keras_rec_tx.data.SequenceSplit` (from "
                "`Interactions.leave_one_out()` or `time_split()`). "
                f"Received: split of type {type(split).__name__}"
            )
        batch_size = check_int("batch_size", batch_size, minimum=1)
        max_len = check_int("max_len", max_len, minimum=1)
        num_candidates = check_int("num_candidates", num_candidates, minimum=1)
        max_users = check_int(
            "max_users", max_users, minimum=1, allow_none=True
        )
        seed = check_int("seed", seed, minimum=0)
        if shuffle is not None:
            shuffle = check_bool("shuffle", shuffle)
        if token_weighting is not None:
            token_weighting = check_bool("token_weighting", token_weighting)
        bucketing = check_bool("bucketing", bucketing)
        random_crop = check_bool("random_crop", random_crop)
        drop_remainder = check_bool("drop_remainder", drop_remainder)
        row_multiple = check_int("row_multiple", row_multiple, minimum=1)
        if pad_last_batch is not None:
            pad_last_batch = check_bool("pad_last_batch", pad_last_batch)
        max_buckets = check_int("max_buckets", max_buckets, minimum=1)
        protocol = check_choice("protocol", protocol, _PROTOCOLS)
        training = split.is_training
        if protocol == "sampled" and training:
            raise ValueError(
                "protocol='sampled' applies to evaluation splits only. "
                f"Received: protocol={protocol!r} for the training split"
            )
        if token_weighting is None:
            token_weighting = bucketing and training
        if token_weighting and not training:
            raise ValueError(
                "token_weighting applies to the training split only. "
                f"Received: token_weighting=True for the {split.kind!r} split"
            )
        if random_crop and not training:
            raise ValueError(
                "random_crop applies to the training split only. "
                f"Received: random_crop=True for the {split.kind!r} split"
            )
        if pad_last_batch is None:
            pad_last_batch = training
        if bucket_lengths is not None:
            given = check_int_list("bucket_lengths", bucket_lengths, minimum=1)
            if max(given) > max_len:
                raise ValueError(
                    f"`bucket_lengths` must be integers in [1, max_len="
                    f"{max_len}]. Received: bucket_lengths={given}"
                )
            bucket_lengths = np.unique(np.asarray(given, np.int64))
            if bucket_lengths[-1] != max_len:
                bucket_lengths = np.append(bucket_lengths, max_len)
        self.split = split
        self.batch_size = batch_size
        self.max_len = max_len
        self.shuffle = training if shuffle is None else shuffle
        self.seed = seed
        self.bucketing = bucketing
        self.bucket_lengths = bucket_lengths
        self.token_weighting = token_weighting
        self.random_crop = random_crop
        self.protocol = protocol
        self.num_candidates = num_candidates
        self.max_users = max_users
        self.drop_remainder = drop_remainder
        self.row_multiple = row_multiple
        self.pad_last_batch = pad_last_batch
        self.max_buckets = max_buckets
        self._max_item_index = None

        data = split.interactions
        starts, ends = split.starts, split.ends
        if training:
            keep = ends - starts >= 2
            starts, ends = starts[keep], ends[keep] - 1
        rows = np.arange(len(starts))
        if protocol == "sampled" and max_users and len(rows) > max_users:
            rng = np.random.default_rng([seed, 1])
            rows = np.sort(rng.choice(len(rows), max_users, replace=False))
        if not len(rows):
            raise ValueError(
                f"The {split.kind!r} split has no sequence with a target "
                "(a training sequence needs >= 2 items)."
            )
        # `last` is the row just past the newest input item: the target of
        # the last position. Inputs are rows [last - length, last).
        users = split.users[keep] if training else split.users
        self._users = users[rows]
        self._first = starts[rows]
        self._base_last = ends[rows]
        self._last = self._base_last
        self._lengths = np.minimum(self._base_last - self._first, max_len)
        if self.bucket_lengths is None:
            self.bucket_lengths = default_bucket_lengths(
                self._lengths, max_len, max_buckets
            )
        self._bucket = np.searchsorted(self.bucket_lengths, self._lengths)
        # Real positions of an average full batch (token weighting).
        self._mean_batch_tokens = self.batch_size * self._lengths.mean()
        self._items = data.item_indices
        self._times = data.time_offsets() if data.has_time else None
        self._candidates = None
        if protocol == "sampled":
            negatives = _sample_negatives(
                data,
                self._users,
                self.num_candidates,
                np.random.default_rng([seed, 2]),
            )
            targets = self._items[self._base_last][:, None]
            self._candidates = np.concatenate([targets, negatives], axis=1)
        self._epoch = 0
        self._plan_epoch()

    # ------------------------------------------------------------------

    def _plan_epoch(self) -> None:
        """Draws this epoch's crops, order and batch lengths."""
        n = len(self._first)
        rng = np.random.default_rng([self.seed, 0, self._epoch])
        if self.random_crop:
            long = (self._base_last - self._first) > self.max_len
            last = self._base_last.copy()
            low = self._first[long] + self.max_len
            last[long] = rng.integers(low, self._base_last[long] + 1)
            self._last = last
        order = rng.permutation(n) if self.shuffle else np.arange(n)
        if self.bucketing:
            order = order[np.argsort(self._bucket[order], kind="stable")]
        size = self.batch_size
        count = n // size if self.drop_remainder else -(-n // size)
        if count == 0:
            raise ValueError(
                f"drop_remainder=True with batch_size={size} leaves no batch "
                f"of the {n} sequences."
            )
        ends = np.minimum(np.arange(1, count + 1) * size, n)
        if self.bucketing:
            # Sorted by bucket: a batch's longest member is its last one.
            lengths = self.bucket_lengths[self._bucket[order[ends - 1]]]
        else:
            lengths = np.full(count, self.max_len)
        batch_order = (
            rng.permutation(count) if self.shuffle else np.arange(count)
        )
        first_len = lengths[batch_order[0]]
        if count > 2 and lengths[batch_order[1]] == first_len:
            other = np.flatnonzero(lengths[batch_order[2:]] != first_len)
            if len(other):
                k = other[0] + 2
                batch_order[[1, k]] = batch_order[[k, 1]]
        self._order = order
        self._batch_ends = ends
        self._batch_lengths = lengths
        self._batch_order = batch_order

    def _batch_rows(self, index: int) -> tuple:
        if not 0 <= index < len(self._batch_order):
            raise IndexError(
                f"Batch index {index} out of range [0, {len(self)})."
            )
        j = self._batch_order[index]
        begin = j * self.batch_size
        return self._order[begin : self._batch_ends[j]], self._batch_lengths[j]

    def __len__(self) -> int:
        return len(self._batch_order)

    def __getitem__(self, index: int):
        rows, length = self._batch_rows(index)
        last = self._last[rows][:, None]
        column = np.arange(length)[None, :]
        real = column >= (length - self._lengths[rows])[:, None]
        pos = np.where(real, last - length + column, 0)
        nxt = np.where(real, pos + 1, 0)
        x = {"item_ids": np.where(real, self._items[pos], 0)}
        if self._times is not None:
            x["timestamps"] = np.where(real, self._times[pos], 0)
            x["query_timestamps"] = np.where(real, self._times[nxt], 0)
        if self.split.is_training:
            y = np.where(real, self._items[nxt], 0)
        else:
            y = self._items[self._base_last[rows]]
            if self._candidates is not None:
                x["candidates"] = self._candidates[rows]
        x = {k: v.astype(np.int32, copy=False) for k, v in x.items()}
        y = y.astype(np.int32, copy=False)
        if self.token_weighting:
            weight = self._lengths[rows].sum() / self._mean_batch_tokens
            batch = (x, y, np.where(real, weight, 0.0).astype(np.float32))
        else:
            batch = (x, y)
        return self._pad_rows(batch)

    def _row_layout(self) -> tuple[int, int, int]:
        """`(multiple, shards, shard)`: the row multiple of every batch,
        the processes sharing each batch and this process's index."""
        multiple, shards, shard = self.row_multiple, 1, 0
        distribution = keras.distribution.distribution()
        if distribution is not None:
            replicas = distribution.num_model_replicas
            multiple = math.lcm(multiple, replicas)
            # As `Distribution.distribute_dataset` shards a tf.data set.
            shards = min(distribution.num_processes, replicas)
            shard = distribution.data_shard_id
        return multiple, shards, shard

    def _padded_rows(self, rows, multiple: int):
        """Rows of a batch of `rows` sequences once padded."""
        # Fewer sequences than `batch_size`: one batch, nothing to pad.
        full = min(self.batch_size, len(self._first))
        size = np.maximum(full, rows) if self.pad_last_batch else rows
        return -(-size // multiple) * multiple

    def _pad_rows(self, batch: tuple) -> tuple:
        """Pads the rows of `batch` with zeros (see "Padding rows") and
        keeps this process's share of them."""
        multiple, shards, shard = self._row_layout()
        rows = len(batch[1])
        size = int(self._padded_rows(rows, multiple))
        if size == rows and shards == 1:
            return batch
        share = size // shards
        keep = slice(shard * share, (shard + 1) * share)

        def pad(array):
            widths = [(0, size - rows)] + [(0, 0)] * (array.ndim - 1)
            return np.pad(array, widths)[keep]

        x, *rest = batch
        return ({k: pad(v) for k, v in x.items()}, *map(pad, rest))

    def on_epoch_end(self) -> None:
        self._epoch += 1
        self._plan_epoch()

    def set_epoch(self, epoch: int) -> None:
        """Makes the batches those of epoch `epoch` (0-based), as after
        `epoch` calls of `on_epoch_end`. A training run resumed at epoch
        `e` (`keras.callbacks.BackupAndRestore`) calls it with `e` so that
        it sees the batches of the uninterrupted run."""
        epoch = check_int("epoch", epoch, minimum=0)
        if epoch != self._epoch:
            self._epoch = epoch
            self._plan_epoch()

    # ------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """Calls of `on_epoch_end` so far; the order in use is this epoch's."""
        return self._epoch

    def batch_users(self, index: int) -> np.ndarray:
        """User indices (0-based) of the rows of batch `index`."""
        return self._users[self._batch_rows(index)[0]]

    @property
    def num_items(self) -> int:
        """Catalogue size of the data: valid item indices are
        `1..num_items` (0 is padding)."""
        return self.split.interactions.num_items

    @property
    def max_item_index(self) -> int:
        """The largest item index any batch of these batches holds (inputs,
        targets and sampled candidates; 0 if none), computed once. A model
        compares it with its own catalogue size before training."""
        if self._max_item_index is None:
            self._max_item_index = self._compute_max_item_index()
        return self._max_item_index

    def _compute_max_item_index(self) -> int:
        # Every row a batch can read lies in [first, base_last] of one of
        # its sequences (crops move `last` only inside that range).
        starts = self._base_last - np.minimum(
            self._base_last - self._first, self.max_len
        )
        if self.random_crop:
            starts = self._first
        covered = np.zeros(len(self._items) + 1, np.int64)
        np.add.at(covered, starts, 1)
        np.add.at(covered, self._base_last + 1, -1)
        used = np.cumsum(covered[:-1]) > 0
        best = int(self._items[used].max(initial=0))
        if self._candidates is not None and self._candidates.size:
            best = max(best, int(self._candidates.max()))
        return best

    @property
    def num_sequences(self) -> int:
        """Sequences per epoch (before `drop_remainder`)."""
        return len(self._first)

    @property
    def num_real_tokens(self) -> int:
        """Non-padding input positions in this epoch's batches."""
        used = self._order[: self._batch_ends[-1]]
        return int(self._lengths[used].sum())

    def padding_fraction(self) -> float:
        """Fraction of this epoch's input positions that are padding,
        padding rows included (of all processes)."""
        sizes = np.diff(np.concatenate([[0], self._batch_ends]))
        sizes = self._padded_rows(sizes, self._row_layout()[0])
        total = int((sizes * self._batch_lengths).sum())
        return 1.0 - self.num_real_tokens / total

    def __repr__(self) -> str:
        return (
            f"SequenceBatches(split={self.split.kind!r}, "
            f"batches={len(self)}, batch_size={self.batch_size}, "
            f"max_len={self.max_len}, bucketing={self.bucketing}, "
            f"token_weighting={self.token_weighting}, "
            f"protocol={self.protocol!r})"
        )
