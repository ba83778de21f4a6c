"""The synthetic pose generator: its angles, views, visibility and motion are what it says.

The bench (tests/bench) trusts the generator; these tests are why it may: an angle set
in a posture comes back through coach/core/angles.py from the world landmarks and, in the
plane facing the camera, from the image; the view estimator sees the intended view; the
far side fades side-on; mirroring swaps sides like a mirrored webcam.
"""

from __future__ import annotations

import numpy as np
import pytest

from coach.core import angles
from coach.core.landmarks import Landmark
from coach.core.pose import Pose
from coach.engine.view import ViewEstimator
from coach.runtime.session import CoachSession
from tests.support.synthetic import (
    STANDING,
    Actor,
    Body,
    Camera,
    Dropout,
    Path,
    Posture,
    RenderOptions,
    Script,
    Tempo,
    floor_pitch,
    planted_hands_path,
    render,
    render_poses,
)

L = Landmark
SIDE = Camera(yaw_deg=90.0)  # left side nearest the camera
FRONT = Camera(yaw_deg=0.0)


def still(posture: Posture, camera: Camera = FRONT, **options) -> Pose:
    """One frame of a body held in `posture`."""
    motion = Script(posture).hold(0.1).build()
    return render_poses(motion, camera, RenderOptions(fps=10.0, **options))[0]


def flexion(points: np.ndarray, a: Landmark, b: Landmark, c: Landmark) -> float:
    return float(angles.flexion_deg(points[a], points[b], points[c]))


def included(points: np.ndarray, a: Landmark, b: Landmark, c: Landmark) -> float:
    return float(angles.included_angle_deg(points[a], points[b], points[c]))


# ---- postures --------------------------------------------------------------------------------


def test_a_side_less_joint_sets_both_sides_and_a_sided_one_only_its_own():
    both = Posture.of(knee_flexion=40.0)
    assert both["left_knee_flexion"] == both["right_knee_flexion"] == 40.0
    one = Posture.of(left_elbow_flexion=90.0)
    assert (one["left_elbow_flexion"], one["right_elbow_flexion"]) == (90.0, 0.0)


def test_an_unknown_channel_names_the_close_ones():
    with pytest.raises(KeyError, match="knee_flexion"):
        Posture.of(knee_flex=10.0)


# ---- angles come back ------------------------------------------------------------------------


@pytest.mark.parametrize("knee", [0.0, 45.0, 90.0, 120.0])
def test_knee_flexion_reads_back_from_world_and_side_on_image(knee: float):
    posture = Posture.of(knee_flexion=knee, hip_flexion=knee / 2)
    world = still(posture, FRONT).world_xyz
    assert flexion(world, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE) == pytest.approx(knee, abs=2)
    assert flexion(world, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE) == pytest.approx(knee, abs=2)
    image = still(posture, SIDE).image_px
    assert flexion(image, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE) == pytest.approx(knee, abs=2)


@pytest.mark.parametrize(
    ("channels", "measure", "expected"),
    [
        ({"hip_flexion": 70.0}, ("flexion", L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE), 70.0),
        ({"elbow_flexion": 120.0}, ("flexion", L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST), 120.0),
        ({"shoulder_flexion": 45.0}, ("included", L.LEFT_HIP, L.LEFT_SHOULDER, L.LEFT_ELBOW), 45.0),
        (
            {"trunk_flexion": 30.0, "hip_flexion": 20.0},
            ("flexion", L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
            50.0,
        ),
    ],
)
def test_sagittal_angles_read_back_in_world_and_side_on(channels, measure, expected):
    kind, a, b, c = measure
    function = flexion if kind == "flexion" else included
    posture = Posture.of(**channels)
    assert function(still(posture, FRONT).world_xyz, a, b, c) == pytest.approx(expected, abs=2)
    assert function(still(posture, SIDE).image_px, a, b, c) == pytest.approx(expected, abs=2)


def test_trunk_lean_reads_back_from_the_vertical():
    pose = still(Posture.of(trunk_flexion=35.0), SIDE)
    for points in (pose.world_xyz, pose.image_px):
        mid_hip = (points[L.LEFT_HIP] + points[L.RIGHT_HIP]) / 2
        mid_shoulder = (points[L.LEFT_SHOULDER] + points[L.RIGHT_SHOULDER]) / 2
        assert angles.segment_to_vertical_deg(mid_hip, mid_shoulder) == pytest.approx(35, abs=2)


def test_shoulder_abduction_reads_back_from_the_front_image():
    pose = still(Posture.of(shoulder_abduction=60.0), FRONT)
    for side in ("LEFT", "RIGHT"):
        hip, shoulder, elbow = (L[f"{side}_{p}"] for p in ("HIP", "SHOULDER", "ELBOW"))
        # The hip sits a little inside the shoulder: the trunk line is ~7 degrees off vertical.
        assert included(pose.image_px, hip, shoulder, elbow) == pytest.approx(60 + 7, abs=3)


@pytest.mark.parametrize("rotation", [0.0, 30.0, 60.0, 90.0])
def test_shoulder_rotation_turns_the_bent_forearm_out_to_the_side(rotation: float):
    """Elbow at the side bent to 90: external rotation swings the forearm from pointing
    forwards (towards a camera in front) out to the side, by the rotation, on both sides."""
    body = Body()
    pose = still(Posture.of(elbow_flexion=90.0, shoulder_rotation=rotation), FRONT)
    world = pose.world_xyz
    for side, outwards in (("LEFT", 1.0), ("RIGHT", -1.0)):
        forearm = world[L[f"{side}_WRIST"]] - world[L[f"{side}_ELBOW"]]
        # World axes: x to the image right (the patient's left when facing the camera),
        # z away from the camera.
        turned = np.degrees(np.arctan2(outwards * forearm[0], -forearm[2]))
        assert turned == pytest.approx(rotation, abs=1.5)
        assert np.linalg.norm(forearm) == pytest.approx(body.forearm_m, rel=0.02)


def test_segment_lengths_follow_the_body():
    world = still(STANDING).world_xyz
    body = Body()
    for (a, b), length in {
        (L.LEFT_HIP, L.LEFT_KNEE): body.thigh_m,
        (L.LEFT_KNEE, L.LEFT_ANKLE): body.shank_m,
        (L.LEFT_SHOULDER, L.LEFT_ELBOW): body.upper_arm_m,
        (L.LEFT_ELBOW, L.LEFT_WRIST): body.forearm_m,
    }.items():
        assert np.linalg.norm(world[a] - world[b]) == pytest.approx(length, abs=1e-6)
    eye_height = world[L.LEFT_HEEL, 1] - world[L.LEFT_EYE, 1]  # y points down
    assert eye_height == pytest.approx(0.936 * body.height_m, rel=0.03)


def test_the_feet_stay_on_the_floor_and_the_pelvis_drops_in_a_squat():
    standing = still(STANDING, SIDE)
    squatting = still(Posture.of(knee_flexion=90, hip_flexion=60, ankle_dorsiflexion=30), SIDE)
    for pose in (standing, squatting):
        heel, toe = pose.world_xyz[L.LEFT_HEEL], pose.world_xyz[L.LEFT_FOOT_INDEX]
        assert heel[1] == pytest.approx(toe[1], abs=1e-6)  # feet flat
    assert squatting.image_xyz[L.LEFT_HEEL, 1] == pytest.approx(
        standing.image_xyz[L.LEFT_HEEL, 1], abs=1e-6
    )  # on the same floor
    assert squatting.image_xyz[L.LEFT_HIP, 1] > standing.image_xyz[L.LEFT_HIP, 1] + 0.05


# ---- coordinates, views and visibility -------------------------------------------------------


def test_world_landmarks_are_hip_centred_and_camera_aligned():
    front = still(STANDING, FRONT).world_xyz
    assert (front[L.LEFT_HIP] + front[L.RIGHT_HIP]) / 2 == pytest.approx(np.zeros(3))
    assert front[L.LEFT_SHOULDER, 0] > 0  # facing the camera, the left is on the image right
    assert front[L.NOSE, 1] < front[L.LEFT_SHOULDER, 1]  # y down
    assert front[L.NOSE, 2] < 0  # the face is nearer the camera
    side = still(STANDING, SIDE).world_xyz
    across = side[L.LEFT_SHOULDER] - side[L.RIGHT_SHOULDER]
    assert abs(across[2]) > 0.3 and abs(across[0]) < 1e-6  # the shoulder line along z
    assert across[2] < 0  # the left side nearest


def test_image_z_is_a_depth_relative_to_the_hips_on_the_x_scale():
    front, side = still(STANDING, FRONT), still(STANDING, SIDE)
    hip_z = (side.image_xyz[L.LEFT_HIP, 2] + side.image_xyz[L.RIGHT_HIP, 2]) / 2
    assert hip_z == pytest.approx(0.0, abs=1e-3)
    width_x = front.image_xyz[L.LEFT_SHOULDER, 0] - front.image_xyz[L.RIGHT_SHOULDER, 0]
    depth_z = side.image_xyz[L.RIGHT_SHOULDER, 2] - side.image_xyz[L.LEFT_SHOULDER, 2]
    assert depth_z == pytest.approx(width_x, rel=0.05)


@pytest.mark.parametrize(
    ("yaw", "expected"),
    [
        (0.0, "front"),
        (20.0, "front"),
        (180.0, "back"),
        (-160.0, "back"),
        (90.0, "side"),
        (-90.0, "side"),
        (65.0, "side"),
        (45.0, "oblique"),
        (135.0, "oblique"),
    ],
)
def test_the_view_estimator_sees_the_intended_view(yaw: float, expected: str):
    motion = Script(STANDING).hold(1.0).build()
    estimator = ViewEstimator()
    for pose in render_poses(motion, Camera(yaw_deg=yaw), RenderOptions(world_noise_m=0.01)):
        estimator.update(pose)
    assert estimator.current == expected


@pytest.mark.parametrize(("yaw", "expected"), [(90.0, "side"), (0.0, "front")])
def test_the_view_is_seen_lying_down_too(yaw: float, expected: str):
    top = planted_hands_path(Posture.of(ankle_dorsiflexion=-10)).start
    camera = Camera(yaw_deg=yaw, distance_m=2.5, height_m=0.4)
    estimator = ViewEstimator()
    estimator.update(still(top, camera))
    assert estimator.current == expected


LIMBS = [f"{p}" for p in ("ELBOW", "WRIST", "KNEE", "ANKLE")]


def test_the_far_side_fades_side_on():
    pose = still(STANDING, SIDE)
    for part in LIMBS:
        assert pose.visibility[L[f"LEFT_{part}"]] >= 0.9, part
        assert 0.2 <= pose.visibility[L[f"RIGHT_{part}"]] <= 0.4, part
    for always_seen in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.NOSE):
        assert pose.visibility[always_seen] >= 0.9
    right_near = still(STANDING, Camera(yaw_deg=-90.0))
    assert right_near.visibility[L.LEFT_KNEE] < 0.5 <= right_near.visibility[L.RIGHT_KNEE]


def test_nothing_is_hidden_from_the_front():
    pose = still(Posture.of(knee_flexion=60, hip_flexion=40, elbow_flexion=90), FRONT)
    assert pose.visibility.min() >= 0.9


def test_landmarks_outside_the_frame_are_invisible():
    close = still(STANDING, Camera(distance_m=1.2))
    assert close.visibility[L.LEFT_ANKLE] == close.visibility[L.RIGHT_FOOT_INDEX] == 0.0
    assert close.image_xyz[L.LEFT_ANKLE, 1] > 1.0  # still reported, below the frame
    assert close.visibility[L.NOSE] >= 0.9
    tilted_up = still(STANDING, Camera(distance_m=2.0, tilt_deg=-25.0))
    assert tilted_up.visibility[L.LEFT_HEEL] == 0.0
    tilted_down = still(STANDING, Camera(distance_m=2.0, tilt_deg=25.0))
    assert tilted_down.visibility[L.LEFT_HEEL] > 0.9
    assert tilted_down.visibility[L.LEFT_EYE] == 0.0  # the head is cut off instead


def test_a_dropout_hides_landmarks_for_its_window_only():
    motion = Script(STANDING).hold(2.0).build()
    lost = Dropout(("left_wrist",), 0.5, 1.0)
    poses = render_poses(motion, FRONT, RenderOptions(fps=10.0, dropouts=(lost,)))
    clean = render_poses(motion, FRONT, RenderOptions(fps=10.0))
    for pose, truth in zip(poses, clean, strict=True):
        inside = 0.5 <= pose.t_s < 1.0
        assert (pose.visibility[L.LEFT_WRIST] == 0.0) == inside
        assert np.isfinite(pose.image_xyz).all() and np.isfinite(pose.world_xyz).all()
        moved = np.linalg.norm(pose.world_xyz[L.LEFT_WRIST] - truth.world_xyz[L.LEFT_WRIST])
        assert (moved > 0) == inside


def test_noise_is_seeded():
    motion = Script(STANDING).hold(0.5).build()
    noisy = {"image_noise_px": 2.0, "world_noise_m": 0.01}
    a = render(motion, FRONT, RenderOptions(seed=1, **noisy))
    b = render(motion, FRONT, RenderOptions(seed=1, **noisy))
    c = render(motion, FRONT, RenderOptions(seed=2, **noisy))
    assert np.array_equal(a.image_xyz, b.image_xyz, equal_nan=True)
    assert not np.array_equal(a.image_xyz, c.image_xyz, equal_nan=True)
    jitter_px = np.nanstd(np.diff(a.image_xyz[:, 0, :, 0], axis=0)) * FRONT.frame_wh[0]
    assert 1.5 < jitter_px < 4.5  # differences of two 2 px draws: about 2.8 px


def test_mirroring_flips_x_and_swaps_sides_as_a_mirrored_webcam_does():
    curl = Script(STANDING).move_to(Posture.of(left_elbow_flexion=120.0), 0.5).build()
    plain = render_poses(curl, SIDE, RenderOptions(fps=10.0, seed=4))
    mirrored = render_poses(curl, SIDE, RenderOptions(fps=10.0, seed=4, mirrored=True))
    last, flipped = plain[-1], mirrored[-1]
    assert flipped.image_xyz[L.RIGHT_WRIST, 0] == pytest.approx(1 - last.image_xyz[L.LEFT_WRIST, 0])
    assert flipped.visibility[L.RIGHT_WRIST] == last.visibility[L.LEFT_WRIST]
    # What a mirrored session does to each pose undoes it exactly.
    back = flipped.mirrored()
    assert np.allclose(back.image_xyz, last.image_xyz)
    assert np.allclose(back.world_xyz, last.world_xyz)


# ---- motion ----------------------------------------------------------------------------------


def test_reps_follow_the_tempo():
    bottom = Posture.of(knee_flexion=90.0)
    tempo = Tempo(down_s=1.0, hold_s=0.5, up_s=1.5, rest_s=1.0)
    motion = Script(STANDING).hold(1.0).reps(3, bottom, tempo).build()
    assert motion.duration_s == pytest.approx(1.0 + 3 * 4.0)
    knee = motion.sample(np.arange(0.0, motion.duration_s, 0.01))[:, 2]  # left_knee_flexion
    assert motion.at(2.0)["left_knee_flexion"] == pytest.approx(90.0)  # at the bottom
    assert motion.at(2.5)["left_knee_flexion"] == pytest.approx(90.0)  # still holding
    assert motion.at(4.5)["left_knee_flexion"] == pytest.approx(0.0)  # resting
    assert motion.at(1.5)["left_knee_flexion"] == pytest.approx(45.0)  # halfway down
    assert np.abs(np.diff(knee)).max() < 90 * np.pi / 2 * 0.01 * 1.01  # smooth, no jumps


def test_tempo_period_splits_a_rep():
    tempo = Tempo.period(3.0)
    assert tempo.total_s == pytest.approx(3.0)
    assert (tempo.down_s, tempo.hold_s, tempo.back_s, tempo.rest_s) == pytest.approx(
        (1.2, 0.3, 1.2, 0.3)
    )


def test_fidgeting_is_small_and_ends_where_it_began():
    motion = Script(STANDING).fidget(5.0, amplitude_deg=3.0, seed=1).build()
    vectors = motion.sample(np.arange(0.0, 5.0, 0.05))
    assert 0 < np.abs(vectors).max() <= 2 * 3.0
    assert np.allclose(motion.at(5.0).vector, STANDING.vector)


def test_walking_in_starts_off_frame_and_ends_in_place():
    motion = Script(STANDING).walk_in(3.0, 3.0).hold(0.5).build()
    poses = render_poses(motion, FRONT, RenderOptions(fps=10.0))
    assert poses[0].visibility[L.LEFT_HIP] == 0.0  # out of the frame at first
    assert np.allclose(motion.at(motion.duration_s).vector, STANDING.vector)
    assert poses[-1].image_xyz[L.LEFT_HIP, 0] == pytest.approx(0.52, abs=0.01)
    knees = motion.sample(np.arange(0.0, 3.0, 0.05))[:, 2]
    assert knees.max() > 30  # the legs swing while walking


def test_a_path_continues_from_where_the_script_is():
    path = Path.between(STANDING, Posture.of(elbow_flexion=100.0))
    motion = Script(path).along(path, 0.5, 1.0).along(path, 1.0, 1.0).build()
    assert motion.at(1.0)["left_elbow_flexion"] == pytest.approx(50.0)
    assert motion.at(2.0)["left_elbow_flexion"] == pytest.approx(100.0)
    with pytest.raises(ValueError, match="does not start"):
        Script(STANDING).along(Path.between(Posture.of(knee_flexion=10), STANDING), 1.0, 1.0)


def test_a_push_up_keeps_hands_and_toes_planted():
    body = Body()
    path = planted_hands_path(Posture.of(ankle_dorsiflexion=-10), bottom_height_m=0.15)
    assert path.start["left_elbow_flexion"] == pytest.approx(0.0, abs=1.0)  # arms straight
    assert path.end["left_elbow_flexion"] > 120.0
    wrists, toes, shoulders = [], [], []
    for depth in np.linspace(0, 1, 6):
        world = still(path.at(float(depth)), Camera(yaw_deg=90.0, height_m=0.4)).world_xyz
        wrists.append(world[L.LEFT_WRIST])
        toes.append(world[L.LEFT_FOOT_INDEX])
        shoulders.append(world[L.LEFT_SHOULDER])
    wrists, toes, shoulders = np.array(wrists), np.array(toes), np.array(shoulders)
    assert np.allclose(wrists[:, 1], toes[:, 1], atol=0.01)  # both on the floor
    assert np.ptp(np.linalg.norm(wrists - toes, axis=1)) < 0.01  # neither slides
    height = wrists[:, 1] - shoulders[:, 1]
    assert height[0] == pytest.approx(body.upper_arm_m + body.forearm_m, abs=0.01)
    assert height[-1] == pytest.approx(0.15, abs=0.01)


def test_floor_pitch_rests_forearms_and_toes_on_the_floor():
    plank = Posture.of(shoulder_flexion=80.0, elbow_flexion=90.0, ankle_dorsiflexion=-10.0)
    plank = plank.with_(body_pitch=floor_pitch(plank, ("left_elbow",), ("left_foot_index",)))
    world = still(plank, SIDE).world_xyz
    assert world[L.LEFT_ELBOW, 1] == pytest.approx(world[L.LEFT_FOOT_INDEX, 1], abs=0.005)
    assert 75 < plank["body_pitch"] < 90  # shoulders above the elbows: head a little up


# ---- output ----------------------------------------------------------------------------------


def test_a_rendered_recording_has_the_frames_and_replays():
    motion = Script(STANDING).hold(2.0).build()
    recording = render(motion, FRONT, RenderOptions(fps=10.0, start_s=5.0))
    assert len(recording) == 21
    assert recording.t_s[0] == 5.0 and recording.t_s[-1] == pytest.approx(7.0)
    assert recording.frame_wh == FRONT.frame_wh
    assert (recording.people == 1).all()
    from coach.exercise.loader import ExerciseLibrary

    results = CoachSession(ExerciseLibrary().get("squat")).replay(recording)
    assert len(results) == 21 and results[-1].view == "front"


def test_a_second_person_is_listed_largest_first():
    patient = Actor(Script(STANDING).hold(2.0).build())
    nearer = Actor(Script(STANDING).hold(1.0).build(), x_m=1.0, z_m=-1.0, enter_s=1.0)
    recording = render([patient, nearer], FRONT, RenderOptions(fps=10.0))
    assert list(recording.people[:10]) == [1] * 10
    assert (recording.people[10:] == 2).all()
    first, second = list(recording.frames())[15]
    assert np.ptp(first.image_xyz[:, 1]) > np.ptp(second.image_xyz[:, 1])
    assert first.image_xyz[L.LEFT_HIP, 0] > 0.6  # the nearer bystander, to the right
