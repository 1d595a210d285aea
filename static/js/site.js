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

// Every page: a stacked list (.table-stacked, site.css) heads each cell on a phone with its column's
// name. A cell the template labelled keeps its label; any other takes its column header's visible
// text (a visually hidden header, such as that of a column of buttons, gives none).
(function () {
  "use strict";

  var headerText = function (th) {
    var copy = th.cloneNode(true);
    copy.querySelectorAll(".visually-hidden, [aria-hidden='true']").forEach(function (hidden) {
      hidden.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  };
  document.querySelectorAll("table.table-stacked").forEach(function (table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!row) {
      return;
    }
    var labels = [];
    Array.prototype.forEach.call(row.cells, function (th) {
      var text = headerText(th);
      for (var span = 0; span < th.colSpan; span += 1) {
        labels.push(text);
      }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        var column = 0;
        Array.prototype.forEach.call(tr.cells, function (cell) {
          // A cell that spans the whole row (a group's title, "nothing yet") needs no label.
          if (cell.colSpan === 1 && labels[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan;
        });
      });
    });
  });

  // An amount typed in yuan, read in 万元 under its field in Chinese (common.forms.MoneyInput): the
  // unit grants are counted in. As common.typography.wan_yuan_reading writes it: from 1 万元 up,
  // to two decimals, nothing in English.
  if ((document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0) {
    var wanFormat = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    document.querySelectorAll("input[data-wan]").forEach(function (input) {
      var reading = document.createElement("div");
      reading.className = "form-text wan-reading";
      reading.setAttribute("aria-live", "polite");
      var anchor = input.closest(".input-group") || input;
      anchor.insertAdjacentElement("afterend", reading);
      var update = function () {
        var text = input.value.replace(/[,\uff0c\s]/g, "");
        var amount = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
        reading.textContent = Math.abs(amount) >= 10000 ? "约 " + wanFormat.format(amount / 10000) + " 万元" : "";
      };
      input.addEventListener("input", update);
      update();
    });
  }
})();
