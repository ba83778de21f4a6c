#!/usr/bin/env python3
"""Measure the live coach on both paths: through real WebRTC (the server runs the model:
frames/s, per-stage time, lag over time) and with the model in the browser (frames/s the
browser processed, latency from a frame's capture to its state shown on the page).

Starts the app, opens the live page in headless Chromium with a clip (scaled to the
camera size, 30 fps, looping) as the webcam, runs a long session on the server path and
reads the per-frame timings the live coach writes when FORM_COACH_LIVE_STATS is set; then
a session on the browser path, read from the page's camera component. Prints one JSON
object (the browser path under "browser_path") and, with --write, a Markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from coach_ui.launch import local_command

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "videos" / "squat_side_studio.mp4"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_camera(clip: Path, size: str, fps: int, target: Path) -> None:
    width, height = size.split("x")
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(clip),
            "-vf",
            f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,fps={fps}",
            "-pix_fmt",
            "yuv420p",
            str(target),
        ],
        check=True,
    )


def start_server(
    folder: Path, stats: Path, root: Path = ROOT, settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """The app from the checkout `root` (this one, or a baseline's: its own code, this
    checkout's web packages) with `settings` added to its environment."""
    port = free_port()
    env = dict(
        os.environ,
        FORM_COACH_LIVE_STATS=str(stats),
        FORM_COACH_DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
    )
    env.update(settings or {})
    if root != ROOT:
        env.update(PYTHONPATH=str(root), FORM_COACH_WEB_DIR=str(ROOT / "web"))
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        local_command(port),
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the app did not start; see " + str(folder / "server.log"))


def chromium(camera: Path, profile: Path):
    """Headless Chromium with `camera` (a .y4m) as its webcam; no GPU, so the page's own
    speed test picks the CPU delegate for the browser path."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def start_squat_session(driver, url: str) -> None:
    """Open the live page, pick the squat with a plan longer than any run, start it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    driver.get(f"{url}/live")
    box = Wait(driver, 60).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Exercise']"))
    )
    box.click()
    box.send_keys("Squat")  # filter the long list so the option is drawn
    squat = "//*[@role='option'][normalize-space(.)='Squat']"
    Wait(driver, 30).until(ec.element_to_be_clickable((By.XPATH, squat))).click()
    time.sleep(3)  # the plan inputs are rebuilt for the new exercise
    for label, value in (("Sets", 10), ("Repetitions per set", 50)):
        field = Wait(driver, 30).until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, f"input[aria-label='{label}']"))
        )
        field.click()
        field.send_keys("\ue009a", str(value), "\ue007")
    time.sleep(1)
    driver.find_element(By.XPATH, "//button[normalize-space(.)='Start session']").click()


def run_browser(url: str, camera: Path, profile: Path, seconds: float) -> None:
    """The server path: switch the page to streamlit-webrtc, press START, stream."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    driver = chromium(camera, profile)
    try:
        start_squat_session(driver, url)
        switch = Wait(driver, 60).until(
            ec.presence_of_element_located(
                (
                    By.XPATH,
                    "//label[contains(., 'Run the pose model on this device')]"
                    "//input[@role='switch']",
                )
            )
        )
        # The switch's input is drawn hidden under its label: a click on the element itself.
        driver.execute_script("arguments[0].click();", switch)
        frame = Wait(driver, 60).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "iframe[title*='webrtc']"))
        )
        driver.switch_to.frame(frame)
        Wait(driver, 30).until(
            ec.element_to_be_clickable(
                (By.XPATH, "//button[translate(normalize-space(.), 'start', 'START')='START']")
            )
        ).click()
        driver.switch_to.default_content()
        time.sleep(seconds)
    finally:
        driver.quit()


# window.poseCamera of the on-device camera (coach_ui/components/pose_camera/pose_camera.js)
# with the browser's clock now, read inside the component's iframe.
DEVICE_STATS = "return Object.assign({now: performance.now()}, window.poseCamera || {});"


def check_web_package(models: list[str]) -> None:
    """Refuse to start when the browser path cannot run here: the web package (and, for the
    lite model, @mediapipe/pose) not installed in this checkout's web/. Without this the
    page falls back to the server path and the run waits in vain for the on-device camera.

    Raises SystemExit naming the missing package and the fix (`make web`)."""
    from coach_ui.web_package import (
        WebPackageMissingError,
        landmark_model_file,
        tasks_vision_dir,
    )

    try:
        tasks_vision_dir()
        if "lite" in models:
            landmark_model_file("lite")
    except WebPackageMissingError as exc:
        raise SystemExit(f"the browser path cannot be measured: {exc}") from exc


# The live page's notice when it runs the model on the server instead (coach_ui/camera.py).
FALLBACK_NOTICE = "The pose model runs on the server:"


def on_device_camera(driver, timeout: float):
    """The on-device camera's iframe once the page has drawn it. Raises SystemExit with
    the page's own reason when it put the model on the server instead."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    def found(d):
        frames = d.find_elements(By.CSS_SELECTOR, "iframe[title*='pose_camera']")
        if frames:
            return frames[0]
        text = d.find_element(By.TAG_NAME, "body").text
        return text if FALLBACK_NOTICE in text else None

    result = Wait(driver, timeout).until(found)
    if isinstance(result, str):
        why = [line for line in result.splitlines() if FALLBACK_NOTICE in line]
        raise SystemExit(f"the live page did not run the model in the browser: {why[0]}")
    return result


def run_device(url: str, camera: Path, profile: Path, seconds: float, warmup: float) -> dict:
    """The browser path (the page's default): the pose model in Chromium, landmarks to the
    server. Waits for the stream, lets `warmup` seconds pass, then measures `seconds`:
    frames/s the browser processed, and the latency from each frame's capture to its
    state shown on the page (median, p95). Returns those figures as a dict."""
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    driver = chromium(camera, profile)
    try:
        start_squat_session(driver, url)
        driver.switch_to.frame(on_device_camera(driver, 60))

        def streaming(d) -> bool:
            now = d.execute_script(DEVICE_STATS)
            if now.get("status") in ("failed", "camera-error"):
                raise SystemExit(f"the on-device camera {now['status']}: {now.get('reason')}")
            return now.get("states", 0) > 0

        Wait(driver, 300).until(streaming)
        time.sleep(warmup)
        begin = driver.execute_script(DEVICE_STATS)["now"]
        time.sleep(seconds)
        stats = driver.execute_script(DEVICE_STATS)
    finally:
        driver.quit()
    return summarise_device(stats, begin)


# The steps of a frame on the browser path, in order, as the component times them
# (pose_camera.js, stats.frames): each figure is the time from the step before to this one.
STEPS = (
    "capture",
    "handed",  # taken for the worker: the wait for a free worker, after the camera's delay
    "bitmap",  # createImageBitmap of the video's picture
    "worker_in",  # the transfer to the worker and its queue
    "model_start",
    "model_end",  # the model
    "result_in",  # the landmarks back on the page
    "drawn",  # the skeleton drawn
    "sent",  # the frame message serialised and sent
    "state_in",  # the server's answer (the socket both ways, the engine step)
    "shown",  # the state written to the page, to the next animation frame
)


def percentile(values: list[float], share: float) -> float:
    """The value at `share` (0-1) of the sorted `values`, as the latencies are reported."""
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def step_times(frames: list[dict]) -> dict:
    """Median and p95 of each step of `frames` (the component's per-frame times), and of the
    two spans a patient sees: capture to skeleton drawn, capture to state shown. Returns
    {step: {"median": ms, "p95": ms}}; empty when the page keeps no step times (an older
    version, measured as a baseline)."""
    if not frames:
        return {}
    spans: dict[str, list[float]] = {}
    for frame in frames:
        for before, after in itertools.pairwise(STEPS):
            spans.setdefault(after, []).append(frame[after] - frame[before])
        spans.setdefault("capture_to_drawn", []).append(frame["drawn"] - frame["capture"])
        spans.setdefault("capture_to_shown", []).append(frame["shown"] - frame["capture"])
    return {
        step: {
            "median": round(statistics.median(values), 2),
            "p95": round(percentile(values, 0.95), 2),
        }
        for step, values in spans.items()
    }


def summarise_device(stats: dict, begin_ms: float) -> dict:
    """The browser path's figures from the component's samples taken after `begin_ms`."""
    processed = [t for t in stats["processed"] if t >= begin_ms]
    latencies = sorted(lag for shown, lag in stats["latencies"] if shown >= begin_ms)
    if len(processed) < 2 or not latencies:
        raise SystemExit(f"the browser path processed nothing: {stats.get('status')}")
    span_s = (processed[-1] - processed[0]) / 1000
    # The worker's own model time per frame (the lists run in step); a page whose model
    # runs on its main thread (before the worker) keeps none.
    model_ms = sorted(stats.get("detect_ms", [])[-len(processed) :])
    return {
        "frames_processed": len(processed),
        "seconds": round(span_s, 1),
        "processed_fps": round((len(processed) - 1) / span_s, 1),
        "chosen": stats["choice"],
        "speed_trials": stats["trials"],
        "states_shown": len(latencies),
        "latency_ms_median": round(statistics.median(latencies), 1),
        "latency_ms_p95": round(percentile(latencies, 0.95), 1),
        "closed": stats.get("closed"),
        "model_ms_median": round(statistics.median(model_ms), 1) if model_ms else None,
        "in_worker": bool(stats.get("worker")),
        "dropped_frames_since_start": stats.get("dropped"),
        "crowd_looks_since_start": stats.get("looks"),
        "steps_ms": step_times([f for f in stats.get("frames", []) if f["shown"] >= begin_ms]),
    }


def summarise(stats: Path, warmup_s: float) -> dict:
    rows = [json.loads(line) for line in stats.read_text().splitlines() if line.strip()]
    if not rows:
        raise SystemExit("no frames were processed: check the server log")
    start = rows[0]["wall_s"] + warmup_s
    rows = [r for r in rows if r["wall_s"] >= start]
    span = rows[-1]["wall_s"] - rows[0]["wall_s"]
    minutes: dict[int, list[dict]] = {}
    for row in rows:
        minutes.setdefault(int((row["wall_s"] - rows[0]["wall_s"]) // 60), []).append(row)

    def median(key: str, subset: list[dict]) -> float:
        return round(statistics.median(r[key] for r in subset), 2)

    def minute(m: int, sub: list[dict]) -> dict:
        """One minute: the pose stage beside the callback time, so a drift shows its source."""
        total, pose = median("total", sub), median("pose", sub)
        return {
            "minute": m + 1,
            "fps": round(len(sub) / 60, 1),
            "latency_ms": total,
            "pose_ms": pose,
            "rest_ms": round(total - pose, 2),
        }

    per_minute = [
        minute(m, sub) for m, sub in sorted(minutes.items()) if len(sub) > 1 and m < int(span // 60)
    ]
    latencies = sorted(r["total"] for r in rows)
    return {
        "frames_processed": len(rows),
        "seconds": round(span, 1),
        "processed_fps": round((len(rows) - 1) / span, 1),
        "source_fps": 30,
        "frame_size": f"{rows[-1]['width']}x{rows[-1]['height']}",
        "dropped_frames": sum(r["dropped"] for r in rows),
        "stage_ms_median": {
            k: median(k, rows) for k in ("decode", "pose", "engine", "draw", "encode")
        },
        "latency_ms_median": median("total", rows),
        "latency_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "per_minute": per_minute,
        "latency_growth_ms": (
            round(per_minute[-1]["latency_ms"] - per_minute[0]["latency_ms"], 2)
            if len(per_minute) > 1
            else None
        ),
    }


def browser_rounds(args, folder: Path, camera: Path, seconds: float) -> dict:
    """The browser path per configuration (each model of this checkout, each after the
    baseline's with the same model when there is a baseline), `args.rounds` times in turn
    so that a change in the machine's load falls on every configuration alike. Returns
    {configuration: [figures of each round]}, with the ratios of each configuration's
    frames/s and latencies to its baseline's (the same model: the baseline's own speed
    pick may choose another model than this checkout's on a loaded machine)."""
    configs: list[tuple[str, Path, dict[str, str]]] = []
    for model in args.browser_models:
        settings = {} if model == "auto" else {"FORM_COACH_BROWSER_MODELS": model}
        if args.baseline is not None:
            configs.append((f"baseline-{model}", args.baseline.resolve(), settings))
        configs.append((model, ROOT, settings))
    figures: dict[str, list[dict]] = {name: [] for name, _root, _settings in configs}
    for round_index in range(args.rounds):
        for name, root, settings in configs:
            stats = folder / f"stats-{name}-{round_index}.jsonl"
            # A database per configuration: a baseline's migrations may be older.
            database = {"FORM_COACH_DATABASE_URL": f"sqlite:///{folder / f'bench-{name}.db'}"}
            process, url = start_server(folder, stats, root, {**settings, **database})
            try:
                measured = run_device(
                    url, camera, folder / f"profile-{name}-{round_index}", seconds, args.warmup
                )
            finally:
                process.terminate()
                process.wait(timeout=30)
            measured["load_average"] = round(os.getloadavg()[0], 2)
            figures[name].append(measured)
    report: dict = {"rounds": figures}
    if args.baseline is not None:
        report["ratios_to_baseline"] = {
            model: [
                {
                    key: round(mine[key] / theirs[key], 3)
                    for key in ("processed_fps", "latency_ms_median", "latency_ms_p95")
                }
                for mine, theirs in zip(figures[model], figures[f"baseline-{model}"], strict=True)
            ]
            for model in args.browser_models
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=10, help="seconds ignored at the start")
    parser.add_argument("--write", type=Path, help="write a Markdown report here")
    parser.add_argument("--keep-stats", type=Path, help="copy the per-frame timings here")
    parser.add_argument(
        "--browser-seconds",
        type=float,
        help="how long to measure the browser path (default: --seconds; 0 skips it)",
    )
    parser.add_argument(
        "--browser-models",
        nargs="+",
        default=["full", "lite"],
        choices=["auto", "full", "lite"],
        help="measure the browser path once per model (auto: the page's own speed pick)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also measure the browser path of the app in this checkout (an earlier commit, "
        "e.g. `git worktree add /tmp/base main`) with each model, just before this "
        "checkout's with the same model, for before/after",
    )
    parser.add_argument("--rounds", type=int, default=1, help="browser-path rounds")
    parser.add_argument("--no-webrtc", action="store_true", help="skip the server path")
    args = parser.parse_args()
    if not args.clip.is_file():
        raise SystemExit(f"{args.clip}: no such clip (the default needs ../shared/videos)")
    browser_seconds = args.seconds if args.browser_seconds is None else args.browser_seconds
    if browser_seconds > 0:
        check_web_package(args.browser_models)
    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    try:
        camera, stats = folder / "camera.y4m", folder / "stats.jsonl"
        make_camera(args.clip, args.size, 30, camera)
        report: dict = {"load_average_at_start": round(os.getloadavg()[0], 2)}
        if not args.no_webrtc:
            process, url = start_server(folder, stats)
            try:
                # One path at a time: each has the machine to itself.
                run_browser(url, camera, folder / "profile", args.seconds + args.warmup)
            finally:
                process.terminate()
                process.wait(timeout=30)
            report.update(summarise(stats, args.warmup))
            if args.keep_stats:
                shutil.copyfile(stats, args.keep_stats)
        if browser_seconds > 0:
            report["browser_path"] = browser_rounds(args, folder, camera, browser_seconds)
        report["load_average_at_end"] = round(os.getloadavg()[0], 2)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report["clip"] = args.clip.name
    print(json.dumps(report, indent=2))
    if args.write and "stage_ms_median" in report:
        args.write.write_text(markdown(report))
    return 0


def markdown(report: dict) -> str:
    stages = report["stage_ms_median"]
    lines = [
        "# Live coaching through WebRTC: measured",
        "",
        f"`scripts/bench_live.py` streamed `{report['clip']}` as a {report['source_fps']} fps "
        f"webcam at {report['frame_size']} into the live page in headless Chromium for "
        f"{report['seconds']:.0f} s on this 2-core machine (browser, server and model on the "
        "same cores).",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| frames processed per second | {report['processed_fps']} |",
        f"| frames dropped (newest-frame-only) | {report['dropped_frames']} of "
        f"{report['dropped_frames'] + report['frames_processed']} |",
        "| callback time, median (frame in -> annotated frame out) | "
        f"{report['latency_ms_median']} ms |",
        f"| callback time, 95th percentile | {report['latency_ms_p95']} ms |",
        "| per stage, median: decode / pose / engine / draw / encode | "
        + " / ".join(f"{stages[k]}" for k in ("decode", "pose", "engine", "draw", "encode"))
        + " ms |",
        f"| change of the median callback time from the first to the last minute | "
        f"{report['latency_growth_ms']} ms |",
        "",
        "| minute | frames/s | median callback ms | median pose ms | callback minus pose ms |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {m['minute']} | {m['fps']} | {m['latency_ms']} | {m['pose_ms']} | {m['rest_ms']} |"
            for m in report["per_minute"]
        ),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
