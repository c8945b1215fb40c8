import numpy as np
import pytest

from keras_rec_tx.layers import HybridTimestampEncoding
from tests.layers.layer_test_helper import (
    check_mixed_precision,
    run_layer_test,
    to_numpy,
)

PERIODS = (3600, 86400, 604800, 31556952)
SHIFT = 7 * 86400 * 100 + 12345


def numpy_features(t, q, mask, periods=PERIODS):
    """Absolute and relative features with python integers, row by row."""
    absolute = np.zeros(t.shape + (2 * len(periods) + 1,))
    relative = np.zeros(t.shape + (14,))

    def gap_features(gap):
        log_gap = np.log1p(max(gap, 0) / 60.0)
        out = [log_gap]
        for w in (0.5, 1.0, 2.0):
            out += [np.sin(w * log_gap), np.cos(w * log_gap)]
        return out

    for b in range(t.shape[0]):
        for i in range(t.shape[1]):
            ti = int(t[b, i])
            for k, period in enumerate(periods):
                phase = 2 * np.pi * (ti % period) / period
                absolute[b, i, 2 * k : 2 * k + 2] = np.sin(phase), np.cos(phase)
            absolute[b, i, -1] = (ti // 86400) / 3650.0
            has_prev = i > 0 and mask[b, i] and mask[b, i - 1]
            gap_prev = ti - int(t[b, i - 1]) if has_prev else 0
            gap_query = int(q[b, i]) - ti if q is not None and mask[b, i] else 0
            relative[b, i] = gap_features(gap_prev) + gap_features(gap_query)
    return absolute, relative


def numpy_encoding(layer, t, query_timestamps=None, mask=None):
    mask = np.ones(t.shape, bool) if mask is None else mask
    absolute, relative = numpy_features(t, query_timestamps, mask)
    parts = []
    for dense, features in [
        (layer.absolute_dense, absolute),
        (layer.relative_dense, relative),
    ]:
        if dense is not None:
            kernel, bias = (to_numpy(w) for w in (dense.kernel, dense.bias))
            parts.append(features @ kernel + bias)
    return np.concatenate(parts, axis=-1) * mask[..., None]


def _batch(offset=0, dtype="int32"):
    t = np.array(
        [
            [0, 0, 1000, 1060, 90000, 700000],
            [5, 3605, 3606, 259200, 259201, 31556969],
        ],
        dtype="int64",
    )
    mask = np.array([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], bool)
    q = np.concatenate([t[:, 1:], t[:, -1:] + 3600], axis=1)
    t = np.where(mask, t + offset, 0).astype(dtype)
    q = np.where(mask, q + offset, 0).astype(dtype)
    return t, q, mask


def test_layer_contract(tmp_path):
    t, q, mask = _batch()
    run_layer_test(
        HybridTimestampEncoding,
        {"output_dim": 16},
        t,
        call_kwargs={"query_timestamps": q, "mask": mask},
        expected_output_shape=(2, 6, 16),
        expected_num_weights=4,
        expected_num_params=(9 * 8 + 8) + (14 * 8 + 8),
        reference_fn=numpy_encoding,
        atol=1e-4,
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize(
    "mode,output_dim,absolute_units,relative_units",
    [("hybrid", 7, 3, 4), ("absolute", 5, 5, 0), ("relative", 3, 0, 3)],
)
def test_modes_split_dimensions(
    mode, output_dim, absolute_units, relative_units
):
    t, q, mask = _batch(offset=1_700_000_000, dtype="int64")
    layer = HybridTimestampEncoding(output_dim, mode=mode)
    y = to_numpy(layer(t, query_timestamps=q, mask=mask))
    assert y.shape == (2, 6, output_dim)
    for dense, units in [
        (layer.absolute_dense, absolute_units),
        (layer.relative_dense, relative_units),
    ]:
        assert (dense.units if dense is not None else 0) == units
    np.testing.assert_allclose(
        y, numpy_encoding(layer, t, q, mask), atol=1e-4, rtol=1e-4
    )


def test_shift_changes_only_absolute_half():
    layer = HybridTimestampEncoding(16)
    t, q, mask = _batch()
    t2, q2, _ = _batch(offset=SHIFT)
    y1 = to_numpy(layer(t, query_timestamps=q, mask=mask))
    y2 = to_numpy(layer(t2, query_timestamps=q2, mask=mask))
    np.testing.assert_allclose(y1[..., 8:], y2[..., 8:], atol=1e-6)
    real = mask[..., None]
    assert np.max(np.abs(np.where(real, y1 - y2, 0)[..., :8])) > 1e-2


def test_padding_outputs_zeros_and_left_padding_gap():
    layer = HybridTimestampEncoding(8)
    t, q, mask = _batch()
    y = to_numpy(layer(t, query_timestamps=q, mask=mask))
    assert np.all(y[0, :2] == 0.0)
    assert np.all(np.abs(y[0, 2:]).sum(-1) > 0)
    # The same history without its padding: identical encodings, so the
    # first valid item did not see a gap to the padded predecessor.
    unpadded = to_numpy(layer(t[:1, 2:], query_timestamps=q[:1, 2:]))
    np.testing.assert_allclose(y[0, 2:], unpadded[0], atol=1e-5, rtol=1e-5)
    # Garbage at padded positions does not leak.
    t_noisy = np.where(mask, t, 123456789).astype("int32")
    y_noisy = to_numpy(layer(t_noisy, query_timestamps=q, mask=mask))
    np.testing.assert_array_equal(y, y_noisy)


def test_one_second_resolution_on_unix_epochs():
    start = 1_700_000_000
    t = np.array([[start, start + 1], [start, start + 2]], dtype="int64")
    for mode in ("hybrid", "absolute"):
        y = to_numpy(HybridTimestampEncoding(8, mode=mode)(t))
        assert np.max(np.abs(y[0, 1] - y[1, 1])) > 1e-5, mode
    # Gaps of 1 s vs 2 s differ in the relative encoding as well.
    y = to_numpy(HybridTimestampEncoding(8, mode="relative")(t))
    np.testing.assert_allclose(y[0, 0], y[1, 0], atol=1e-7)
    assert np.max(np.abs(y[0, 1] - y[1, 1])) > 1e-5


def test_invalid_arguments():
    with pytest.raises(ValueError, match="mode"):
        HybridTimestampEncoding(8, mode="both")
    with pytest.raises(ValueError, match="output_dim"):
        HybridTimestampEncoding(1)
    with pytest.raises(ValueError, match="output_dim"):
        HybridTimestampEncoding(0, mode="absolute")
    with pytest.raises(ValueError, match="periods"):
        HybridTimestampEncoding(8, periods=[3600, 0])


def test_mixed_precision():
    t, q, mask = _batch(offset=1_700_000_000)
    layer = HybridTimestampEncoding(8, dtype="mixed_bfloat16")
    values = check_mixed_precision(layer, t, query_timestamps=q, mask=mask)
    assert np.all(values[0, :2] == 0.0)
