"""What every suite is made of: the `Run` record, the datasets, the seeds.

A result file is matched to its run by name, preset, tag and overrides, so
a `Run` is never changed once it has results. Also the negative-sampling
configurations that published suites and explorations share.
"""

from __future__ import annotations

import dataclasses
from typing import Any

SEEDS = [0, 1, 2]
BEAUTY = "s3rec-amazon-beauty"
GAMES = "sasrec-amazon-games"
ML100K = "ml-100k"

# Same budget for every run of the study: the base's first three warm-
# restart cycles (they end at epochs 10, 30 and 70), the best epoch kept;
# patience 70 never stops a run early. Until 2026-11-30 it was up to 150
# epochs with the presets' patience 10, which stopped a run that found no
# new best within 10 epochs of a restart a cycle early (4 of the first 15
# study runs on the strong base). The explorations run then keep that
# budget (EARLIER_STUDY_EPOCHS and patience 10), so their Runs stay as run.
STUDY_EPOCHS = 70
STUDY_PATIENCE = 70
EARLIER_STUDY_EPOCHS = 150


@dataclasses.dataclass
class Run:
    name: str
    preset: str
    dataset: str
    protocol: str
    seeds: list[int] = dataclasses.field(default_factory=lambda: SEEDS)
    tag: str = ""
    overrides: dict[str, Any] = dataclasses.field(default_factory=dict)
    training_overrides: dict[str, Any] = dataclasses.field(default_factory=dict)
    epochs: int | None = None
    patience: int | None = None

    def describe(self) -> str:
        extra = ""
        if self.overrides:
            extra += f" overrides={self.overrides}"
        if self.training_overrides:
            extra += f" training={self.training_overrides}"
        return (
            f"{self.preset} on {self.dataset} ({self.protocol}), seeds "
            f"{self.seeds}, epochs {self.epochs or 'preset'}, patience "
            f"{self.patience or 'preset'}{extra}"
        )


def trained_without_token_weighting(result: dict[str, Any]) -> bool:
    """Whether a result file's run trained on bucketed batches whose losses
    weighed a short batch's real positions more: every bucketed run before
    `SequenceBatches(token_weighting=...)` existed (2026-11-27; their files
    have no `token_weighting` key)."""
    training = result.get("training")
    if training is None:
        return False
    return bool(training.get("bucketing", True)) and not training.get(
        "token_weighting", False
    )


PER_POSITION_SS256 = {
    "num_negatives": 256,
    "sampling": "uniform",
    "share_negatives": "position",
}
SEQUENCE_SS256 = {**PER_POSITION_SS256, "share_negatives": "sequence"}
