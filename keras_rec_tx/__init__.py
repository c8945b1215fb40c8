"""keras_rec_tx: a Keras 3 model zoo of Transformer sequential recommenders.

Backend-agnostic (TensorFlow, JAX, PyTorch via ``KERAS_BACKEND``).

Example:

```python
import keras_rec_tx as krt

data = krt.datasets.synthetic(num_users=200, num_items=50, seed=0)
train, valid, test = data.leave_one_out()
model = krt.zoo.get("rope_swiglu", num_items=data.num_items)
model.fit(train.batches(batch_size=64), epochs=1)
```
"""

from keras_rec_tx import (
    baselines,
    data,
    datasets,
    experiment,
    layers,
    losses,
    metrics,
    models,
    regularizers,
    schedules,
    serving,
    utils,
    zoo,
)
from keras_rec_tx.trainer import fit

__version__ = "0.1.0"

__all__ = [
    "baselines",
    "data",
    "datasets",
    "experiment",
    "fit",
    "layers",
    "losses",
    "metrics",
    "models",
    "regularizers",
    "schedules",
    "serving",
    "utils",
    "zoo",
]
