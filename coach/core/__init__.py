"""The foundation every other package builds on.

`pose` (the one validated `Pose` type), `landmarks` (BlazePose's 33 landmarks by name, the
skeleton, name resolution for definitions), `angles` (angle maths in the clinical
neutral-zero convention) and `errors` (the project's error types). Nothing here imports
another package of `coach`.
"""
