// Evidence upload on the declaration's attachments step, on top of the plain forms that work without
// it: files dropped onto a kind of evidence, upload progress, and, once uploaded, the page's main part
// replaced by the server's answer with the focus on the next kind still missing (or on the message of
// a refused file). A browser without XMLHttpRequest uploads, or a failed request, posts the form.
(function () {
  "use strict";

  if (!window.FormData || !window.XMLHttpRequest || !window.DOMParser) {
    return;
  }

  var focusOn = function (element) {
    if (!element) {
      return;
    }
    element.scrollIntoView({ block: "center" });
    element.focus({ preventScroll: true });
  };

  // After an upload: a refused file's control, else the next missing kind, else the way on.
  var moveOn = function (anchor) {
    var invalid = document.querySelector(".evidence-upload [aria-invalid=true]");
    if (invalid) {
      focusOn(invalid);
      return;
    }
    var item = anchor && anchor.indexOf("#item-") === 0 ? document.getElementById(anchor.slice(1)) : null;
    item = item || document.querySelector(".evidence-item[data-missing]");
    if (item) {
      focusOn(item.querySelector("input[type=file]"));
    } else {
      focusOn(document.querySelector("button[data-continue]"));
    }
  };

  var showProgress = function (form, text, fraction) {
    var box = form.querySelector(".upload-progress");
    if (!box) {
      return;
    }
    box.hidden = false;
    var bar = box.querySelector("progress");
    if (fraction === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = Math.round(fraction * 100);
    }
    box.querySelector("[aria-live]").textContent = text;
  };

  var send = function (form) {
    var label = form.dataset.uploading || "";
    var xhr = new XMLHttpRequest();
    var fallback = function () {
      HTMLFormElement.prototype.submit.call(form);
    };
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (event) {
      var fraction = event.lengthComputable ? event.loaded / event.total : null;
      showProgress(form, label + (fraction === null ? "" : " " + Math.round(fraction * 100) + "%"), fraction);
    });
    xhr.addEventListener("load", function () {
      var page = new URL(xhr.responseURL || form.action, window.location.href);
      if (xhr.status !== 200 || page.pathname !== window.location.pathname) {
        // Not this step's page (signed out, or the declaration is no longer editable): go there.
        window.location.assign(xhr.status === 200 ? page.href : window.location.href);
        return;
      }
      var answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fresh = answer.getElementById("main");
      var main = document.getElementById("main");
      if (!fresh || !main) {
        fallback();
        return;
      }
      main.replaceWith(document.adoptNode(fresh));
      document.title = answer.title;
      revealHints();
      moveOn(page.hash);
    });
    xhr.addEventListener("error", fallback);
    showProgress(form, label, 0);
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
    xhr.send(new FormData(form));
  };

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-upload]");
    if (!form) {
      return;
    }
    event.preventDefault();
    send(form);
  });

  // Drag and drop, where the browser can hand dropped files to the file input.
  var canDrop = "ondrop" in document.createElement("div") && typeof DataTransfer === "function";
  var revealHints = function () {
    if (canDrop) {
      document.querySelectorAll(".drop-hint").forEach(function (hint) {
        hint.hidden = false;
      });
    }
  };
  var itemOf = function (event) {
    return event.target.closest ? event.target.closest(".evidence-item") : null;
  };
  if (canDrop) {
    revealHints();
    ["dragenter", "dragover"].forEach(function (type) {
      document.addEventListener(type, function (event) {
        var item = itemOf(event);
        if (item && event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
          item.classList.add("drop-over");
        }
      });
    });
    document.addEventListener("dragleave", function (event) {
      var item = itemOf(event);
      if (item && !item.contains(event.relatedTarget)) {
        item.classList.remove("drop-over");
      }
    });
    document.addEventListener("drop", function (event) {
      var item = itemOf(event);
      if (!item || !event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      event.preventDefault();
      item.classList.remove("drop-over");
      var form = item.querySelector("form[data-upload]");
      form.querySelector("input[type=file]").files = event.dataTransfer.files;
      send(form);
    });
  }

  // After the plain form's post (no script involved): the server's anchor, or a refusal, takes the focus.
  if (window.location.hash.indexOf("#item-") === 0 || window.location.hash === "#attachments-done") {
    moveOn(window.location.hash);
  } else if (document.querySelector(".evidence-upload [aria-invalid=true]")) {
    moveOn("");
  }
})();
