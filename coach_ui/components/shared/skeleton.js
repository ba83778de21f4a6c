// Form Coach's shared component script: what the skeleton components (skeleton_replay,
// live_watch) have in common, in one place. Served beside the app by coach_ui/routes.py
// (COMPONENT_SCRIPTS_PATH, by name from a fixed list): same origin as the components'
// own pages, so a page's Content-Security-Policy allows it with script-src 'self'.
//
// FormCoach.send(type, extra): a message to Streamlit (the component protocol:
//   streamlit:componentReady, streamlit:setFrameHeight), without a build step.
// FormCoach.onRender(render): calls render(args) on every streamlit:render, then tells
//   Streamlit the component is ready.
// FormCoach.drawSkeleton(canvas, frame, edges, joints): one pose as a skeleton fitted
//   into the canvas (the frame's aspect kept); frame is null when nobody is in view, else
//   {wh: [width, height], at: (i) => [x, y] of landmark i in 0-1 of the frame, or null
//   when it is not seen (its edges and joint are left out)}.
"use strict";
window.FormCoach = (function () {
  function send(type, extra) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
  }

  function onRender(render) {
    window.addEventListener("message", (event) => {
      if (event.data && event.data.type === "streamlit:render") { render(event.data.args || {}); }
    });
    send("streamlit:componentReady", { apiVersion: 1 });
  }

  function drawSkeleton(canvas, frame, edges, joints) {
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const drawn = document.body.dataset;  // for tests: how often it drew
    drawn.skeletonDrawn = String(Number(drawn.skeletonDrawn || 0) + 1);
    if (!frame) {
      ctx.fillStyle = "#888";
      ctx.fillText("nobody in view", 10, 20);
      return;
    }
    const [w, h] = frame.wh;
    const scale = Math.min(canvas.width / w, canvas.height / h);
    const ox = (canvas.width - w * scale) / 2, oy = (canvas.height - h * scale) / 2;
    const px = (i) => {
      const point = frame.at(i);
      return point && [ox + point[0] * w * scale, oy + point[1] * h * scale];
    };
    ctx.strokeStyle = "#2e7d32";
    ctx.lineWidth = 3;
    for (const [a, b] of edges) {
      const from = px(a), to = px(b);
      if (!from || !to) { continue; }
      ctx.beginPath(); ctx.moveTo(from[0], from[1]); ctx.lineTo(to[0], to[1]); ctx.stroke();
    }
    ctx.fillStyle = "#1b5e20";
    for (const i of joints) {
      const at = px(i);
      if (!at) { continue; }
      ctx.beginPath(); ctx.arc(at[0], at[1], 3, 0, 2 * Math.PI); ctx.fill();
    }
  }

  return { send: send, onRender: onRender, drawSkeleton: drawSkeleton };
})();
