"""Stream tokens (coach_ui/live_stream.py): single use, 60 s, bound to the session, the
loop and the patient; only their hashes are kept."""

from __future__ import annotations

import gc

import pytest

from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach.runtime.stream import CLOSE_ENDED, CLOSE_REPLACED, StreamEndedError, TokenRefusedError
from coach_ui.live_stream import TOKEN_TTL_S, StreamOwner
from tests.support.stream import PatientRecorder


@pytest.fixture
def loop(library) -> LiveCoach:
    return LiveCoach(library.get("squat"), SetPlan(sets=1, reps=3), recorder=PatientRecorder(7))


def test_a_token_is_redeemed_once(registry, owner, loop):
    token = registry.issue(loop, patient_id=7, owner=owner)
    assert len(token) >= 43 and registry.pending() == 1
    attachment = registry.redeem(token)
    assert attachment.loop() is loop and attachment.patient_id == 7
    with pytest.raises(TokenRefusedError, match="unknown, used or expired"):
        registry.redeem(token)


def test_only_the_token_s_hash_is_kept(registry, owner, loop):
    token = registry.issue(loop, patient_id=7, owner=owner)
    held = repr(vars(registry)) + "".join(repr(vars(g)) for g in registry._grants.values())
    assert token not in held and token.encode() not in registry._grants


def test_a_token_expires_after_a_minute(registry, owner, loop, clock):
    early = registry.issue(loop, patient_id=7, owner=owner)
    late = registry.issue(loop, patient_id=7, owner=owner)
    clock.now += TOKEN_TTL_S - 0.1
    registry.redeem(early)
    clock.now += 0.2
    with pytest.raises(TokenRefusedError):
        registry.redeem(late)
    assert registry.pending() == 0  # expired tokens are forgotten, not kept


@pytest.mark.parametrize("token", ["", "x" * 43, "not-a-token"])
def test_an_unknown_token_is_refused(registry, owner, loop, token):
    registry.issue(loop, patient_id=7, owner=owner)
    with pytest.raises(TokenRefusedError):
        registry.redeem(token)


def test_a_token_of_a_session_signed_out_is_refused(registry, owner, loop):
    token = registry.issue(loop, patient_id=7, owner=owner)
    owner.close()
    with pytest.raises(TokenRefusedError, match="ended"):
        registry.redeem(token)


def test_a_token_of_a_session_gone_is_refused(registry, loop):
    owner = StreamOwner()
    token = registry.issue(loop, patient_id=7, owner=owner)
    del owner
    gc.collect()
    with pytest.raises(TokenRefusedError, match="ended"):
        registry.redeem(token)


def test_a_token_of_a_loop_the_page_forgot_is_refused(registry, owner, library):
    loop = LiveCoach(library.get("squat"), SetPlan(sets=1, reps=3))
    token = registry.issue(loop, patient_id=None, owner=owner)
    del loop
    gc.collect()
    with pytest.raises(TokenRefusedError, match="ended"):
        registry.redeem(token)


def test_no_token_for_a_loop_writing_into_another_patient_s_record(registry, owner, loop):
    with pytest.raises(ValueError, match="patient"):
        registry.issue(loop, patient_id=8, owner=owner)


def test_a_recorder_that_cannot_say_whose_record_gets_no_token(registry, owner, library):
    class Anonymous:
        def set_started(self, set_index: int) -> None: ...
        def rep(self, set_index: int, rep) -> None: ...
        def set_finished(self, set_index: int, reps: int, held_s: float) -> None: ...

    loop = LiveCoach(library.get("squat"), SetPlan(sets=1, reps=3), recorder=Anonymous())
    with pytest.raises(ValueError):
        registry.issue(loop, patient_id=None, owner=owner)


def test_the_session_ending_ends_its_attached_streams(registry, owner, loop):
    attachment = registry.redeem(registry.issue(loop, patient_id=7, owner=owner))
    owner.close()
    with pytest.raises(StreamEndedError) as ended:
        attachment.loop()
    assert ended.value.code == CLOSE_ENDED


def test_the_page_ending_the_loop_s_streams_ends_them_and_voids_its_tokens(registry, owner, loop):
    attachment = registry.redeem(registry.issue(loop, patient_id=7, owner=owner))
    unused = registry.issue(loop, patient_id=7, owner=owner)
    registry.end_streams(loop)
    with pytest.raises(StreamEndedError) as ended:
        attachment.loop()
    assert ended.value.code == CLOSE_ENDED
    with pytest.raises(TokenRefusedError):
        registry.redeem(unused)


def test_a_newer_connection_replaces_the_older_on_the_same_loop(registry, owner, loop):
    older = registry.redeem(registry.issue(loop, patient_id=7, owner=owner))
    newer = registry.redeem(registry.issue(loop, patient_id=7, owner=owner))
    with pytest.raises(StreamEndedError) as replaced:
        older.loop()
    assert replaced.value.code == CLOSE_REPLACED
    assert newer.loop() is loop


def test_the_patient_is_checked_again_when_the_recorder_changes(registry, owner, loop):
    attachment = registry.redeem(registry.issue(loop, patient_id=7, owner=owner))
    attachment.check_patient(loop)
    assert not attachment.recorder_changed(loop)
    loop.recorder = PatientRecorder(8)
    assert attachment.recorder_changed(loop)
    with pytest.raises(TokenRefusedError, match="patient"):
        attachment.check_patient(loop)
