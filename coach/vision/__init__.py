"""From pixels to poses and back.

`estimator` (MediaPipe's PoseLandmarker behind one adapter that returns `Pose` objects),
`model_bundle` (the Tasks bundle built from the model files in the mediapipe wheel),
`video` (reading any common video, writing browser H.264), `smoothing` (the One Euro
filter), `recording` (poses saved to replay without the model) and `draw` (the overlay,
separate from counting).
"""
