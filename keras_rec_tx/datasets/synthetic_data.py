"""`keras_rec_tx.datasets.synthetic`: logs with planted sequential structure."""

import numpy as np

from keras_rec_tx.data.interactions import Interactions
from keras_rec_tx.utils import check_float, check_int


def synthetic(
    num_users: int = 1000,
    num_items: int = 500,
    mean_length: float = 30,
    *,
    min_length: int = 5,
    num_successors: int = 3,
    follow_probability: float = 0.9,
    jump_probability: float = 0.02,
    long_gap_probability: float = 0.02,
    long_gap_factor: float = 100.0,
    zipf_exponent: float = 1.1,
    start_time: int = 1_577_836_800,
    seed: int = 0,
) -> Interactions:
    """A synthetic, timestamped log with learnable sequential structure.

    Items form a latent graph: they lie on a random ring and the
    successors of an item are the next `num_successors` items on it (one
    per "slot": 1, 2, ... places ahead). Each user has a preferred slot
    and, at every step, walks to the successor in that slot with
    probability `follow_probability` (else in a random slot), so walks
    move forward and rarely revisit items. The next item is thus
    predictable from the last item and the user's slot, which shows in
    the last two items (`a -> b` reveals the stride). With probability
    `jump_probability` the user instead consumes an item drawn from a
    Zipf popularity law (exponent `zipf_exponent`), a detour: the walk
    then resumes from where it was (predictable from the item before the
    detour).

    Time carries signal: gaps between interactions are lognormal around a
    per-user scale (itself lognormal, median 4 hours); with probability
    `long_gap_probability` a gap is `long_gap_factor` times longer and the
    user then jumps to a popular (Zipf) item instead of continuing the
    walk. By default about 4% of steps are jumps, so a good sequence model
    reaches Recall@10 >= 0.9 on the leave-one-out test.

    Sequence lengths are `min_length - 1 +` geometric, with mean
    `mean_length`. Generation is vectorised over users (a Python loop over
    steps only): ML-20M scale (138k users, 27k items, 20M interactions)
    takes seconds.

    Args:
        num_users: number of users.
        num_items: catalogue size (item ids `1..num_items`).
        mean_length: mean number of interactions per user.
        min_length: shortest sequence.
        num_successors: successors per item (slots).
        follow_probability: chance of taking the user's preferred slot.
        jump_probability: chance of a random popular jump at each step.
        long_gap_probability: chance of a long gap (then a popular jump).
        long_gap_factor: how much longer a long gap is.
        zipf_exponent: popularity skew of jumps and first items.
        start_time: unix seconds; first interactions fall in the year
            after it.
        seed: random seed; the output depends only on the arguments.

    Returns:
        An `Interactions` with timestamps; item ids and indices coincide.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=200, num_items=50)
    print(data.summary())
    ```
    """
    num_users = check_int("num_users", num_users, minimum=1)
    num_items = check_int("num_items", num_items, minimum=1)
    min_length = check_int("min_length", min_length, minimum=1)
    num_successors = check_int("num_successors", num_successors, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    start_time = check_int("start_time", start_time)
    mean_length = check_float("mean_length", mean_length, minimum=min_length)
    for name, value in (
        ("follow_probability", follow_probability),
        ("jump_probability", jump_probability),
        ("long_gap_probability", long_gap_probability),
    ):
        check_float(name, value, minimum=0.0, maximum=1.0)
    long_gap_factor = check_float("long_gap_factor", long_gap_factor, above=0)
    zipf_exponent = check_float("zipf_exponent", zipf_exponent, minimum=0.0)
    rng = np.random.default_rng(seed)

    # Latent graph: items lie on a random ring; slot k moves k + 1 places
    # ahead, so the successors of item ring[p] are ring[p + 1 .. p + K].
    ring = rng.permutation(num_items)
    ring_place = np.empty(num_items, dtype=np.int64)
    ring_place[ring] = np.arange(num_items)
    # Zipf popularity over a random ranking of the items.
    ranking = rng.permutation(num_items)
    weights = 1.0 / np.arange(1, num_items + 1) ** zipf_exponent
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0

    def popular(size):
        return ranking[np.searchsorted(cdf, rng.random(size), side="right")]

    # Users: lengths, preferred slot, time scale and start.
    p = 1.0 / (mean_length - min_length + 1)
    lengths = min_length - 1 + rng.geometric(p, size=num_users)
    slot = rng.integers(num_successors, size=num_users)
    scale = np.exp(rng.normal(np.log(4 * 3600.0), 0.7, size=num_users))
    offsets = np.zeros(num_users + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    items = np.empty(offsets[-1], dtype=np.int32)
    times = np.empty(offsets[-1], dtype=np.int64)

    # Walk all users at once; users sorted by length so the active ones at
    # step t are a prefix.
    by_length = np.argsort(-lengths, kind="stable")
    active_counts = np.searchsorted(
        -lengths[by_length], -np.arange(lengths.max()), side="left"
    )
    start = offsets[by_length]
    slot, scale = slot[by_length], scale[by_length]
    # `place` is each user's position on the ring. A jump emits a popular
    # item without moving it: the walk resumes after the detour.
    place = ring_place[popular(num_users)]
    clock = start_time + rng.uniform(0, 365 * 86400.0, size=num_users)
    items[start] = ring[place] + 1
    times[start] = clock.astype(np.int64)
    for t in range(1, len(active_counts)):
        n = active_counts[t]
        place, clock = place[:n], clock[:n]
        gap = scale[:n] * rng.lognormal(0.0, 0.3, size=n)
        long_gap = rng.random(n) < long_gap_probability
        gap[long_gap] *= long_gap_factor
        jump = long_gap | (rng.random(n) < jump_probability)
        stride = 1 + np.where(
            rng.random(n) < follow_probability,
            slot[:n],
            rng.integers(num_successors, size=n),
        )
        place = np.where(jump, place, (place + stride) % num_items)
        current = ring[place]
        current[jump] = popular(int(jump.sum()))
        clock = clock + np.maximum(gap, 1.0)
        items[start[:n] + t] = current + 1
        times[start[:n] + t] = clock.astype(np.int64)
    return Interactions(
        offsets,
        items,
        times,
        item_ids=np.arange(1, num_items + 1),
    )
