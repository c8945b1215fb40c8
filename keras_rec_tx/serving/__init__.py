"""keras_rec_tx.serving: export of a top-k endpoint (TF SavedModel, ONNX)
that serves without this package. TensorFlow, torch and onnx are imported
only while exporting."""

from keras_rec_tx.serving.export import export

__all__ = ["export"]
