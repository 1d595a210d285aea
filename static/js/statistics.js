// The staff statistics page: draws the charts from the data the page carries in
// <script type="application/json" id="statistics-data"> (json_script). Every figure is also in the
// table beneath its chart, which screen readers read instead (the canvases are role="img").
(function () {
  "use strict";

  var source = document.getElementById("statistics-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var locale = document.documentElement.lang || "en";
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  // Colours with WCAG AA contrast on white, distinct for the common colour blindnesses.
  var colours = ["#1f4e9a", "#8b1a1a", "#1b7a3e", "#b35c00", "#5b3b8c"];
  var money = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  var whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function datasets(series, extra) {
    return series.map(function (one, index) {
      var set = {
        label: one.label,
        data: one.data,
        backgroundColor: colours[index % colours.length],
        borderColor: colours[index % colours.length],
      };
      return Object.assign(set, extra ? extra(one, index) : {});
    });
  }

  function tooltip(format) {
    return { callbacks: { label: function (item) { return item.dataset.label + ": " + format(item.parsed, item); } } };
  }

  var amounts = document.getElementById("chart-amounts");
  if (amounts) {
    new Chart(amounts, {
      type: "bar",
      data: { labels: data.amounts.labels, datasets: datasets(data.amounts.series) },
      options: {
        aspectRatio: narrow ? 1 : 2.6,
        indexAxis: narrow ? "y" : "x",
        scales: narrow
          ? { x: { ticks: { callback: function (value) { return compact.format(value); } } } }
          : { y: { ticks: { callback: function (value) { return compact.format(value); } } } },
        plugins: { tooltip: tooltip(function (parsed) { return money.format(narrow ? parsed.x : parsed.y); }) },
      },
    });
  }

  var funnel = document.getElementById("chart-funnel");
  if (funnel) {
    new Chart(funnel, {
      type: "bar",
      data: { labels: data.funnel.labels, datasets: datasets(data.funnel.series) },
      options: {
        aspectRatio: narrow ? 1.2 : 3,
        indexAxis: "y",
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false }, tooltip: tooltip(function (parsed) { return whole.format(parsed.x); }) },
      },
    });
  }

  var months = document.getElementById("chart-months");
  if (months) {
    new Chart(months, {
      type: "line",
      data: {
        labels: data.months.labels,
        datasets: datasets(data.months.series, function (one) {
          return { yAxisID: one.money ? "money" : "count", tension: 0.2, pointRadius: 4 };
        }),
      },
      options: {
        aspectRatio: narrow ? 1.2 : 3,
        scales: {
          count: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
          money: {
            position: "right",
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            ticks: { callback: function (value) { return compact.format(value); } },
          },
        },
        plugins: {
          tooltip: tooltip(function (parsed, item) {
            return item.dataset.yAxisID === "money" ? money.format(parsed.y) : whole.format(parsed.y);
          }),
        },
      },
    });
  }
})();
