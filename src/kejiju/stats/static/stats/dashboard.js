/* 统计看板: draws each panel's charts from the JSON in #stats-data (no inline scripts: CSP).
   Clicking a bar opens the list of records behind that figure. */
(function () {
  "use strict";
  var source = document.getElementById("stats-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function go(url) { if (url) { window.location.href = url; } }

  function compare(el, panel) {
    var rows = panel.rows;
    var chart = echarts.init(el);
    chart.setOption({
      title: { text: "本年与上年同期", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      legend: { top: 22, data: ["上年同期", data.year + "年", "年度目标"] },
      grid: { left: 40, right: 10, top: 55, bottom: 60 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
      yAxis: { type: "value" },
      series: [
        { name: "上年同期", type: "bar", data: rows.map(function (r) { return r.previous_number; }), itemStyle: { color: "#adb5bd" } },
        { name: data.year + "年", type: "bar", data: rows.map(function (r) { return r.number; }), itemStyle: { color: "#0d6efd" } },
        { name: "年度目标", type: "scatter", symbol: "diamond", symbolSize: 12, data: rows.map(function (r) { return r.target_number; }), itemStyle: { color: "#dc3545" } }
      ]
    });
    chart.on("click", function (params) {
      var row = rows[params.dataIndex];
      if (!row) { return; }
      go(params.seriesIndex === 0 ? row.previous_url : row.url);
    });
    return chart;
  }

  function ranking(el, panel) {
    var items = panel.ranking.items.slice(0, 15).reverse();
    var chart = echarts.init(el);
    chart.setOption({
      title: { text: panel.ranking.name + "（按下级区划）", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 90, right: 20, top: 35, bottom: 20 },
      xAxis: { type: "value", name: panel.ranking.unit },
      yAxis: { type: "category", data: items.map(function (i) { return i.name; }), axisLabel: { fontSize: 10 } },
      series: [{ type: "bar", data: items.map(function (i) { return i.value; }), itemStyle: { color: "#198754" } }]
    });
    chart.on("click", function (params) { var item = items[params.dataIndex]; if (item) { go(item.url); } });
    return chart;
  }

  document.querySelectorAll(".stats-chart").forEach(function (el) {
    var panel = data.panels[Number(el.dataset.panel)];
    if (!panel) { return; }
    charts.push(el.dataset.kind === "ranking" ? ranking(el, panel) : compare(el, panel));
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
