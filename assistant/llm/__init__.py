"""Local ONNX Runtime language-model engine and model packs."""
