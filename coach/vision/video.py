"""Reading any common video into RGB frames with timestamps, and writing browser H.264.

PyAV (FFmpeg) reads mp4, mov, webm, avi, mkv and gif alike and gives each frame its
presentation time, which is the clock the engine runs on. Writing uses the libx264
encoder in PyAV's wheel: yuv420p + faststart plays in every browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np

from coach.core.errors import VideoError

if TYPE_CHECKING:
    import av

# Frames larger than this are shrunk (while decoding) before the model and the annotated
# video: the model sees a 256x256 crop whatever the input, the counts on every shared clip
# are the same at 640 px as at full size (docs/benchmarks.md), and drawing and encoding a
# 720p or 1080p frame would cost more than the model itself on a small machine.
WORKING_MAX_SIDE_PX = 640
# The smallest side a video, or a frame shrunk for the model, may have: below it there is no
# person to find, and the H.264 frames (even sizes) would be empty.
MIN_SIDE_PX = 16
# Containers the annotated H.264 video can be written in (chosen by the file name).
OUTPUT_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv")


VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".gif", ".mpg", ".mpeg")


@dataclass(frozen=True)
class VideoInfo:
    """What we know about a video before decoding it."""

    path: Path
    width: int
    height: int
    fps: float
    frames: int  # an estimate when the container does not say
    duration_s: float


@dataclass(frozen=True)
class VideoFrame:
    """One decoded frame: RGB pixels (H, W, 3, uint8) and its time in seconds."""

    index: int
    t_s: float
    rgb: np.ndarray


def yuv420_frame(rgb: np.ndarray) -> av.VideoFrame:
    """An RGB image as the yuv420p frame H.264 takes, cut to even sizes (4:2:0 halves both).

    OpenCV converts far faster than the encoder's own RGB input path, and an encoder that
    re-sends the last frame (the live page's) would otherwise convert it every time.
    """
    import av
    import cv2

    height, width = rgb.shape[:2]
    even = np.ascontiguousarray(rgb[: height - height % 2, : width - width % 2])
    yuv = np.asarray(cv2.cvtColor(even, cv2.COLOR_RGB2YUV_I420), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(yuv, format="yuv420p")


def _open(path: Path) -> av.container.InputContainer:
    import av

    if not path.exists():
        raise VideoError(f"{path}: no such file")
    if not path.is_file():
        raise VideoError(f"{path}: not a file")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise VideoError(f"{path}: not a readable video ({exc.__class__.__name__})") from exc
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path}: contains no video stream")
    return container


def check_output_name(path: str | Path) -> None:
    """Raise VideoError unless `path` names a container H264Writer can write (its suffix
    picks the container): checked before an analysis starts, not after it."""
    if Path(path).suffix.lower() not in OUTPUT_SUFFIXES:
        raise VideoError(
            f"{path}: an annotated video is H.264 in an mp4, mov or mkv file; give a name "
            "ending in .mp4"
        )


def probe(path: str | Path) -> VideoInfo:
    """Size, frame rate, frame count and duration of a video, without decoding it all."""
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or Fraction(30)
        fps = float(rate)
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        frames = stream.frames or round(duration * fps)
        width = stream.codec_context.width
        height = stream.codec_context.height
    finally:
        container.close()
    if width <= 0 or height <= 0:
        raise VideoError(f"{path}: video stream has no frame size; is the file complete?")
    if min(width, height) < MIN_SIDE_PX:
        raise VideoError(
            f"{path}: the video is {width}x{height} pixels, too small to see a person in "
            f"(at least {MIN_SIDE_PX} pixels each way)"
        )
    return VideoInfo(path, width, height, fps, int(frames), duration)


def read_frames(path: str | Path) -> Iterator[VideoFrame]:
    """Decode every frame as RGB with strictly increasing times from the file's timestamps.

    A frame without a timestamp, or one not later than its predecessor, gets the previous
    time plus one frame interval, so the engine's clock never stands still or runs back.
    """
    import av

    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.guessed_rate or Fraction(30)
        interval = 1.0 / float(rate)
        start = None
        last_t = -np.inf
        index = 0
        try:
            for frame in container.decode(stream):
                t = frame.time
                if t is not None and start is None:
                    start = t
                t = (t - start) if (t is not None and start is not None) else None
                if t is None or t <= last_t:
                    t = 0.0 if last_t == -np.inf else last_t + interval
                last_t = t
                yield VideoFrame(index, float(t), frame.to_ndarray(format="rgb24"))
                index += 1
        except av.error.FFmpegError as exc:
            if index == 0:
                raise VideoError(f"{path}: cannot decode any frame ({exc})") from exc
            raise VideoError(f"{path}: decoding failed after frame {index} ({exc})") from exc
        if index == 0:
            raise VideoError(f"{path}: the video stream holds no frames")
    finally:
        container.close()


# libx264 `veryfast` with the quickest sub-pixel search (subme=1): clearly less CPU than
# plain veryfast for a slightly larger file at the same quality (docs/benchmarks.md, "Where
# the time goes"; `scripts/where_time_goes.py encoder` measures it). The CPU saved is CPU
# taken from beside the pose model.
ENCODER_OPTIONS = {"crf": "23", "preset": "veryfast", "x264-params": "subme=1"}


class H264Writer:
    """Writes RGB frames to an H.264 mp4 that browsers play (yuv420p, faststart)."""

    def __init__(
        self,
        path: str | Path,
        fps: float,
        frame_wh: tuple[int, int],
        options: dict[str, str] | None = None,
    ) -> None:
        """`options`: libx264's, `ENCODER_OPTIONS` by default."""
        import av

        self.path = Path(path)
        width, height = frame_wh
        # yuv420p needs even dimensions; drop the last odd row/column.
        self._wh = (width - width % 2, height - height % 2)
        check_output_name(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._container = av.open(str(self.path), mode="w", options={"movflags": "+faststart"})
        except (OSError, av.error.FFmpegError) as exc:
            raise VideoError(f"{self.path}: cannot create the output video ({exc})") from exc
        rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(30)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = self._wh
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = dict(ENCODER_OPTIONS if options is None else options)

    def write(self, rgb: np.ndarray) -> None:
        import av

        width, height = self._wh
        frame = yuv420_frame(rgb[:height, :width])
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except (OSError, av.error.FFmpegError) as exc:
            raise VideoError(f"{self.path}: writing failed ({exc}); is the disk full?") from exc

    def close(self) -> None:
        import av

        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        except (OSError, av.error.FFmpegError) as exc:
            raise VideoError(f"{self.path}: finishing the video failed ({exc})") from exc

    def __enter__(self) -> H264Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
