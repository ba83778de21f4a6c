// Form Coach's on-device camera (a Streamlit custom component without a build step: it talks
// the component protocol, streamlit:componentReady / render / setComponentValue /
// setFrameHeight, directly).
//
// 1. The webcam opens with getUserMedia; no picture leaves this page.
// 2. MediaPipe's PoseLandmarker for the web loads from files the app serves (bundle_url,
//    wasm_url, model_url): nothing is fetched from anywhere else.
// 3. The delegate and model are picked by measured speed on the live video: GPU then CPU,
//    full then lite (when a lite model is given), the first that reaches MIN_FPS, else the
//    fastest. What was picked is shown and reported to the page.
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
const KEEP = 20000;             // samples kept for the benchmark (about ten minutes)

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
  choice: null,          // {delegate, model, fps}
  trials: [],            // every candidate measured: {delegate, model, fps | error}
  processed: [],         // performance.now() after each frame's model run
  latencies: [],         // [when shown, ms from the frame's capture to its state on screen]
  sent: 0,
  states: 0,
  lastState: null,
  spoken: [],
  closed: null,          // {code, reason}
};
window.poseCamera = stats;

let args = null;
let started = false;
let landmarker = null;
let vision = null;
let drawer = null;
let socket = null;
let ready = false;
let lastTms = -Infinity;
let lastDetectMs = -Infinity;
let tokenRequest = 0;
let waitingForToken = false;
const usedTokens = new Set();
let voiceOn = false;

function send(type, data) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
}

function report(value) {
  stats.status = value.status;
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

// ---- model: load, measure, choose ----------------------------------------------------
function candidates() {
  const list = [
    { delegate: "GPU", model: "full", url: args.model_url },
    { delegate: "CPU", model: "full", url: args.model_url },
  ];
  if (args.lite_model_url) {
    list.push({ delegate: "GPU", model: "lite", url: args.lite_model_url });
    list.push({ delegate: "CPU", model: "lite", url: args.lite_model_url });
  }
  const allowed = args.delegates || ["GPU", "CPU"];
  return list.filter((c) => allowed.includes(c.delegate));
}

function nextDetectMs() {
  // PoseLandmarker needs strictly increasing timestamps for the whole of its life.
  lastDetectMs = Math.max(performance.now(), lastDetectMs + 1);
  return lastDetectMs;
}

async function measure(candidate) {
  const made = await vision.PoseLandmarker.createFromOptions(files, {
    baseOptions: { modelAssetPath: candidate.url, delegate: candidate.delegate },
    runningMode: "VIDEO",
    numPoses: 2,
  });
  lastDetectMs = -Infinity;
  made.detectForVideo(video, nextDetectMs()); // warm-up: shaders, buffers
  const begin = performance.now();
  let frames = 0;
  while (frames < MEASURE_FRAMES && performance.now() - begin < MEASURE_BUDGET_MS) {
    await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    made.detectForVideo(video, nextDetectMs());
    frames += 1;
  }
  const msPerFrame = (performance.now() - begin) / Math.max(frames, 1);
  return { landmarker: made, fps: 1000 / msPerFrame };
}

let files = null;

async function loadModel() {
  try {
    vision = await import(args.bundle_url);
    files = await vision.FilesetResolver.forVisionTasks(args.wasm_url);
  } catch (err) {
    throw new Error(`the pose model code did not load (${err.message})`);
  }
  let best = null;
  for (const candidate of candidates()) {
    say(`Measuring the pose model's speed here: ${candidate.delegate}, ${candidate.model} model...`);
    let trial;
    try {
      trial = await measure(candidate);
    } catch (err) {
      stats.trials.push({ delegate: candidate.delegate, model: candidate.model, error: String(err.message || err) });
      continue;
    }
    stats.trials.push({ delegate: candidate.delegate, model: candidate.model, fps: round1(trial.fps) });
    if (best === null || trial.fps > best.fps) {
      if (best !== null) best.landmarker.close();
      best = Object.assign({}, candidate, trial);
    } else {
      trial.landmarker.close();
    }
    if (best.fps >= MIN_FPS) break;
  }
  if (best === null) {
    const why = stats.trials.map((t) => `${t.delegate} ${t.model}: ${t.error}`).join("; ");
    throw new Error(`the pose model did not start in this browser (${why})`);
  }
  landmarker = best.landmarker;
  stats.choice = { delegate: best.delegate, model: best.model, fps: round1(best.fps) };
  const slow = best.fps < MIN_FPS ? " (slower than the 15 frames/s a smooth count wants)" : "";
  const lite = args.lite_model_url ? "" : "; no lite model installed";
  engineLine.textContent =
    `Pose model on this device: ${best.delegate}, ${best.model} model, ` +
    `${best.fps.toFixed(0)} frames/s measured${slow}${lite}.`;
  drawer = new vision.DrawingUtils(canvas.getContext("2d"));
}

function round1(x) {
  return Math.round(x * 10) / 10;
}

// ---- the WebSocket ------------------------------------------------------------------------
function askForToken() {
  waitingForToken = true;
  tokenRequest += 1;
  report(Object.assign({ status: stats.status === "starting" ? "model-ready" : stats.status,
                         token_request: tokenRequest }, choiceFields()));
}

function choiceFields() {
  return stats.choice ? { delegate: stats.choice.delegate, model: stats.choice.model, fps: stats.choice.fps } : {};
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
      say("Coaching: the pose model runs on this device, only the body's landmarks go to the coach.");
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
function poseMessage(result, tMs) {
  const poses = result.landmarks.map((image, i) => ({
    // visibility 0 when the web result has none (the contract's rule).
    image: image.map((p) => [p.x, p.y, p.z, p.visibility ?? 0]),
    world: result.worldLandmarks[i].map((p) => [p.x, p.y, p.z]),
  }));
  return { type: "frame", t_ms: tMs, size: [video.videoWidth, video.videoHeight], poses: poses };
}

function draw(result) {
  const context = canvas.getContext("2d");
  if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
  }
  context.clearRect(0, 0, canvas.width, canvas.height);
  for (const pose of result.landmarks) {
    drawer.drawConnectors(pose, vision.PoseLandmarker.POSE_CONNECTIONS, { color: "#39d353", lineWidth: 3 });
    drawer.drawLandmarks(pose, { color: "#ffffff", fillColor: "#39d353", radius: 3 });
  }
}

function onFrame(now, metadata) {
  video.requestVideoFrameCallback(onFrame);
  // The frame's own capture time (same clock as performance.now()) when the browser knows it.
  const tMs = metadata && metadata.captureTime ? metadata.captureTime : now;
  if (tMs <= lastTms) return; // a repeated frame: nothing new to send
  let result;
  try {
    result = landmarker.detectForVideo(video, nextDetectMs());
  } catch (err) {
    say(`The pose model failed on a frame (${err.message}).`, true);
    return;
  }
  keep(stats.processed, performance.now());
  lastTms = tMs;
  draw(result);
  if (ready && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(poseMessage(result, tMs)));
    stats.sent += 1;
  }
}

// ---- the coaching state ---------------------------------------------------------------
let lastMessageId = null;

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
  const set = state.set;
  let line = "";
  if (set) {
    line = `Set ${set.index} of ${set.of}`;
    if (set.target_reps != null) line += `: ${set.reps} of ${set.target_reps} repetitions`;
  }
  const gauge = state.gauge;
  if (gauge && gauge.value != null) {
    const value = gauge.unit ? `${Math.round(gauge.value)}${gauge.unit}` : gauge.value.toFixed(2);
    line += `${line ? " - " : ""}${gauge.label}: ${value}`;
  }
  text(shown.setline, line);
  if (state.say) speak(state.say);
  // A shared session: the physiotherapist's last message, shown, and spoken once.
  const message = state.message;
  if (message && message.id !== lastMessageId) {
    lastMessageId = message.id;
    text(shown.message, `From your physiotherapist: ${message.text}`);
    speak(message.text);
  }
  requestAnimationFrame(() => {
    const now = performance.now();
    keep(stats.latencies, [now, now - tMs]);
  });
}

function speak(words) {
  keep(stats.spoken, words);
  if (!args.speak || !voiceOn || !("speechSynthesis" in window)) return;
  window.speechSynthesis.cancel(); // one cue at a time: the newest replaces the rest
  const utterance = new SpeechSynthesisUtterance(words);
  utterance.rate = 0.95;
  window.speechSynthesis.speak(utterance);
}

voiceButton.addEventListener("click", () => {
  voiceOn = !voiceOn;
  voiceButton.textContent = voiceOn ? "Turn off voice" : "Turn on voice";
  if (voiceOn) {
    speak("Voice on"); // spoken inside the click: this unlocks speech for the page
  } else if ("speechSynthesis" in window) {
    window.speechSynthesis.cancel();
  }
});

reconnectButton.addEventListener("click", () => {
  reconnectButton.hidden = true;
  say("Asking the page for a new pass...");
  askForToken();
});

// ---- start-up --------------------------------------------------------------------------
async function start() {
  stage.classList.toggle("mirror", Boolean(args.mirror));
  voiceButton.hidden = !args.speak || !("speechSynthesis" in window);
  try {
    await openCamera();
    resize();
    await loadModel();
  } catch (err) {
    if (err.camera) {
      say(err.message, true);
      report({ status: "camera-error", reason: err.message });
    } else {
      say(`The pose model cannot run in this browser: ${err.message}.`, true);
      report({ status: "failed", reason: err.message });
    }
    return;
  }
  video.requestVideoFrameCallback(onFrame);
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
  voiceButton.hidden = !args.speak || !("speechSynthesis" in window);
}

window.addEventListener("message", (event) => {
  if (event.data && event.data.type === "streamlit:render") {
    render(event.data.args || {});
  }
});
window.addEventListener("resize", resize);
send("streamlit:componentReady", { apiVersion: 1 });
resize();
