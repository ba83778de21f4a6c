"""The flare-up plan a patient fills in with their physio: read with an access check, and
a plain-text copy for any printer or phone (the one-page PDF is coach.reports.flare_up).

The plan is kept with the treatment plan (`Store.save_flare_up_plan(plan_id, ...)`), so it
travels with the exercises it belongs to; a new treatment plan starts with an empty one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coach.auth.access import Principal, require_patient
from coach.store.records import FlareUpPlan, Patient, Plan

if TYPE_CHECKING:
    from coach.store import Store

# The five parts, in the order a patient reads them, with the question each answers.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("warning_signs", "My warning signs", "What tells me a flare-up is starting?"),
    ("reduce", "What I will reduce", "What do I cut down, and by how much?"),
    ("keep_doing", "What I will keep doing", "What keeps me moving, even on a bad day?"),
    ("helps", "What helps me", "What eases the pain or the worry?"),
    ("seek_help", "When I will seek help", "Who do I contact, and when?"),
)
URGENT = (
    "Get medical help urgently for numbness around the bottom or genitals, new bladder "
    "or bowel problems, new weakness or numbness in the legs or arms, fever or feeling "
    "unwell, pain after a fall or accident, or chest pain."
)


@dataclass(frozen=True)
class PatientFlareUp:
    """A patient's current treatment plan and its flare-up plan (either may be missing)."""

    patient: Patient
    plan: Plan | None
    flare_up: FlareUpPlan | None


def flare_up_for(store: Store, principal: Principal, patient_id: int) -> PatientFlareUp:
    """The patient's flare-up plan, after checking this user may see the patient (the same
    message whether the patient exists or not)."""
    require_patient(store, principal, patient_id)
    plan = store.current_plan(patient_id)
    flare_up = store.flare_up_plan(plan.id) if plan is not None else None
    return PatientFlareUp(store.get_patient(patient_id), plan, flare_up)


def filled(flare_up: FlareUpPlan | None) -> bool:
    return flare_up is not None and any(getattr(flare_up, key) for key, _, _ in FIELDS)


def flare_up_text(data: PatientFlareUp) -> str:
    """A plain-text copy (Markdown) that prints anywhere."""
    lines = [f"# Flare-up plan: {data.patient.name}", ""]
    if data.plan is not None:
        lines += [f'Kept with the plan "{data.plan.title}".', ""]
    for key, heading, question in FIELDS:
        value = getattr(data.flare_up, key, None) if data.flare_up else None
        lines += [f"## {heading}", f"*{question}*", "", value or "(not filled in yet)", ""]
    lines += ["---", URGENT]
    if data.flare_up is not None:
        lines.append(f"Last changed {data.flare_up.updated_at:%d %b %Y}.")
    return "\n".join(lines) + "\n"
