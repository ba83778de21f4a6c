"""The desk posture check: measures from a front-facing webcam, the patient's own neutral,
plain advice, and rate-limited reminders. No Streamlit here; time comes from the poses.

measures (one frame) -> calibration (the patient's neutral) -> assess (findings and
advice) -> reminders (nudges, with a cooldown) -> monitor (ties them together and keeps
only a numeric summary) -> live (webrtc frames in, annotated frames out).
"""
