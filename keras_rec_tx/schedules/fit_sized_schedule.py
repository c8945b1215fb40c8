"""A learning-rate schedule whose length is set by the `fit` that uses it."""

from __future__ import annotations

from typing import Any

import keras

from keras_rec_tx.utils import check_choice, check_float, check_int

KINDS = ("warmup_cosine", "cosine_restarts")


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class FitSizedSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Warm-up + cosine decay, or cosine decay with warm restarts, sized in
    epochs of the training run rather than in steps.

    A preset states its schedule as fractions and epochs ("5% warm-up,
    cosine to 1% of the peak over the run"); how many steps that is
    depends on the user's data. `SequentialRecommender.fit` calls
    `resize(steps_per_epoch, epochs)` when training begins, so the
    schedule spans the run it trains. With `fixed=True` (a user gave
    `steps_per_epoch` and `epochs` to `keras_rec_tx.zoo.get`) it keeps its
    size. Each call delegates to Keras's own schedules:

    - `"warmup_cosine"`: `keras.optimizers.schedules.CosineDecay` from 0
      to `learning_rate` over `warmup_fraction * total` steps, then down
      to `final_lr_fraction * learning_rate` at `total = steps_per_epoch *
      epochs` steps.
    - `"cosine_restarts"`: `keras.optimizers.schedules.CosineDecayRestarts`
      with a first period of `restart_epochs * steps_per_epoch` steps,
      periods growing by `restart_t_mul` and peaks by `restart_m_mul`.

    Args:
        kind: `"warmup_cosine"` or `"cosine_restarts"`.
        learning_rate: the peak learning rate.
        steps_per_epoch: batches per epoch (until `fit` sets them).
        epochs: epochs of the run (until `fit` sets them).
        warmup_fraction: share of the run spent warming up.
        final_lr_fraction: the floor, as a fraction of the peak.
        restart_epochs: epochs of the first restart period.
        restart_t_mul: growth of each period.
        restart_m_mul: factor of each peak.
        fixed: keep the size given here; `fit` does not resize it.

    Example:

    ```python
    import keras
    import keras_rec_tx

    schedule = keras_rec_tx.schedules.FitSizedSchedule(
        "warmup_cosine", 1e-3, steps_per_epoch=100, epochs=10
    )
    optimizer = keras.optimizers.AdamW(schedule)
    schedule.resize(steps_per_epoch=1500, epochs=10)  # what fit does
    ```
    """

    def __init__(
        self,
        kind: str,
        learning_rate: float,
        steps_per_epoch: int = 100,
        epochs: int = 1,
        warmup_fraction: float = 0.05,
        final_lr_fraction: float = 0.01,
        restart_epochs: float = 10,
        restart_t_mul: float = 2.0,
        restart_m_mul: float = 1.0,
        fixed: bool = False,
    ):
        self.kind = check_choice("schedule", kind, KINDS)
        self.learning_rate = check_float(
            "learning_rate", learning_rate, above=0
        )
        self.steps_per_epoch = check_int(
            "steps_per_epoch", steps_per_epoch, minimum=1
        )
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.warmup_fraction = check_float(
            "warmup_fraction", warmup_fraction, minimum=0, below=1
        )
        self.final_lr_fraction = check_float(
            "final_lr_fraction", final_lr_fraction, minimum=0, maximum=1
        )
        self.restart_epochs = check_float(
            "restart_epochs", restart_epochs, above=0
        )
        self.restart_t_mul = check_float(
            "restart_t_mul", restart_t_mul, above=0
        )
        self.restart_m_mul = check_float(
            "restart_m_mul", restart_m_mul, above=0
        )
        self.fixed = bool(fixed)

    def resize(self, steps_per_epoch: int, epochs: int) -> bool:
        """Sets the run's size (unless `fixed`); True if it changed."""
        steps_per_epoch = check_int(
            "steps_per_epoch", steps_per_epoch, minimum=1
        )
        epochs = check_int("epochs", epochs, minimum=1)
        if self.fixed or (steps_per_epoch, epochs) == (
            self.steps_per_epoch,
            self.epochs,
        ):
            return False
        self.steps_per_epoch, self.epochs = steps_per_epoch, epochs
        return True

    def keras_schedule(self) -> keras.optimizers.schedules.LearningRateSchedule:
        """The Keras schedule of the current size."""
        if self.kind == "warmup_cosine":
            total = max(1, int(self.steps_per_epoch * self.epochs))
            warmup = int(total * self.warmup_fraction)
            return keras.optimizers.schedules.CosineDecay(
                initial_learning_rate=0.0,
                decay_steps=max(1, total - warmup),
                alpha=self.final_lr_fraction,
                warmup_target=self.learning_rate,
                warmup_steps=warmup,
            )
        first = max(1, int(self.steps_per_epoch * self.restart_epochs))
        return keras.optimizers.schedules.CosineDecayRestarts(
            initial_learning_rate=self.learning_rate,
            first_decay_steps=first,
            t_mul=self.restart_t_mul,
            m_mul=self.restart_m_mul,
            alpha=self.final_lr_fraction,
        )

    def __call__(self, step: Any) -> Any:
        return self.keras_schedule()(step)

    def get_config(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "learning_rate": self.learning_rate,
            "steps_per_epoch": self.steps_per_epoch,
            "epochs": self.epochs,
            "warmup_fraction": self.warmup_fraction,
            "final_lr_fraction": self.final_lr_fraction,
            "restart_epochs": self.restart_epochs,
            "restart_t_mul": self.restart_t_mul,
            "restart_m_mul": self.restart_m_mul,
            "fixed": self.fixed,
        }
