"""Popularity and Markov numbers to print next to a model's."""

from typing import Any

from keras_rec_tx.baselines.markov_chain import MarkovChain
from keras_rec_tx.baselines.most_popular import MostPopular


def compare(
    train: Any,
    split: Any,
    protocol: str = "full-loo",
    seed: int = 0,
    max_len: int | None = None,
) -> dict[str, dict[str, float]]:
    """Fits the popularity and Markov baselines on `train` and evaluates
    them on `split`: `{"most_popular": metrics, "markov": metrics}`, with
    the metric names a model's `evaluate` returns (seconds on ML-100k).

    No tuning: `MarkovChain` keeps its default back-off. Each metrics dict
    also holds `"fit_seconds"`.

    Args:
        train: the training `SequenceSplit` of `leave_one_out()`.
        split: the `"valid"` or `"test"` split, or the evaluation batches
            a model was scored on (see `Baseline.evaluate`).
        protocol: `"full-loo"` or `"sampled-100"`.
        seed: seed of the sampled-100 draw (`experiment.run` uses its seed
            for validation and seed + 1 for test).
        max_len: newest history items used; `None`: all.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
    train, valid, test = data.leave_one_out()
    table = keras_rec_tx.baselines.compare(train, test)
    table["markov"]["ndcg@10"]
    ```
    """
    out = {}
    for baseline in (MostPopular(), MarkovChain()):
        baseline.fit(train)
        metrics = baseline.evaluate(
            split, protocol=protocol, seed=seed, max_len=max_len
        )
        out[baseline.name] = {**metrics, "fit_seconds": baseline.fit_seconds}
    return out
