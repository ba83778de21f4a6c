"""The exercise engine: measures, counters, hold timers, form rules and cues.

Everything here is pure Python on `Pose` objects; time comes from the poses.
"""
