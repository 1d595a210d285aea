// The page that waits for a declaration's PDF: asks the document's status every 1.5 s and moves
// the progress bar; when the PDF is ready, starts its download (the PDF's own URL, which serves the
// file) and says so; when it failed, reloads the page, which then shows the failure and its retry
// button (or waits for a newer document, when the declaration changed meanwhile). Without JavaScript the page refreshes
// itself (a meta refresh in <noscript>) and offers a "Check again" link.
(function () {
  "use strict";

  var box = document.getElementById("pdf-status");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("pdf-progress");
  var ready = document.getElementById("pdf-ready");
  var message = document.getElementById("pdf-message");
  var fallback = document.getElementById("pdf-fallback");
  var delay = 1500;

  var poll = function () {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status === null) { setTimeout(poll, delay * 2); return; }
        bar.value = status.progress;
        bar.textContent = status.progress + " %";
        if (status.ready) {
          bar.value = 100;
          message.classList.add("d-none");
          fallback.classList.add("d-none");
          ready.classList.remove("d-none");
          window.location.assign(status.url);
        } else if (status.failed) {
          window.location.reload();
        } else {
          setTimeout(poll, delay);
        }
      })
      .catch(function () { setTimeout(poll, delay * 2); });
  };
  setTimeout(poll, delay);
})();
