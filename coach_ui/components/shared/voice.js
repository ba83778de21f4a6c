// Form Coach's voice, one copy for the components that speak: pose_camera (the on-device
// path) and speaker (the server path's page). Served beside the app by coach_ui/routes.py
// (COMPONENT_SCRIPTS_PATH) like skeleton.js.
//
// FormCoachVoice(button, onSpeak) makes the voice behind a "Turn on voice" button.
// Browsers only let a page speak after a click on it: the first click both unlocks speech
// (it says "Voice on") and is remembered for the page's lifetime. onSpeak(words, aloud),
// if given, hears of every utterance asked for (aloud: whether it was said).
//   speak(words, interrupt): say it now; interrupt (the default) stops what is being said.
//   sayNew(utterances): [{id, text}], in order: each id not met before is said once (the
//     first new one interrupts, the rest queue after it): the coach's cue, and the
//     physiotherapist's message in a shared session, decided by the server
//     (coach.runtime.live.spoken_cue, spoken_message), so both paths say the same.
//   skip(utterances): remember their ids without saying them (what came before the voice
//     was turned on).
//   on(): whether the voice is on; canSpeak: whether this browser can speak at all.
"use strict";
window.FormCoachVoice = function (button, onSpeak) {
  const canSpeak = "speechSynthesis" in window;
  const met = new Set();
  let on = false;

  function speak(words, interrupt) {
    const aloud = on && canSpeak;
    if (aloud) {
      if (interrupt !== false) { window.speechSynthesis.cancel(); }
      const utterance = new SpeechSynthesisUtterance(words);
      utterance.rate = 0.95;
      window.speechSynthesis.speak(utterance);
    }
    if (onSpeak) { onSpeak(words, aloud); }
    return aloud;
  }

  function sayNew(utterances) {
    let first = true;
    for (const said of utterances || []) {
      if (!said || !said.id || !said.text || met.has(said.id)) { continue; }
      met.add(said.id);
      speak(said.text, first);
      first = false;
    }
  }

  function skip(utterances) {
    for (const said of utterances || []) { if (said && said.id) { met.add(said.id); } }
  }

  button.addEventListener("click", () => {
    on = !on;
    button.textContent = on ? "Turn off voice" : "Turn on voice";
    if (on) {
      speak("Voice on"); // spoken inside the click: this unlocks speech for the page
    } else if (canSpeak) {
      window.speechSynthesis.cancel();
    }
  });

  return { speak: speak, sayNew: sayNew, skip: skip, on: () => on, canSpeak: canSpeak };
};
