// See index.html. One post per page: the route's answer deletes the cookie.
(function () {
  let posted = false;

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }

  window.addEventListener("message", function (event) {
    if (!event.data || event.data.type !== "streamlit:render" || posted) {
      return;
    }
    const args = event.data.args || {};
    if (typeof args.path !== "string" || !args.path.startsWith("/") || typeof args.ended !== "string") {
      return;
    }
    posted = true;
    // redirect: "manual": the route answers 303 to the start page, which is not wanted
    // here; the Set-Cookie of the answer is applied all the same.
    // The digest names the cookie that ended: a newer one (signed in again in another
    // tab) is left alone by the route.
    fetch(args.path, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ended: args.ended }).toString(),
    }).catch(
      function (error) {
        console.warn("Form Coach: the ended sign-in cookie could not be cleared:", error);
      }
    );
  });
  send("streamlit:componentReady", { apiVersion: 1 });
  send("streamlit:setFrameHeight", { height: 0 });
})();
