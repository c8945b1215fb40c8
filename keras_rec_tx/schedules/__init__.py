"""keras_rec_tx.schedules: learning-rate schedules of the training recipes."""

from keras_rec_tx.schedules.fit_sized_schedule import FitSizedSchedule

__all__ = ["FitSizedSchedule"]
