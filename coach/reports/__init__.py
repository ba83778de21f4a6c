"""One patient's record for a period, exported, and the patient's printouts.

`exports` (CSV and JSON), `fhir` (a FHIR R4 Bundle), `pdf` (the progress report for
the referring clinician) and `flare_up` (the flare-up plan as a one-page PDF).
"""
