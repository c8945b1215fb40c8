"""keras_rec_tx.baselines: model-free next-item recommenders.

Most popular, first-order Markov, item kNN and EASE, each with
`fit(train)`, `recommend(histories, k)` and `evaluate(split)`; `evaluate`
scores the same evaluation batches with the same metric code as the
models (`keras_rec_tx.metrics.update_ranking_metrics`), so their numbers
compare directly.
Counts are sparse (scipy); only EASE holds a dense item x item matrix.

Example:

```python
import keras_rec_tx

data = keras_rec_tx.datasets.synthetic(num_users=50, num_items=20)
train, valid, test = data.leave_one_out()
markov = keras_rec_tx.baselines.MarkovChain().fit(train)
markov.evaluate(test)  # recall@10, ndcg@10, recall@50, ndcg@50, mrr
keras_rec_tx.baselines.compare(train, test)  # popularity and Markov
```
"""

from keras_rec_tx.baselines.baseline import Baseline
from keras_rec_tx.baselines.compare import compare
from keras_rec_tx.baselines.ease import EASE
from keras_rec_tx.baselines.item_knn import ItemKNN
from keras_rec_tx.baselines.markov_chain import MarkovChain
from keras_rec_tx.baselines.most_popular import MostPopular

BASELINES = {cls.name: cls for cls in (MostPopular, MarkovChain, ItemKNN, EASE)}

__all__ = [
    "BASELINES",
    "Baseline",
    "EASE",
    "ItemKNN",
    "MarkovChain",
    "MostPopular",
    "compare",
]
