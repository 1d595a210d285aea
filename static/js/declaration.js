// The declaration steps: the live pre-check beside the facts, a warning before leaving a step
// with unsaved changes, and a submit button that cannot be pressed twice.
(function () {
  "use strict";

  var precheckForm = document.querySelector("form[data-precheck]");
  var target = document.getElementById("precheck");
  if (precheckForm && target && window.fetch) {
    var timer = null;
    var refresh = function () {
      var data = new FormData(precheckForm);
      fetch(precheckForm.dataset.precheck, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) { target.innerHTML = html; } })
        .catch(function () { /* the saved pre-check stays shown */ });
    };
    precheckForm.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 500);
    });
    precheckForm.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 100);
    });
  }

  document.querySelectorAll("form[data-guard]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });

  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting) {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("disabled");
      });
    });
  });
})();
