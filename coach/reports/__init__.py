"""One patient's record for a period, exported.

`exports` (CSV and JSON), `fhir` (a FHIR R4 Bundle) and `pdf` (the progress report for
the referring clinician).
"""
