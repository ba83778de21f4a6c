"""The exercise engine: measures, counters, hold timers, form rules and cues.

Everything here is pure (no drawing, no I/O, no clock): it takes poses, one or a whole
recording's as arrays, and its time comes from them.
"""
