// The Analyse page's video upload (see index.html for the args and the value).
"use strict";

const input = document.getElementById("file");
const progress = document.getElementById("progress");
const statusLine = document.getElementById("status");
let args = {};
let doneId = null;
let request = null;

function send(type, data) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
}

function resize() {
  send("streamlit:setFrameHeight", { height: document.body.scrollHeight + 4 });
}

function say(text, isError) {
  statusLine.textContent = text;
  statusLine.className = isError ? "error" : "";
  resize();
}

function megabytes(bytes) {
  return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0) + " MB";
}

function refuse(text, status) {
  say(text, true);
  send("streamlit:setComponentValue", { value: { error: text, status: status }, dataType: "json" });
}

function upload(file) {
  if (request) {
    request.abort();
  }
  if (file.size > args.max_bytes) {
    input.value = "";
    refuse(file.name + " is " + megabytes(file.size) + ": this server takes videos up to "
      + megabytes(args.max_bytes) + ". Trim it or film a shorter clip.", 413);
    return;
  }
  const xhr = new XMLHttpRequest();
  request = xhr;
  xhr.open("POST", args.upload_path);
  xhr.setRequestHeader("Content-Type", "application/octet-stream");
  xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
  progress.hidden = false;
  progress.value = 0;
  say("Uploading " + file.name + " (" + megabytes(file.size) + ")...", false);
  xhr.upload.onprogress = (event) => {
    if (event.lengthComputable) {
      progress.value = Math.round((100 * event.loaded) / event.total);
    }
  };
  xhr.onload = () => {
    request = null;
    progress.hidden = true;
    if (xhr.status === 200) {
      const received = JSON.parse(xhr.responseText);
      say("Uploaded " + received.name + " (" + megabytes(received.size) + ").", false);
      send("streamlit:setComponentValue", { value: received, dataType: "json" });
    } else {
      input.value = "";
      refuse("The upload was refused: " + xhr.responseText, xhr.status);
    }
  };
  xhr.onerror = () => {
    request = null;
    progress.hidden = true;
    input.value = "";
    refuse("The upload failed: the connection to the server was lost. Please try again.", 0);
  };
  xhr.send(file);
}

input.addEventListener("change", () => {
  if (input.files && input.files.length === 1) {
    upload(input.files[0]);
  }
});

function render(newArgs) {
  args = newArgs;
  document.getElementById("label").textContent = args.label || "Your video";
  document.getElementById("help").textContent = args.help || "";
  input.accept = args.accept || "";
  if (args.done_id && args.done_id !== doneId) {
    doneId = args.done_id;
    input.value = "";
    say("Your video was analysed, then deleted from the server. To analyse it as "
      + "another exercise, upload it again.", false);
  }
  resize();
}

window.addEventListener("message", (event) => {
  if (event.data && event.data.type === "streamlit:render") {
    render(event.data.args || {});
  }
});
send("streamlit:componentReady", { apiVersion: 1 });
resize();
