"""The flare-up plan: read only with access, printable as a PDF that opens and as text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from coach.auth.access import AccessDeniedError, Principal
from coach.clinical.flare_up import FIELDS, filled, flare_up_for, flare_up_text
from coach.reports.flare_up import flare_up_pdf
from coach.store import Store
from tests.support.store_data import seed_patient

PLAN = {
    "warning_signs": "Stiff in the morning, sleeping badly",
    "reduce": "Halve the squats; walks of 10 minutes",
    "keep_doing": "Bridges and a short daily walk",
    "helps": "Heat pack, slow breathing, telling Sam",
    "seek_help": "Call the clinic if not settling after 2 weeks; Zoë's number 0123",
}


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'coach.db'}")


@pytest.fixture
def two_patients(store, library):
    ann, bob = store.add_clinician("Ann Physio"), store.add_clinician("Bob Physio")
    ana = seed_patient(store, library, name="Ana Patient", clinician_id=ann, days=1)
    cy = seed_patient(store, library, name="Cy Patient", clinician_id=bob, days=1)
    store.save_flare_up_plan(ana.plan_id, **PLAN)
    store.save_flare_up_plan(cy.plan_id, warning_signs="Cy's own secret signs")
    return {"ann": ann, "bob": bob, "ana": ana, "cy": cy}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_opens_and_holds_every_part(store, two_patients):
    ana = two_patients["ana"]
    principal = Principal("patient", "Ana", patient_id=ana.patient_id)
    data = flare_up_for(store, principal, ana.patient_id)
    assert filled(data.flare_up)
    pdf = flare_up_pdf(data)
    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = " ".join(pdf_text(pdf).split())
    assert "My flare-up plan: Ana Patient" in text
    for _, heading, _ in FIELDS:
        assert heading in text
    assert "Zoë's number 0123" in text  # any alphabet prints (DejaVu Sans)
    assert "Get medical help urgently" in text


def test_an_empty_plan_prints_with_blanks(store, library):
    seeded = seed_patient(store, library, name="New Patient", days=0)
    data = flare_up_for(store, Principal.home(), seeded.patient_id)
    assert data.flare_up is None and not filled(data.flare_up)
    assert "not filled in yet" in pdf_text(flare_up_pdf(data))
    assert flare_up_text(data).count("(not filled in yet)") == len(FIELDS)


def test_the_text_copy_has_every_answer(store, two_patients):
    data = flare_up_for(store, Principal.home(), two_patients["ana"].patient_id)
    text = flare_up_text(data)
    for value in PLAN.values():
        assert value in text


@pytest.mark.parametrize("who", ["ana_patient", "bob_clinician"])
def test_no_one_reads_another_patients_flare_up_plan(store, two_patients, who):
    cy = two_patients["cy"].patient_id
    principal = (
        Principal("patient", "Ana", patient_id=two_patients["ana"].patient_id)
        if who == "ana_patient"
        else Principal("clinician", "Bob", clinician_id=999)
    )
    with pytest.raises(AccessDeniedError, match=f"no patient {cy} that you can see"):
        flare_up_for(store, principal, cy)


def test_the_own_clinician_reads_it(store, two_patients):
    principal = Principal("clinician", "Bob", clinician_id=two_patients["bob"])
    data = flare_up_for(store, principal, two_patients["cy"].patient_id)
    assert data.flare_up.warning_signs == "Cy's own secret signs"
