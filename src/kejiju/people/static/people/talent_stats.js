/* 人才统计: the age-structure and category charts (data from the json_script block). */
(function () {
  "use strict";
  var holder = document.getElementById("talent-chart-data");
  if (!holder || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  function bar(id, series, color, horizontal) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = window.echarts.init(el);
    var categoryAxis = { type: "category", data: series.labels, axisLabel: { interval: 0 } };
    var valueAxis = { type: "value", minInterval: 1, name: "人" };
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 20, top: 30, bottom: 40 },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? Object.assign({}, categoryAxis, { inverse: true }) : valueAxis,
      series: [{ type: "bar", data: series.values, itemStyle: { color: color }, label: { show: true, position: horizontal ? "right" : "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bar("age-chart", data.age, "#2f6fb0", false);
  bar("category-chart", data.category, "#d4942b", true);
})();
