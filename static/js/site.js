// Every page: a table too wide for the screen scrolls inside its .table-responsive box; such a box
// takes the keyboard's focus (tabindex 0), so that it can be scrolled without a mouse in browsers
// that do not make scrolling boxes focusable themselves (Safari). Only a box that scrolls joins the
// tab order, checked again when the window's size changes.
(function () {
  "use strict";

  var mark = function () {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "1";
      } else if (!scrolls && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  };
  var timer = null;
  mark();
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(mark, 200);
  });
})();
