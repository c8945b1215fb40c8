"""The evaluation protocol of the zoo, shared by models and baselines."""

from typing import Any

from keras import ops

from keras_rec_tx.metrics.exclude_items import exclude_items
from keras_rec_tx.metrics.mrr import MRR
from keras_rec_tx.metrics.ndcg_at_k import NDCGAtK
from keras_rec_tx.metrics.recall_at_k import RecallAtK


def ranking_metrics(eval_ks=(10, 50)) -> list:
    """The metric objects a `SequentialRecommender` evaluates with:
    Recall@K and NDCG@K for each K in `eval_ks`, then MRR."""
    metrics = []
    for k in eval_ks:
        metrics += [RecallAtK(k), NDCGAtK(k)]
    return metrics + [MRR()]


def update_ranking_metrics(
    metrics, x: dict, y: Any, scores: Any, sample_weight: Any = None
) -> None:
    """Feeds one evaluation batch to `metrics` the way
    `SequentialRecommender` and every baseline do: under the sampled
    protocol the scores of `x["candidates"]` (column 0 the target), else
    full-catalogue scores with the items of `x["item_ids"]` (and the
    padding column 0) set to `-inf`.

    Args:
        metrics: metric objects, e.g. `ranking_metrics()`.
        x: the batch inputs; `x["item_ids"]` `(B, L)`, maybe
            `x["candidates"]` `(B, C)`.
        y: int `(B,)`: the target item of each row.
        scores: float `(B, num_items + 1)`: scores of items `0..N`.
        sample_weight: optional `(B,)` weights of the rows.
    """
    scores = ops.convert_to_tensor(scores)
    candidates = x.get("candidates")
    if candidates is not None:
        scores = ops.take_along_axis(
            scores, ops.cast(candidates, "int32"), axis=1
        )
        labels = ops.zeros_like(ops.cast(y, "int32"))
    else:
        scores = exclude_items(scores, x["item_ids"])
        labels = ops.cast(y, "int32")
    for metric in metrics:
        metric.update_state(labels, scores, sample_weight)
