"""The Session page's review blocks: the clinician's comments, each set replayed as a moving
skeleton beside its angle, and a set re-scored under another prescription.

Every read and write goes through coach.reports.review, which checks the user may read
the session first. Comments are user-written: shown with `st.text` or `literal`, never as
Markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coach.auth.access import Principal, require_session, require_staff
from coach.clinical.progress import angle_label
from coach.core.markdown import literal
from coach.engine.thresholds import Prescription
from coach.exercise.loader import ExerciseLibrary
from coach.exercise.schema import ExerciseDef
from coach.reports import review
from coach.runtime.analysis import AnalysisResult
from coach.store import Store
from coach.store.prescriptions import PlanItemSpec
from coach.store.records import FaultEvent, LandmarkSet, RepRecord, SessionRecord
from coach_ui import state
from coach_ui.flash import save_and_rerun
from coach_ui.replay_view import FaultMark, RepMark, replay_json, skeleton_replay


def _rep_name(rep: RepRecord) -> str:
    side = f" ({rep.side})" if rep.side != "both" else ""
    return f"Set {rep.set_index}, rep {rep.rep_index}{side}"


def show_comments(
    store: Store, principal: Principal, session: SessionRecord, reps: list[RepRecord]
) -> None:
    """The session's comments, and for a clinician a form to add one (on the session or
    on one rep)."""
    st.subheader("Comments")
    by_id = {r.id: r for r in reps}
    comments = review.session_comments(store, principal, session.id)
    if not comments:
        st.caption("No comments on this session yet.")
    for comment in comments:
        with st.container(border=True):
            about = by_id.get(comment.rep_id) if comment.rep_id is not None else None
            where = _rep_name(about) if about is not None else "the session"
            st.caption(
                literal(
                    f"{comment.author}, {comment.created_at.astimezone():%d %b %Y %H:%M}, "
                    f"on {where}"
                )
            )
            st.text(comment.body)
    if not principal.is_staff:
        return
    with st.form("comment_form", clear_on_submit=True, enter_to_submit=False):
        choices: list[int | None] = [None, *by_id]
        about = st.selectbox(
            "About",
            choices,
            format_func=lambda i: "The whole session" if i is None else _rep_name(by_id[i]),
        )
        body = st.text_area("Comment for the patient", max_chars=2000)
        if st.form_submit_button("Add comment"):
            save_and_rerun(
                lambda: review.add_comment(store, principal, session.id, body, rep_id=about),
                "Comment added: the patient sees it on their Today page.",
            )


def show_replay(
    store: Store,
    principal: Principal,
    library: ExerciseLibrary,
    session: SessionRecord,
    reps: list[RepRecord],
    faults: list[FaultEvent],
) -> None:
    """Each set with landmarks kept: the skeleton replay beside the angle, and for a
    clinician the re-score under another prescription."""
    st.subheader("Replay a set")
    kept = review.landmark_sets(store, principal, session.id)
    if not kept:
        st.caption(
            "No movement was kept for this session (it was recorded before sets were kept, "
            "without the camera, or the patient turned keeping their movement off)."
        )
        return
    if session.exercise_id not in library:
        st.caption(f"The exercise {session.exercise_id!r} is not in this library: no replay.")
        return
    exercise = library.get(session.exercise_id)
    set_index = st.radio(
        "Set",
        [s.set_index for s in kept],
        horizontal=True,
        format_func=lambda i: f"Set {i}",
        key=f"replay_set_{session.id}",
    )
    stored_set = next(s for s in kept if s.set_index == set_index)
    replay = _replayed(store, principal, exercise, stored_set, None)
    measure = replay.measure(exercise)
    label = angle_label(library, exercise.id, measure) if measure else "Angle"
    stored = [r for r in reps if r.set_index == set_index]
    marks = [RepMark(_rep_name(r), r.start_s, r.turn_s, r.end_s, r.partial) for r in stored]
    fault_marks = [FaultMark(f.t_s, f.cue, f.severity) for f in faults if f.t_s is not None]
    skeleton_replay(
        replay_json(replay, measure, label, marks, fault_marks),
        key=f"replay_{session.id}_{set_index}",
    )
    st.caption(
        f"The patient's landmarks in set {set_index} (no video is kept), and "
        f"{label.lower()} as the coach computes it from them. Shaded: the repetitions "
        "counted; red ticks: faults. Click a repetition, or the chart, to jump there."
    )
    if principal.is_staff:
        _rescore(store, principal, session, exercise.id, replay, measure, label, library)


KEPT_REPLAYS = 4


def _replayed(
    store: Store,
    principal: Principal,
    exercise: ExerciseDef,
    stored: LandmarkSet,
    prescription: Prescription | None,
) -> review.SetReplay:
    """`review.replay_set`, remembered for this user's browser session (the page reruns on
    every click; a replay takes about a second a minute of set). The access check runs
    every time; a set deleted or replaced since (the patient turned keeping off, a retried
    save) is listed differently by the store, so it is never served from memory."""
    require_session(store, principal, stored.session_id)
    memo: dict[tuple, review.SetReplay] = st.session_state.setdefault(state.REPLAYS_KEY, {})
    key = (stored, exercise.id, prescription)
    if key not in memo:
        memo[key] = review.replay_set(
            store,
            principal,
            exercise,
            stored.session_id,
            stored.set_index,
            prescription=prescription,
        )
        while len(memo) > KEPT_REPLAYS:
            memo.pop(next(iter(memo)))
    return memo[key]


def _rescore(
    store: Store,
    principal: Principal,
    session: SessionRecord,
    exercise_id: str,
    replay: review.SetReplay,
    measure: str | None,
    label: str,
    library: ExerciseLibrary,
) -> None:
    """Re-run the set on a changed target / counts-from, or under another exercise
    definition of the library; save the prescription to the plan on request (the
    session's own definition only: the plan item is for it)."""
    if library.get(exercise_id).reps is None or measure is None:
        return
    with st.expander("Re-score this set under another prescription"):
        st.caption(
            "What the coach would have counted in this set with another range, or under "
            "another exercise definition. The session's record does not change."
        )
        counted_ids = [i for i in library.ids() if library.get(i).reps is not None]
        definition_id = st.selectbox(
            "Exercise definition",
            counted_ids,
            index=counted_ids.index(exercise_id),
            format_func=lambda i: library.get(i).name,
            key=f"rescore_definition_{session.id}_{replay.set_index}",
        )
        exercise = library.get(definition_id)
        stored_set = next(
            s
            for s in review.landmark_sets(store, principal, session.id)
            if s.set_index == replay.set_index
        )
        if definition_id != exercise_id:  # the set as the other definition counts it
            replay = _replayed(store, principal, exercise, stored_set, None)
            measure = replay.measure(exercise)
            if measure is None:
                st.caption(f"The {exercise.name.lower()} has no angle to re-score on.")
                return
            label = angle_label(library, exercise.id, measure)
        thresholds = next(
            (m["thresholds"] for m in replay.result.movement if m.get("measure") == measure), {}
        )
        form = f"rescore_{session.id}_{replay.set_index}_{definition_id}"
        with st.form(form, enter_to_submit=False):
            target_col, turn_col = st.columns(2)
            target = target_col.number_input(
                f"Target on {label.lower()} (°)",
                0.0,
                180.0,
                float(thresholds.get("target") or 90.0),
                step=5.0,
            )
            counts_from = turn_col.number_input(
                "Counts from (°)", 0.0, 180.0, float(thresholds.get("turn") or 45.0), step=5.0
            )
            asked = st.form_submit_button("Re-score")
        key = f"rescored_{session.id}_{replay.set_index}"
        if asked:
            st.session_state[key] = (
                definition_id,
                Prescription(measure, float(target), float(counts_from)),
            )
        asked_for: tuple[str, Prescription] | None = st.session_state.get(key)
        if asked_for is None or asked_for[0] != definition_id:
            return
        prescription = asked_for[1]
        rescored = _replayed(store, principal, exercise, stored_set, prescription)
        was, now = replay.result, rescored.result
        moved = next((m["thresholds"] for m in now.movement if m.get("measure") == measure), {})
        for note in moved.get("notes", []):
            st.caption(literal(f"Note: {note}"))
        c1, c2 = st.columns(2)
        c1.metric(
            "Repetitions as counted"
            if definition_id == exercise_id
            else f"Repetitions as a {exercise.name.lower()}",
            was.rep_count,
            help=f"{_partials(was)} partial",
        )
        c2.metric(
            "Repetitions under the new prescription",
            now.rep_count,
            delta=now.rep_count - was.rep_count,
            help=f"{_partials(now)} partial",
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Rep": rep.index,
                        "Start (s)": round(rep.start_s, 1),
                        "Peak (°)": round(rep.angles[measure].max_deg, 1)
                        if measure in rep.angles
                        else None,
                        "Full": not rep.partial,
                    }
                    for rep in now.reps
                ]
            ),
            hide_index=True,
        )
        skeleton_replay(
            replay_json(
                rescored,
                measure,
                label,
                [
                    RepMark(f"Rep {r.index}", r.start_s, r.turn_s, r.end_s, r.partial)
                    for r in now.reps
                ],
                [FaultMark(f.t_s, f.cue, f.severity) for r in now.reps for f in r.faults],
            ),
            key=f"rescored_replay_{session.id}_{replay.set_index}",
        )
        if definition_id != exercise_id:
            st.caption(
                f"A re-score as a {exercise.name.lower()} is to compare only: the plan "
                "keeps its exercise."
            )
            return
        _save_to_plan(store, principal, session, prescription)


def _partials(result: AnalysisResult) -> int:
    return sum(rep.partial for rep in result.reps)


def _save_to_plan(
    store: Store, principal: Principal, session: SessionRecord, prescription: Prescription
) -> None:
    """The button that makes the new prescription the plan's (the session's plan item)."""
    if session.plan_item_id is None:
        st.caption("This session was not for a plan item: there is no plan to save it to.")
        return
    if not st.button("Save this prescription to the plan", key=f"save_rx_{session.id}"):
        return

    def save() -> None:
        require_staff(principal)
        require_session(store, principal, session.id)
        assert session.plan_item_id is not None
        item = store.get_plan_item(session.plan_item_id)
        store.update_plan_item(
            item.id,
            PlanItemSpec.from_item(
                item,
                rom_angle=prescription.measure,
                rom_target_deg=prescription.target,
                counts_from_deg=prescription.counts_from,
            ),
        )

    save_and_rerun(save, "Saved to the plan: the next sessions count on it.")
