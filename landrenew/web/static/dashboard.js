// Dashboard charts (统计图表) with ECharts served by this app: stacked bars of low-efficiency
// area by district and category, and a pie of the categories.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const mu = document.documentElement.lang.startsWith("zh") ? "亩" : "mu";
  const bars = echarts.init(document.getElementById("chart-districts"));
  bars.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { type: "scroll", top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: "category", data: data.districts },
    yAxis: { type: "value", name: mu },
    series: data.series.map((s) => ({ name: s.name, type: "bar", stack: "area", data: s.data,
                                      itemStyle: { color: s.colour } })),
  });
  const pie = echarts.init(document.getElementById("chart-categories"));
  pie.setOption({
    tooltip: { trigger: "item", formatter: "{b}: {c} " + mu + " ({d}%)" },
    series: [{ type: "pie", radius: ["35%", "70%"],
               data: data.pie.map((p) => ({ name: p.name, value: p.value,
                                            itemStyle: { color: p.colour } })) }],
  });
  window.addEventListener("resize", () => { bars.resize(); pie.resize(); });
  window.landrenewCharts = { bars: bars, pie: pie };
})();
