"""Absolute + relative encoding of interaction timestamps."""

import math

import keras
from keras import ops

_DEFAULT_PERIODS = (3600, 86400, 604800, 31556952)  # hour, day, week, year
_SECONDS_PER_DAY = 86400
_TREND_SCALE_DAYS = 3650.0  # the trend feature is days / 3650
_GAP_UNIT_SECONDS = 60.0  # gaps enter as log1p(gap / 60)
_LOG_GAP_FREQUENCIES = (0.5, 1.0, 2.0)
_MODES = ("hybrid", "absolute", "relative")


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class HybridTimestampEncoding(keras.layers.Layer):
    """Encodes integer timestamps by calendar phase and by time gaps.

    Two groups of float32 features are built from integer seconds, each
    projected by its own `Dense` (with bias) to its share of `output_dim`:

    - absolute: for every period `P` (hour, day, week, year by default),
      `sin` and `cos` of `2 * pi * (t mod P) / P`, where the modulo is taken
      in integers first (exact even for unix epochs, which float32 only
      resolves to 128 s), plus a slow trend `(t // 86400) / 3650`.
    - relative: the gap to the previous valid interaction `t_i - t_{i-1}`
      (0 for the first valid item) and the gap to the query time
      `query_timestamps - t` (0 when no query time is given). Gaps are
      subtracted in integers, then each maps to
      `l = log1p(max(gap, 0) / 60)` and `sin(w * l)`, `cos(w * l)` for
      `w` in (0.5, 1, 2). The relative group is invariant to shifting all
      timestamps of a sequence by a constant.

    `mode="hybrid"` gives the first `output_dim // 2` dimensions to the
    absolute group and the rest to the relative group; `"absolute"` and
    `"relative"` give all dimensions to one group. Padding positions output
    exact zeros.

    With the data pipeline's week-aligned offsets (`t - origin`, origin a
    multiple of 604800 s), the hour, day and week phases equal those of the
    raw unix time; the year phase and the trend are relative to the origin.

    Args:
        output_dim: int. Width of the encoding.
        mode: str. `"hybrid"`, `"absolute"` or `"relative"`.
        periods: optional sequence of positive ints, the calendar periods in
            seconds. Defaults to hour, day, week and (Gregorian) year.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        timestamps: int tensor `(batch, seq)` of seconds (int32 or int64;
            JAX without x64 turns int64 into int32). Float input is rounded
            to int32.
        query_timestamps: optional int tensor `(batch, seq)`: the time each
            position's prediction is made for (the next interaction).
        mask: optional bool tensor `(batch, seq)`, True for real items.
            `None` means all valid.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    enc = keras_rec_tx.layers.HybridTimestampEncoding(output_dim=16)
    t = np.array([[0, 0, 1_700_000_000, 1_700_000_060]], dtype="int32")
    q = np.array([[0, 0, 1_700_000_060, 1_700_003_600]], dtype="int32")
    y = enc(t, query_timestamps=q, mask=t > 0)  # (1, 4, 16)
    ```

    References:
        - [Li et al., Time Interval Aware Self-Attention for Sequential
          Recommendation (TiSASRec)](https://doi.org/10.1145/3336191.3371786)
        - [Zhai et al., Actions Speak Louder than Words (HSTU)](
          https://arxiv.org/abs/2402.17152)
    """

    def __init__(
        self,
        output_dim: int,
        mode: str = "hybrid",
        periods=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if mode not in _MODES:
            raise ValueError(
                f"`mode` must be one of {_MODES}. Received: mode={mode}"
            )
        min_dim = 2 if mode == "hybrid" else 1
        if not isinstance(output_dim, int) or output_dim < min_dim:
            raise ValueError(
                f"`output_dim` must be an int >= {min_dim} for mode={mode!r}. "
                f"Received: output_dim={output_dim}"
            )
        if periods is not None:
            periods = [int(p) for p in periods]
            if not periods or min(periods) <= 0:
                raise ValueError(
                    "`periods` must be a non-empty list of positive ints. "
                    f"Received: periods={periods}"
                )
        self.output_dim = output_dim
        self.mode = mode
        self.periods = periods
        # Timestamps must never be cast to a (half) float compute dtype.
        self.autocast = False
        # `mask` is consumed here (padding outputs zeros), not propagated;
        # declaring support avoids Keras' "destroys the mask" warning.
        self.supports_masking = True

    @property
    def _periods(self):
        return self.periods or list(_DEFAULT_PERIODS)

    def _dims(self):
        if self.mode == "absolute":
            return self.output_dim, 0
        if self.mode == "relative":
            return 0, self.output_dim
        return self.output_dim // 2, self.output_dim - self.output_dim // 2

    def build(self, input_shape):
        abs_dim, rel_dim = self._dims()
        prefix = tuple(input_shape)
        self.absolute_dense = None
        self.relative_dense = None
        if abs_dim:
            self.absolute_dense = keras.layers.Dense(
                abs_dim, dtype=self.dtype_policy, name="absolute"
            )
            self.absolute_dense.build(prefix + (2 * len(self._periods) + 1,))
        if rel_dim:
            self.relative_dense = keras.layers.Dense(
                rel_dim, dtype=self.dtype_policy, name="relative"
            )
            num_features = 2 * (1 + 2 * len(_LOG_GAP_FREQUENCIES))
            self.relative_dense.build(prefix + (num_features,))

    def _absolute_features(self, t):
        features = []
        for period in self._periods:
            phase = ops.cast(ops.mod(t, period), "float32") * (
                2.0 * math.pi / period
            )
            features += [ops.sin(phase), ops.cos(phase)]
        days = ops.cast(ops.floor_divide(t, _SECONDS_PER_DAY), "float32")
        features.append(days / _TREND_SCALE_DAYS)
        return ops.stack(features, axis=-1)

    def _gap_features(self, gap):
        gap = ops.maximum(ops.cast(gap, "float32"), 0.0)
        log_gap = ops.log1p(gap / _GAP_UNIT_SECONDS)
        features = [log_gap]
        for w in _LOG_GAP_FREQUENCIES:
            features += [ops.sin(w * log_gap), ops.cos(w * log_gap)]
        return features

    def _relative_features(self, t, query_timestamps, mask):
        prev_t = ops.concatenate([t[:, :1], t[:, :-1]], axis=1)
        prev_valid = ops.concatenate(
            [ops.zeros_like(mask[:, :1]), mask[:, :-1]], axis=1
        )
        zero = ops.zeros_like(t)
        has_prev = ops.logical_and(mask, prev_valid)
        gap_prev = ops.where(has_prev, t - prev_t, zero)
        if query_timestamps is None:
            gap_query = zero
        else:
            q = ops.cast(query_timestamps, t.dtype)
            gap_query = ops.where(mask, q - t, zero)
        features = self._gap_features(gap_prev) + self._gap_features(gap_query)
        return ops.stack(features, axis=-1)

    def call(self, timestamps, query_timestamps=None, mask=None):
        t = timestamps
        if not keras.backend.standardize_dtype(t.dtype).startswith(
            ("int", "uint")
        ):
            t = ops.cast(ops.round(t), "int32")
        if mask is None:
            mask = ops.ones_like(t, dtype="bool")
        else:
            mask = ops.cast(mask, "bool")
        parts = []
        if self.absolute_dense is not None:
            parts.append(self.absolute_dense(self._absolute_features(t)))
        if self.relative_dense is not None:
            parts.append(
                self.relative_dense(
                    self._relative_features(t, query_timestamps, mask)
                )
            )
        out = parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)
        out = ops.cast(out, self.compute_dtype)
        return ops.where(mask[..., None], out, ops.zeros_like(out))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "output_dim": self.output_dim,
                "mode": self.mode,
                "periods": self.periods,
            }
        )
        return config
