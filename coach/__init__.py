"""Form Coach: a webcam exercise coach for home physiotherapy."""

__version__ = "0.1.0"
