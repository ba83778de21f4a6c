// Form Coach's on-device camera (a Streamlit custom component without a build step: it talks
// the component protocol, streamlit:componentReady / render / setComponentValue /
// setFrameHeight, directly).
//
// 1. The webcam opens with getUserMedia; no picture leaves this page.
// 2. MediaPipe's PoseLandmarker for the web runs in a Web Worker (pose_worker.js), loaded
//    from files the app serves (bundle_url, wasm_url, model_url, lite_model_url): nothing
//    is fetched from anywhere else. Video frames go to it as transferred ImageBitmaps, one
//    at a time: while it works, only the newest frame waits (older ones are dropped, never
//    queued: latency first), and it gets that one as soon as it is free.
//    It tracks one person (numPoses 1): looking for a second person on every frame makes
//    MediaPipe run its person detector on every frame, about as slow again. A second
//    worker looks for others with numPoses 2 once every CROWD_CHECK_MS, on its own
//    thread, and the others it found go with every frame until its next look: the way
//    the server's PoseEstimator does it (coach/vision/estimator.py, docs/mediapipe.md).
// 3. The delegate and model are picked by measured speed on the live video: GPU then CPU,
//    full then lite (when a lite model is given), the first that reaches MIN_FPS, else the
//    fastest. What was picked, and why, is shown and reported to the page.
// 4. Each processed frame's landmarks go over the WebSocket (stream_path) as the contract in
//    coach_ui/live_stream.py says; the server answers with the coaching state, shown here
//    and spoken (speechSynthesis) when `speak` is on.
// The page gets a value only when something it must act on changes (never per frame):
// {status: "model-ready" | "streaming" | "failed" | "camera-error" | "closed", ...}.
// "failed" means the model cannot run in this browser: the page then uses the server path.
// A new token is asked for by sending a value with a new `token_request`; the page's rerun
// hands one down in the next render.

const MIN_FPS = 15;
const MEASURE_FRAMES = 8;      // timed frames per candidate, after one warm-up frame
const MEASURE_BUDGET_MS = 2500; // a candidate slower than this in total is dropped early
const WARMUP_LIMIT_MS = 15000;  // a candidate whose first frame takes longer did not start
const KEEP = 20000;             // samples kept for the benchmark (about ten minutes)
const CROWD_CHECK_MS = 1000;    // how often the second worker looks for other people
const MAX_POSES = 2;            // poses a frame message may carry (coach/runtime/stream.py)

const video = document.getElementById("video");
const canvas = document.getElementById("canvas");
const stage = document.getElementById("stage");
const statusLine = document.getElementById("status");
const engineLine = document.getElementById("engine");
const voiceButton = document.getElementById("voice");
const reconnectButton = document.getElementById("reconnect");
const shown = {
  headline: document.getElementById("headline"),
  message: document.getElementById("message"),
  setline: document.getElementById("setline"),
  guidance: document.getElementById("guidance"),
  cue: document.getElementById("cue"),
  count: document.getElementById("count"),
  details: document.getElementById("details"),
};

// What the benchmark and the browser tests read (window.poseCamera in this frame).
const stats = {
  status: "starting",
  reason: null,          // why, with "failed", "camera-error" or "closed"
  choice: null,          // {delegate, model, fps}
  trials: [],            // every candidate measured: {delegate, model, fps | error}
  why: null,             // why that choice, as the page shows it
  worker: true,          // the model runs in a Web Worker (there is no other path)
  processed: [],         // performance.now() when each frame's landmarks reached the page
  detect_ms: [],         // the model's own time per frame, in the worker
  dropped: 0,            // frames not handed over because the worker was busy
  looks: 0,              // crowd looks made (numPoses 2, in the second worker)
  crowded_looks: 0,      // looks that found somebody besides the patient
  seen: 0,               // frames in which the model found somebody
  latencies: [],         // [when shown, ms from the frame's capture to its state on screen]
  // Per frame whose state was shown, when each step ended (performance.now() of this page;
  // the worker's clock converted): capture, handed (taken for the worker), bitmap (its
  // ImageBitmap made), worker_in, model_start, model_end, result_in (the landmarks back on
  // the page), drawn (the skeleton), sent (to the server), state_in, shown. For finding
  // where the time goes (scripts/bench_live.py sums them up).
  frames: [],
  sent: 0,
  states: 0,
  lastState: null,
  spoken: [],
  closed: null,          // {code, reason}
};
window.poseCamera = stats;

let args = null;
let started = false;
let socket = null;
let ready = false;
let lastTms = -Infinity;
let tokenRequest = 0;
let waitingForToken = false;
const usedTokens = new Set();

function send(type, data) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
}

function report(value) {
  stats.status = value.status;
  stats.reason = value.reason || null;
  send("streamlit:setComponentValue", { value: value, dataType: "json" });
}

function resize() {
  send("streamlit:setFrameHeight", { height: document.body.scrollHeight });
}

function say(text, isError) {
  statusLine.textContent = text;
  statusLine.className = isError ? "error" : "";
  resize();
}

function keep(list, value) {
  list.push(value);
  if (list.length > KEEP) list.splice(0, list.length - KEEP);
}

// ---- camera ----------------------------------------------------------------------------
async function openCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw cameraError("This browser cannot open a camera here (it needs https or localhost).");
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { max: 30 } },
      audio: false,
    });
  } catch (err) {
    if (err.name === "NotAllowedError" || err.name === "SecurityError") {
      throw cameraError("The camera was refused. Allow it in the browser's address bar, then reload the page.");
    }
    if (err.name === "NotFoundError" || err.name === "OverconstrainedError") {
      throw cameraError("No camera was found. Plug one in (or close the app using it), then reload the page.");
    }
    if (err.name === "NotReadableError") {
      throw cameraError("The camera is busy: another app or tab is using it. Close it, then reload the page.");
    }
    throw cameraError(`The camera could not be opened (${err.name}: ${err.message}).`);
  }
  video.srcObject = stream;
  await video.play();
  if (video.readyState < 2) {
    await new Promise((resolve) => video.addEventListener("loadeddata", resolve, { once: true }));
  }
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
}

function cameraError(text) {
  const err = new Error(text);
  err.camera = true;
  return err;
}

// ---- model: a worker, measured, chosen ---------------------------------------------------
// The model runs in a Web Worker (pose_worker.js) so that drawing, the WebSocket and the
// page never wait for inference. A browser without workers (or ImageBitmap) gets "failed"
// and the page uses the server path: there is no second, main-thread copy of this code.
let workerCode = null;
let worker = null;         // tracks the patient on every frame (numPoses 1)
let crowd = null;          // looks for others once every CROWD_CHECK_MS (numPoses 2)
let crowdBusy = false;
let lastLook = -Infinity;
let patient = null;        // the tracked pose of the newest frame, or null
let others = [];           // the others the last look found, sent with every frame
let connections = [];
let modelReady = false;    // frames go to the worker only when a model is loaded
let busy = false;          // a frame is with the worker
let waitingTms = null;     // the newest frame not yet handed over (its capture time), if any
let trial = null;          // the speed test under way: {results, began, last}

function absolute(path) {
  return new URL(path, window.location.href).href;
}

async function startWorker() {
  if (typeof Worker === "undefined" || typeof createImageBitmap === "undefined") {
    throw new Error("this browser has no Web Workers or ImageBitmap, which the on-device model needs");
  }
  let code;
  try {
    const answer = await fetch("pose_worker.js");
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    code = await answer.text();
  } catch (err) {
    throw new Error(`the pose model code did not load (pose_worker.js: ${err.message})`);
  }
  workerCode = code;
  worker = newWorker();
}

// A pose worker, as {ask(request, transfer) -> Promise of its reply, terminate()}.
function newWorker() {
  // From a blob: URL, the worker lives under this page's Content-Security-Policy (a worker
  // loaded from its own address would be under that response's policy: none).
  const thread = new Worker(URL.createObjectURL(new Blob([workerCode], { type: "text/javascript" })));
  const replies = new Map(); // id -> {resolve, reject}
  let nextId = 0;
  thread.onmessage = (event) => {
    const reply = event.data;
    const waiting = replies.get(reply.id);
    if (!waiting) return;
    replies.delete(reply.id);
    if (reply.type === "load-error" || reply.type === "frame-error") waiting.reject(reply);
    else waiting.resolve(reply);
  };
  thread.onerror = (event) => {
    event.preventDefault();
    const error = { stage: "code", error: `the pose worker failed (${event.message})` };
    for (const waiting of replies.values()) waiting.reject(error);
    replies.clear();
  };
  return {
    ask(request, transfer) {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        replies.set(id, { resolve, reject });
        thread.postMessage(Object.assign({ id: id }, request), transfer || []);
      });
    },
    terminate() {
      thread.terminate();
    },
  };
}

function loadRequest(candidate, numPoses) {
  return {
    type: "load",
    bundle_url: absolute(args.bundle_url),
    wasm_url: absolute(args.wasm_url),
    model_url: absolute(candidate.url),
    delegate: candidate.delegate,
    num_poses: numPoses,
  };
}

function candidates() {
  const list = [
    { delegate: "GPU", model: "full", url: args.model_url },
    { delegate: "CPU", model: "full", url: args.model_url },
  ];
  if (args.lite_model_url) {
    list.push({ delegate: "GPU", model: "lite", url: args.lite_model_url });
    list.push({ delegate: "CPU", model: "lite", url: args.lite_model_url });
  }
  const delegates = args.delegates || ["GPU", "CPU"];
  const models = args.models || ["full", "lite"];
  return list.filter((c) => delegates.includes(c.delegate) && models.includes(c.model));
}

async function load(candidate) {
  modelReady = false;
  waitingTms = null; // a frame from before this model is not one to time it on
  try {
    const reply = await worker.ask(loadRequest(candidate, 1));
    connections = reply.connections;
  } catch (reply) {
    if (reply.stage === "code") throw new Error(`the pose model code did not load (${reply.error})`);
    throw new Error(reply.error);
  }
  modelReady = true;
}

// Frames/s on the live video through the whole per-frame path (the same one coaching
// uses): the first result is a warm-up (shaders, buffers), then MEASURE_FRAMES results or
// MEASURE_BUDGET_MS, whichever comes first.
async function measure(candidate) {
  await load(candidate);
  trial = { results: 0, began: null, last: null };
  const loaded = performance.now();
  const deadline = () => trial.began !== null && performance.now() - trial.began >= MEASURE_BUDGET_MS;
  while (trial.results < MEASURE_FRAMES + 1 && !deadline()) {
    if (trial.began === null && performance.now() - loaded > WARMUP_LIMIT_MS) {
      trial = null;
      throw new Error(`no frame came back within ${WARMUP_LIMIT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const done = trial;
  trial = null;
  const timed = done.results - 1;
  if (timed < 1) return 1000 / (performance.now() - done.began);
  return (1000 * timed) / (done.last - done.began);
}

function countTrial() {
  if (trial === null) return;
  const now = performance.now();
  trial.results += 1;
  if (trial.began === null) trial.began = now; // the warm-up result
  else trial.last = now;
}

async function loadModel() {
  await startWorker();
  let best = null;
  let loaded = null;
  const list = candidates();
  if (list.length === 0) {
    const lite = args.lite_model_url ? "" : " (the lite model is not installed)";
    throw new Error(`no model to try: the app allows ${(args.models || []).join(", ")}${lite}`);
  }
  for (const candidate of list) {
    say(`Measuring the pose model's speed here: ${candidate.delegate}, ${candidate.model} model...`);
    let fps;
    try {
      fps = await measure(candidate);
    } catch (err) {
      if (/did not load/.test(err.message)) throw err; // no candidate can load without the code
      stats.trials.push({ delegate: candidate.delegate, model: candidate.model, error: err.message });
      continue;
    }
    loaded = candidate;
    stats.trials.push({ delegate: candidate.delegate, model: candidate.model, fps: round1(fps) });
    if (best === null || fps > best.fps) best = Object.assign({ fps: fps }, candidate);
    if (best.fps >= MIN_FPS) break;
  }
  if (best === null) {
    const why = stats.trials.map((t) => `${t.delegate} ${t.model}: ${t.error}`).join("; ");
    throw new Error(`the pose model did not start in this browser (${why})`);
  }
  if (loaded !== best) await load(best); // a faster one was tried before the last
  crowd = newWorker();
  try {
    await crowd.ask(loadRequest(best, MAX_POSES));
  } catch (reply) {
    throw new Error(`the check for other people did not start (${reply.error})`);
  }
  stats.choice = { delegate: best.delegate, model: best.model, fps: round1(best.fps) };
  stats.why = whyChosen(best);
  engineLine.textContent =
    `Pose model on this device: ${best.delegate}, ${best.model} model, ` +
    `${best.fps.toFixed(0)} frames/s measured. ${stats.why}`;
}

// What the patient is told about the choice, from the speed test's own trials.
function whyChosen(best) {
  const others = stats.trials
    .filter((t) => !(t.delegate === best.delegate && t.model === best.model))
    .map((t) => `${t.model} on ${t.delegate} ` + (t.error ? "did not start" : `${t.fps.toFixed(1)} frames/s`));
  const tried = others.length ? ` Tried: ${others.join(", ")}.` : "";
  let why;
  if (best.fps < MIN_FPS) {
    why = `The fastest here, though slower than the ${MIN_FPS} frames/s a smooth count wants.`;
  } else if (others.length) {
    why = `The first to reach ${MIN_FPS} frames/s (full model first, then lite; GPU, then CPU).`;
  } else {
    why = `The first choice reached ${MIN_FPS} frames/s.`;
  }
  const lite = args.lite_model_url ? "" : " No lite model is installed.";
  return why + tried + lite;
}

function round1(x) {
  return Math.round(x * 10) / 10;
}

// ---- the WebSocket ------------------------------------------------------------------------
function askForToken() {
  // The pass this page already holds is not used: it may have expired while the model
  // loaded (its speed trials are slow on a busy machine), and a render of the old
  // arguments arriving before the page's answer would connect with it and be refused.
  if (args.token) usedTokens.add(args.token);
  waitingForToken = true;
  tokenRequest += 1;
  report(Object.assign({ status: stats.status === "starting" ? "model-ready" : stats.status,
                         token_request: tokenRequest }, choiceFields()));
}

function choiceFields() {
  return stats.choice
    ? { delegate: stats.choice.delegate, model: stats.choice.model, fps: stats.choice.fps, why: stats.why }
    : {};
}

function connect(token) {
  waitingForToken = false;
  usedTokens.add(token);
  reconnectButton.hidden = true;
  const url = new URL(args.stream_path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(url.href);
  ready = false;
  let refusal = null;
  say("Connecting to the coach...");
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "hello", token: token, client: stats.choice }));
  };
  socket.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (err) {
      return say(`The coach sent something unreadable (${err.message}).`, true);
    }
    if (message.type === "ready") {
      ready = true;
      stats.closed = null;
      say("Connected to the coach: counting.");
      report(Object.assign({ status: "streaming" }, choiceFields()));
    } else if (message.type === "state") {
      showState(message.t_ms, message.state || {});
    } else if (message.type === "error") {
      refusal = message.reason;
    }
  };
  socket.onclose = (event) => {
    ready = false;
    const reason = refusal || event.reason || closeMeaning(event.code);
    stats.closed = { code: event.code, reason: reason };
    say(`The connection to the coach closed: ${reason}. Press Reconnect to carry on.`, true);
    if (event.code === 4410) return; // the page ended the session itself: nothing to tell it
    reconnectButton.hidden = false;
    report(Object.assign({ status: "closed", reason: reason, code: event.code }, choiceFields()));
  };
}

function closeMeaning(code) {
  return {
    1001: "the server went away",
    1006: "the connection was lost",
    1011: "the server had an error",
    4400: "the coach refused a message",
    4401: "the page's pass was not valid (reload the page)",
    4408: "the page did not introduce itself in time",
    4409: "the coach is now connected from another window or tab",
    4410: "this session has ended on the page",
    4429: "too many messages",
  }[code] || `closed with code ${code}`;
}

// ---- per frame ---------------------------------------------------------------------------
function draw(poses) {
  const context = canvas.getContext("2d");
  if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
  }
  const w = canvas.width;
  const h = canvas.height;
  context.clearRect(0, 0, w, h);
  context.lineWidth = 3;
  context.strokeStyle = "#39d353";
  context.fillStyle = "#ffffff";
  for (const pose of poses) {
    const points = pose.image;
    context.beginPath();
    for (const [a, b] of connections) {
      context.moveTo(points[a][0] * w, points[a][1] * h);
      context.lineTo(points[b][0] * w, points[b][1] * h);
    }
    context.stroke();
    for (const [x, y] of points) {
      context.beginPath();
      context.arc(x * w, y * h, 3, 0, 2 * Math.PI);
      context.fill();
    }
  }
}

function onFrame(now, metadata) {
  video.requestVideoFrameCallback(onFrame);
  // The frame's own capture time (same clock as performance.now()) when the browser knows it.
  const tMs = metadata && metadata.captureTime ? metadata.captureTime : now;
  if (tMs <= lastTms || !modelReady) return; // a repeated frame, or no model to give it to
  // One slot, the newest frame: a frame still waiting for the worker is dropped, never
  // queued behind this one.
  if (waitingTms !== null) stats.dropped += 1;
  waitingTms = tMs;
  pump();
}

// The waiting frame goes to the worker as soon as it is free: the video's current picture,
// which is that frame's (or a newer one, so a latency measured from its time is no less).
function pump() {
  if (busy || !modelReady || waitingTms === null) return;
  const tMs = waitingTms;
  waitingTms = null;
  lastTms = tMs;
  handOver(tMs);
}

async function handOver(tMs) {
  busy = true;
  const times = { capture: tMs, handed: performance.now() };
  let reply;
  try {
    const bitmap = await createImageBitmap(video);
    times.bitmap = performance.now();
    if (lookDue()) look(await createImageBitmap(bitmap), tMs); // a copy: this one is transferred
    reply = await worker.ask({ type: "frame", bitmap: bitmap, t_ms: tMs }, [bitmap]);
    times.result_in = performance.now();
  } catch (err) {
    busy = false;
    if (modelReady) say(`The pose model failed on a frame (${err.error || err.message}).`, true);
    return;
  }
  busy = false;
  pump(); // the worker starts on the newest frame while this one is drawn and sent
  keep(stats.processed, performance.now());
  keep(stats.detect_ms, reply.detect_ms);
  if (reply.poses.length > 0) stats.seen += 1;
  countTrial();
  patient = reply.poses.length > 0 ? reply.poses[0] : null;
  const poses = reply.poses.concat(others).slice(0, MAX_POSES);
  draw(poses);
  times.drawn = performance.now();
  for (const step of ["worker_in", "model_start", "model_end"]) {
    times[step] = reply.clock[step] - performance.timeOrigin; // the worker's clock, as ours
  }
  if (ready && socket.readyState === WebSocket.OPEN) {
    const message = { type: "frame", t_ms: tMs, size: [video.videoWidth, video.videoHeight], poses: poses };
    socket.send(JSON.stringify(message));
    stats.sent += 1;
    times.sent = performance.now();
    awaiting.set(tMs, times);
    if (awaiting.size > 100) awaiting.delete(awaiting.keys().next().value); // never answered
  }
}

// Frames sent and not yet answered, by capture time, with their step times.
const awaiting = new Map();

// ---- other people in view -----------------------------------------------------------------
function lookDue() {
  return crowd !== null && !crowdBusy && performance.now() - lastLook >= CROWD_CHECK_MS;
}

// One look for other people (numPoses 2) on its own worker, beside the tracking; what it
// finds is sent with every frame until the next look.
async function look(bitmap, tMs) {
  crowdBusy = true;
  lastLook = performance.now();
  try {
    const reply = await crowd.ask({ type: "frame", bitmap: bitmap, t_ms: tMs }, [bitmap]);
    others = othersThan(patient, reply.poses);
    stats.looks += 1;
    if (others.length > 0) stats.crowded_looks += 1;
  } catch (err) {
    if (modelReady) say(`The check for other people failed on a frame (${err.error || err.message}).`, true);
  } finally {
    crowdBusy = false;
  }
}

// Everyone the look found but the person nearest the tracked patient (the look sees the
// patient too); everyone when nobody is tracked. As the server's estimator decides it
// (_others_than in coach/vision/estimator.py): the centre of the image landmarks' x, y.
function othersThan(tracked, everyone) {
  if (tracked === null || everyone.length === 0) return everyone;
  const centre = (pose) => {
    let x = 0;
    let y = 0;
    for (const point of pose.image) {
      x += point[0];
      y += point[1];
    }
    return [x / pose.image.length, y / pose.image.length];
  };
  const [cx, cy] = centre(tracked);
  const distances = everyone.map((pose) => {
    const [x, y] = centre(pose);
    return Math.hypot(x - cx, y - cy);
  });
  const nearest = distances.indexOf(Math.min(...distances));
  return everyone.filter((_pose, i) => i !== nearest);
}

// ---- the coaching state ---------------------------------------------------------------
let lastMessageId = null;
let cues = 0; // the server says each cue once (`say`): each gets its own id here
// The voice is the one the server path's page speaks with (coach_ui/components/shared).
const voice = window.FormCoachVoice(voiceButton, (words) => keep(stats.spoken, words));

function text(element, value) {
  element.textContent = value == null ? "" : String(value);
}

function showState(tMs, state) {
  stats.states += 1;
  stats.lastState = state;
  text(shown.headline, state.headline);
  text(shown.count, state.count);
  text(shown.cue, state.cue);
  text(shown.guidance, state.guidance);
  // Further lines of the read-out (the assessment's, the posture findings), bold markers dropped.
  shown.details.textContent = "";
  for (const line of state.details || []) {
    const item = document.createElement("div");
    item.textContent = String(line).replace(/\*\*/g, "");
    shown.details.appendChild(item);
  }
  // The set's words are the server's (coach.runtime.live.set_line), as the panel's.
  let line = state.set ? state.set.text : "";
  const gauge = state.gauge;
  if (gauge && gauge.value != null) {
    const value = gauge.unit ? `${Math.round(gauge.value)}${gauge.unit}` : gauge.value.toFixed(2);
    line += `${line ? " - " : ""}${gauge.label}: ${value}`;
  }
  text(shown.setline, line);
  // A shared session: the physiotherapist's last message, shown, and spoken once.
  const message = state.message;
  if (message && message.id !== lastMessageId) {
    lastMessageId = message.id;
    text(shown.message, `From your physiotherapist: ${message.text}`);
  }
  const utterances = state.say ? [{ id: `cue-${++cues}`, text: state.say }] : [];
  if (message) utterances.push(message);
  if (args.speak) voice.sayNew(utterances);
  else voice.skip(utterances);
  const times = awaiting.get(tMs);
  awaiting.delete(tMs);
  if (times) times.state_in = performance.now();
  requestAnimationFrame(() => {
    const now = performance.now();
    keep(stats.latencies, [now, now - tMs]);
    if (times) {
      times.shown = now;
      keep(stats.frames, times);
    }
  });
}

reconnectButton.addEventListener("click", () => {
  reconnectButton.hidden = true;
  say("Asking the page for a new pass...");
  askForToken();
});

// ---- start-up --------------------------------------------------------------------------
async function start() {
  stage.classList.toggle("mirror", Boolean(args.mirror));
  voiceButton.hidden = !args.speak || !voice.canSpeak;
  try {
    await openCamera();
    resize();
    video.requestVideoFrameCallback(onFrame); // the speed test runs on the live frames
    await loadModel();
  } catch (err) {
    if (worker !== null) worker.terminate();
    if (crowd !== null) crowd.terminate();
    modelReady = false;
    if (err.camera) {
      say(err.message, true);
      report({ status: "camera-error", reason: err.message });
    } else {
      say(`The pose model cannot run in this browser: ${err.message}.`, true);
      report({ status: "failed", reason: err.message });
    }
    return;
  }
  say("Pose model ready: connecting to the coach...");
  askForToken(); // the page's first pass may have expired while the model loaded
}

function render(newArgs) {
  args = newArgs;
  if (!started) {
    started = true;
    start();
  } else if (waitingForToken && args.token && !usedTokens.has(args.token)) {
    connect(args.token);
  }
  voiceButton.hidden = !args.speak || !voice.canSpeak;
}

window.addEventListener("message", (event) => {
  if (event.data && event.data.type === "streamlit:render") {
    render(event.data.args || {});
  }
});
window.addEventListener("resize", resize);
send("streamlit:componentReady", { apiVersion: 1 });
resize();
