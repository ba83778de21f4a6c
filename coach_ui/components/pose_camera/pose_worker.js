// Form Coach's pose model, off the page's main thread (a dedicated Web Worker started by
// pose_camera.js from this file's text as a blob: URL, so the page's Content-Security-Policy
// covers it too: every request stays on the app, MediaPipe's usage logger is blocked here
// as on the page).
//
// A classic worker: MediaPipe loads its WebAssembly runtime with importScripts, which works
// only here (not in a module worker), for the SIMD and the non-SIMD runtime alike; the
// ES module bundle itself comes in by import().
//
// Messages from the page (every URL absolute: a blob: worker has no base address):
//   {type: "load", id, bundle_url, wasm_url, model_url, delegate, num_poses}
//       -> {type: "loaded", id, connections} | {type: "load-error", id, stage, error}
//          stage "code": the package did not load; "model": this model or delegate did not.
//   {type: "frame", id, bitmap (an ImageBitmap, transferred), t_ms}
//       -> {type: "result", id, t_ms, poses, detect_ms, clock} | {type: "frame-error", id, error}
//          poses as the landmark stream's frame message has them (docs/live-stream.md);
//          clock: {worker_in, model_start, model_end} on the shared clock (timeOrigin + now:
//          a worker's performance.now() starts from its own origin, not the page's).
// The page hands over a frame only when the previous one has been answered: frames are
// dropped on the page, never queued here (the newest frame, not every frame).

let vision = null;
let files = null;
let landmarker = null;
let lastDetectMs = -Infinity;

function nextDetectMs() {
  // PoseLandmarker needs strictly increasing timestamps for the whole of its life.
  lastDetectMs = Math.max(performance.now(), lastDetectMs + 1);
  return lastDetectMs;
}

function message(err) {
  return String((err && err.message) || err);
}

async function load(data) {
  try {
    if (vision === null) {
      vision = await import(data.bundle_url);
      files = await vision.FilesetResolver.forVisionTasks(data.wasm_url);
    }
  } catch (err) {
    vision = null;
    postMessage({ type: "load-error", id: data.id, stage: "code", error: message(err) });
    return;
  }
  try {
    if (landmarker !== null) {
      landmarker.close();
      landmarker = null;
    }
    landmarker = await vision.PoseLandmarker.createFromOptions(files, {
      baseOptions: { modelAssetPath: data.model_url, delegate: data.delegate },
      runningMode: "VIDEO",
      numPoses: data.num_poses,
    });
    lastDetectMs = -Infinity;
  } catch (err) {
    postMessage({ type: "load-error", id: data.id, stage: "model", error: message(err) });
    return;
  }
  const connections = vision.PoseLandmarker.POSE_CONNECTIONS.map((c) => [c.start, c.end]);
  postMessage({ type: "loaded", id: data.id, connections: connections });
}

function clock() {
  return performance.timeOrigin + performance.now();
}

function detect(data, received) {
  const bitmap = data.bitmap;
  try {
    const began = performance.now();
    const modelStart = clock();
    const result = landmarker.detectForVideo(bitmap, nextDetectMs());
    const modelEnd = clock();
    const poses = result.landmarks.map((image, i) => ({
      // visibility 0 when the web result has none (the contract's rule).
      image: image.map((p) => [p.x, p.y, p.z, p.visibility ?? 0]),
      world: result.worldLandmarks[i].map((p) => [p.x, p.y, p.z]),
    }));
    postMessage({
      type: "result",
      id: data.id,
      t_ms: data.t_ms,
      poses: poses,
      detect_ms: performance.now() - began,
      clock: { worker_in: received, model_start: modelStart, model_end: modelEnd },
    });
  } catch (err) {
    postMessage({ type: "frame-error", id: data.id, error: message(err) });
  } finally {
    bitmap.close();
  }
}

self.onmessage = (event) => {
  const received = clock();
  const data = event.data;
  if (data.type === "load") {
    load(data);
  } else if (data.type === "frame") {
    if (landmarker === null) {
      data.bitmap.close();
      postMessage({ type: "frame-error", id: data.id, error: "no model loaded" });
    } else {
      detect(data, received);
    }
  }
};
