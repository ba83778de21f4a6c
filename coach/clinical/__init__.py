"""The physiotherapy rules, as pure code.

`plans` (a patient's prescription and its progression), `pain_monitoring` (the
pain-monitoring model), `psfs` (when functional goals are due), `flare_up` (the flare-up
plan), `lessons` (pain-education lessons, shipped in `data/lessons/`) and `progress` (the
numbers behind the progress charts).
"""
