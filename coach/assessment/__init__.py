"""Assessments: a camera goniometer (range of motion) and the standard functional tests
(30-second chair stand, Timed Up and Go, single-leg stance).

Pure library code on `Pose` streams, in frame time, with no Streamlit: the Assessment page
wires it to the webcam, and the tests feed it synthetic and recorded pose sequences.
"""

from coach.assessment.goniometer import RomMeasure, load_measures
from coach.assessment.rom import RomMeasurement, RomReading, RomStatus, SideResult

__all__ = [
    "RomMeasure", "RomMeasurement", "RomReading", "RomStatus", "SideResult", "load_measures",
]  # fmt: skip
