"""keras_rec_tx.metrics: sparse-label ranking metrics over the full catalogue.

No metric sorts the catalogue: the target's rank is a count of the items
scored above it (`target_rank`), so an update costs O(batch * items).
"""

from keras_rec_tx.metrics.exclude_items import exclude_items
from keras_rec_tx.metrics.mrr import MRR
from keras_rec_tx.metrics.ndcg_at_k import NDCGAtK
from keras_rec_tx.metrics.ranking_metric import (
    CutoffRankingMetric,
    RankingMetric,
)
from keras_rec_tx.metrics.ranking_protocol import (
    ranking_metrics,
    update_ranking_metrics,
)
from keras_rec_tx.metrics.recall_at_k import HitRateAtK, RecallAtK
from keras_rec_tx.metrics.target_rank import target_rank

__all__ = [
    "CutoffRankingMetric",
    "HitRateAtK",
    "MRR",
    "NDCGAtK",
    "RankingMetric",
    "RecallAtK",
    "exclude_items",
    "ranking_metrics",
    "target_rank",
    "update_ranking_metrics",
]
