"""Assessments: a camera goniometer (range of motion) and the standard functional tests
(30-second chair stand, Timed Up and Go, single-leg stance).

Pure library code on `Pose` streams, in frame time, with no Streamlit: the Assessment page
wires it to the webcam, and the tests feed it synthetic and recorded pose sequences.
"""

from coach.assessment.chair_stand import (
    ChairStandNorm,
    ChairStandPhase,
    ChairStandState,
    ChairStandTest,
    StandCounter,
    chair_stand_norm,
)
from coach.assessment.goniometer import RomMeasure, load_measures
from coach.assessment.rom import RomMeasurement, RomReading, RomStatus, SideResult
from coach.assessment.stance import SingleLegStance, StancePhase, StanceState
from coach.assessment.tug import FALL_RISK_S, TimedUpAndGo, TugPhase, TugState

__all__ = [
    "FALL_RISK_S",
    "ChairStandNorm",
    "ChairStandPhase",
    "ChairStandState",
    "ChairStandTest",
    "RomMeasure",
    "RomMeasurement",
    "RomReading",
    "RomStatus",
    "SideResult",
    "SingleLegStance",
    "StancePhase",
    "StanceState",
    "StandCounter",
    "TimedUpAndGo",
    "TugPhase",
    "TugState",
    "chair_stand_norm",
    "load_measures",
]
