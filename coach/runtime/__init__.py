"""Running the coach on a stream.

`session` (one stream's pipeline: poses -> the patient -> smoothed -> the engine),
`tracker` (staying with the patient), `live` (the webcam frame loop), `analysis` (offline
analysis of a video file), `guided` (sets, reps and rest), and `threads` (the read-ahead
decoding thread).
"""
