"""The webcam of the live pages (live coaching, posture check, assessment), wired the same
way for each: where the pose model runs and the camera widget of that place.

Two places, one engine. By default the model runs in the patient's browser (the
pose_camera component): no video leaves the device, only landmarks reach the server, over
the WebSocket of coach_ui/live_stream.py. The server path (streamlit-webrtc: the video
goes to the server, which runs the model) is a setting, and is used on its own, with the
reason shown, when the browser cannot run the model or the web package is not installed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from importlib import resources
from typing import Any, Literal

import streamlit as st
import streamlit.components.v1 as components
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from coach.core.errors import CoachError
from coach.runtime.live import FrameLoop
from coach_ui.auth import current_principal
from coach_ui.live_stream import stream_token
from coach_ui.resources import open_store, or_stop
from coach_ui.routes import POSE_MODEL_PATHS, STREAM_PATH, TASKS_VISION_PATH
from coach_ui.web_package import WebPackageMissingError, landmark_model_file, tasks_vision_dir

LOG = logging.getLogger(__name__)
ICE_SERVERS_ENV = "FORM_COACH_ICE_SERVERS"
POSE_PLACE_ENV = "FORM_COACH_LIVE_POSE"
POSE_PLACES = ("browser", "server")
BROWSER_MODELS_ENV = "FORM_COACH_BROWSER_MODELS"
BROWSER_MODELS = ("full", "lite")  # the order the browser's speed test tries them in
ON_DEVICE_KEY = "form_coach_pose_on_device"  # the page's toggle
# The toggle's setting kept per signed-in user in the store (session state lasts one tab
# and loses a widget's value once a page without it runs): "browser" or "server".
PLACE_SETTING = "live_pose_place"
ON_DEVICE_LABEL = "Run the pose model on this device (no video leaves it)"
BROWSER_FAILED_KEY = "form_coach_pose_browser_failed"  # why this browser cannot run the model
ATTEMPT_KEY = "form_coach_pose_browser_attempt"  # a fresh component after "try again"
WAITING = (
    "Waiting for the camera: allow it in the browser (on the server path, press **Start** "
    "under the video)."
)
NO_PICTURE = (
    "The coach has no picture: the camera could not be opened (the message under the video "
    "says why and what to do)."
)
CAMERA_PROBLEM_KEY = "form_coach_camera_problem"  # True once the on-device camera cannot open
PRIVACY_NOTE = (
    "The pose model runs on this device: **no video leaves your browser**. Only the body's "
    "landmarks (33 points a frame) go to the coach."
)


def rtc_configuration() -> dict:
    """WebRTC ICE servers: none on localhost; STUN/TURN from $FORM_COACH_ICE_SERVERS (a JSON
    list such as [{"urls": ["stun:stun.example.org:3478"]}]) for a deployment."""
    raw = os.environ.get(ICE_SERVERS_ENV, "").strip()
    if not raw:
        return {"iceServers": []}
    try:
        servers = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CoachError(f"{ICE_SERVERS_ENV} is not valid JSON: {exc}") from exc
    if not isinstance(servers, list) or not all(
        isinstance(s, dict) and "urls" in s for s in servers
    ):
        raise CoachError(
            f'{ICE_SERVERS_ENV} must be a JSON list of {{"urls": [...]}} objects, got {raw!r}'
        )
    return {"iceServers": servers}


def camera_streamer(key: str, rtc: dict, frames_callback, on_ended) -> None:
    """The webcam through streamlit-webrtc as the live pages use it: sent and received,
    640x480 at most 30 fps, no audio, frames handled off the page's thread."""
    webrtc_streamer(
        key=key,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=rtc,
        media_stream_constraints={
            "video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"max": 30}},
            "audio": False,
        },
        queued_video_frames_callback=frames_callback,
        on_video_ended=on_ended,
        async_processing=True,
    )


_pose_camera = components.declare_component(
    "form_coach_pose_camera",
    path=str(resources.files("coach_ui") / "components" / "pose_camera"),
)


def browser_models() -> list[str]:
    """The landmark models the browser's speed test may pick from, in the order it tries
    them: $FORM_COACH_BROWSER_MODELS, a comma-separated list of "full" and "lite"
    ("full,lite" by default: full, then lite when full is too slow). A benchmark names one
    to measure it alone.

    Raises CoachError naming the setting and the values it takes when it holds another.
    """
    raw = os.environ.get(BROWSER_MODELS_ENV, "").strip()
    if not raw:
        return list(BROWSER_MODELS)
    models = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [m for m in models if m not in BROWSER_MODELS]
    if unknown or not models:
        raise CoachError(
            f"{BROWSER_MODELS_ENV}={raw!r}: use a comma-separated list of "
            f"{', '.join(BROWSER_MODELS)} (or unset it for both)"
        )
    return models


def lite_model_url() -> str | None:
    """Where the browser loads the lite model, or None when @mediapipe/pose is not
    installed (the component then says so, and keeps the full model however slow)."""
    try:
        landmark_model_file("lite")
    except WebPackageMissingError:
        return None
    return POSE_MODEL_PATHS["lite"]


def browser_camera(key: str, *, token: str, mirror: bool, speak: bool) -> dict[str, Any] | None:
    """The on-device camera component: the webcam, the pose model in the browser (in a
    Web Worker), the skeleton drawn locally, landmarks streamed with `token` to
    STREAM_PATH.

    Returns the component's last report (None before the first): a dict whose "status"
    is "model-ready", "streaming", "closed" (with "reason"), "camera-error" (with
    "reason") or "failed" (with "reason": the model cannot run in this browser), with the
    "delegate", "model", "fps" it chose and "why" once known.
    """
    value = _pose_camera(
        token=token,
        stream_path=STREAM_PATH,
        model_url=POSE_MODEL_PATHS["full"],
        lite_model_url=lite_model_url(),
        models=or_stop(browser_models),
        wasm_url=f"{TASKS_VISION_PATH}/wasm",
        bundle_url=f"{TASKS_VISION_PATH}/vision_bundle.mjs",
        mirror=mirror,
        speak=speak,
        key=key,
        default=None,
    )
    return value if isinstance(value, dict) else None


def show_waiting() -> None:
    """What the coaching panel says before the first picture: waiting for the camera, or,
    once the on-device camera has said it cannot open, that there is no picture (so the
    panel does not say "waiting" beside the camera's own error)."""
    if st.session_state.get(CAMERA_PROBLEM_KEY):
        st.warning(NO_PICTURE)
    else:
        st.info(WAITING)


def pose_place_default() -> Literal["browser", "server"]:
    """Where the live pages run the pose model unless the patient switches:
    $FORM_COACH_LIVE_POSE, "browser" (the default) or "server".

    Raises CoachError naming the setting and the values it takes when it holds another.
    """
    value = os.environ.get(POSE_PLACE_ENV, "browser").strip().lower() or "browser"
    if value == "browser":
        return "browser"
    if value == "server":
        return "server"
    raise CoachError(f"{POSE_PLACE_ENV}={value!r}: use one of {', '.join(POSE_PLACES)}")


def _chosen_place() -> Literal["browser", "server"]:
    """Where this user last chose to run the pose model (kept in the store, so it holds on
    every live page, in every tab and after signing in again), else the setting's default.

    Raises CoachError (the store's, or the setting's) naming what to fix."""
    principal = current_principal()
    kept = None if principal is None else open_store().user_setting(principal, PLACE_SETTING)
    if kept == "browser":
        return "browser"
    if kept == "server":
        return "server"
    if kept is not None:  # not written by this version: said, and replaced on the next switch
        LOG.warning(
            "the stored setting %s=%r is neither browser nor server: the default is used "
            "until the page's toggle is switched",
            PLACE_SETTING,
            kept,
        )
    return pose_place_default()


def _keep_place() -> None:
    """The toggle's change: keep it as this user's choice (nobody signed in: this tab's)."""
    principal = current_principal()
    if principal is None:
        return
    place = "browser" if st.session_state[ON_DEVICE_KEY] else "server"
    or_stop(lambda: open_store().set_user_setting(principal, PLACE_SETTING, place))


def _browser_unavailable() -> str | None:
    """Why the pose model cannot run in this browser, or None when it may."""
    failed = st.session_state.get(BROWSER_FAILED_KEY)
    if failed:
        return f"this browser could not run it ({failed})"
    try:
        tasks_vision_dir()
    except WebPackageMissingError as exc:
        return f"the app has no copy of the browser's pose model code ({exc})"
    if "full" not in or_stop(browser_models):
        # The lite model alone, and it is not installed: the speed test would have nothing
        # to try, and the page would fail with no reason it could give.
        try:
            landmark_model_file("lite")
        except WebPackageMissingError as exc:
            return f"{BROWSER_MODELS_ENV} names the lite model only, and it is missing ({exc})"
    return None


def live_camera(
    key: str,
    loop: FrameLoop,
    *,
    patient_id: int | None,
    frames_callback: Callable,
    mirror: bool,
    speak: bool = False,
) -> Literal["browser", "server"]:
    """The live page's camera: on the device (the default) or on the server, as the toggle,
    the setting and what this browser can do say, with why the server is used when it is.
    `frames_callback` feeds `loop` on the server path; on the browser path `loop` gets the
    landmarks through a token bound to it and to `patient_id`. `speak`: the component
    speaks the coach's cues (the browser path only; the page speaks them otherwise).

    Returns the place used, "browser" or "server".
    """
    if ON_DEVICE_KEY not in st.session_state:
        st.session_state[ON_DEVICE_KEY] = or_stop(_chosen_place) == "browser"
    on_device = st.toggle(
        ON_DEVICE_LABEL,
        key=ON_DEVICE_KEY,
        on_change=_keep_place,
        help="Off: the video goes to the server, which runs the model (it needs more of the "
        "server, and a relay once the app is served beyond this computer).",
    )
    why_not = _browser_unavailable() if on_device else None
    if on_device and why_not is None:
        attempt = st.session_state.get(ATTEMPT_KEY, 0)
        report = browser_camera(
            f"{key}-device-{attempt}",
            token=stream_token(loop, patient_id=patient_id),
            mirror=mirror,
            speak=speak,
        )
        if report is not None and report.get("status") == "failed":
            st.session_state[BROWSER_FAILED_KEY] = report.get("reason") or "no reason given"
            st.rerun()
        camera_error = report is not None and report.get("status") == "camera-error"
        st.session_state[CAMERA_PROBLEM_KEY] = camera_error
        st.caption(PRIVACY_NOTE)
        return "browser"
    if why_not is not None:
        st.info(f"The pose model runs on the server: {why_not}.")
        if st.session_state.get(BROWSER_FAILED_KEY) and st.button("Try this device again"):
            st.session_state.pop(BROWSER_FAILED_KEY, None)
            st.session_state[ATTEMPT_KEY] = st.session_state.get(ATTEMPT_KEY, 0) + 1
            st.rerun()
    st.session_state[CAMERA_PROBLEM_KEY] = False
    rtc = or_stop(rtc_configuration)
    camera_streamer(f"{key}-server", rtc, frames_callback, on_ended=loop.close)
    return "server"
