// The idle-timeout warning. The server ends a session after a quiet spell
// (data-idle-seconds); a little before, this asks whether the person is still there.
// "Stay signed in" posts to the keep-alive URL, which renews the session. Without
// script nothing is shown and the session still ends on the server.
(function () {
  "use strict";
  var body = document.body;
  var total = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var warnBefore = parseInt(body.getAttribute("data-idle-warning"), 10);
  var dialog = document.getElementById("idle-warning");
  if (!total || !dialog || typeof dialog.showModal !== "function") return;
  var stay = dialog.querySelector("form[data-keep-alive]");
  var countdown = dialog.querySelector("[data-idle-countdown]");
  var signedOut = body.getAttribute("data-signed-out");
  var deadline, warnTimer, endTimer, tick;

  function clock(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function showWarning() {
    dialog.showModal();
    tick = setInterval(function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = clock(left);
    }, 1000);
  }

  function end() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(signedOut + "?next=" + encodeURIComponent(here));
  }

  function restart() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tick);
    if (dialog.open) dialog.close();
    deadline = Date.now() + total * 1000;
    countdown.textContent = clock(Math.min(warnBefore, total));
    warnTimer = setTimeout(showWarning, Math.max(0, total - warnBefore) * 1000);
    endTimer = setTimeout(end, total * 1000);
  }

  stay.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(stay.action, {
      method: "POST",
      body: new FormData(stay),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (response.status === 204) restart();
      else end();
    }, end);
  });

  restart();
})();
