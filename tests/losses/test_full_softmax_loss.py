import numpy as np
import pytest
from keras import ops

from keras_rec_tx.losses import FullSoftmaxLoss
from tests.losses.references import logsumexp, masked_mean, random_inputs


def np_full_softmax(hidden, targets, table, valid):
    logits = hidden @ table[1:].T
    index = np.maximum(targets - 1, 0)
    positive = np.take_along_axis(logits, index[..., None], -1)[..., 0]
    return masked_mean(logsumexp(logits) - positive, valid)


def test_matches_numpy():
    hidden, targets, table = random_inputs()
    loss = FullSoftmaxLoss(num_items=9)(hidden, targets, table)
    expected = np_full_softmax(hidden, targets, table, targets != 0)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_mask_is_combined_with_targets():
    hidden, targets, table = random_inputs(seed=1)
    mask = np.ones_like(targets, bool)
    mask[1] = False
    loss = FullSoftmaxLoss()(hidden, targets, table, mask=mask)
    expected = np_full_softmax(hidden, targets, table, (targets != 0) & mask)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_padding_column_is_not_a_class():
    hidden, targets, table = random_inputs(seed=2)
    other = table.copy()
    other[0] = 100.0  # a huge padding row would dominate if it were a class
    a = FullSoftmaxLoss()(hidden, targets, table)
    b = FullSoftmaxLoss()(hidden, targets, other)
    np.testing.assert_allclose(float(a), float(b), rtol=1e-6)


def test_float16_hidden_gives_float32_loss_and_no_state():
    hidden, targets, table = random_inputs(seed=3)
    layer = FullSoftmaxLoss()
    loss = layer(hidden.astype("float16"), targets, table)
    assert ops.convert_to_numpy(loss).dtype == np.float32
    # No state: it can be created inside a compiled step.
    assert layer.weights == [] and layer.variables == []


def test_table_size_checked():
    hidden, targets, table = random_inputs()
    with pytest.raises(ValueError, match="num_items"):
        FullSoftmaxLoss(num_items=20)(hidden, targets, table)
