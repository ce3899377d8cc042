/* Dashboard charts (Chart.js) and the print button. Data comes from the json_script "dashboard-charts". */
(function () {
  "use strict";

  document.querySelectorAll("[data-action='print']").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var number = new Intl.NumberFormat("vi-VN");
  // As the pages print them: rates with two decimals ("87,77%"), counts without any ("130").
  var rate = new Intl.NumberFormat("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var count = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 0 });
  function tooltip(format, suffix) {
    return { callbacks: { label: function (item) {
      return item.dataset.label + ": " + format.format(item.parsed.y) + (suffix || "");
    } } };
  }
  var common = {
    responsive: true,
    maintainAspectRatio: true,
    animation: false,
    locale: "vi-VN",
    plugins: { legend: { position: "bottom" } }
  };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { return new window.Chart(canvas, config); }
    return null;
  }

  var adm = data.admissions;
  var admSets = [{ label: "Kết nạp lũy kế", data: adm.actual, borderColor: "#b3141b", backgroundColor: "#b3141b", tension: 0.1 }];
  if (adm.pace) {
    admSets.push({ label: "Tiến độ cần đạt (chỉ tiêu " + number.format(adm.target) + ")", data: adm.pace, borderColor: "#6c757d", borderDash: [6, 4], pointRadius: 0 });
  }
  draw("chart-admissions", { type: "line", data: { labels: adm.labels, datasets: admSets }, options: Object.assign({}, common, {
    scales: { y: { beginAtZero: true } },
    plugins: Object.assign({}, common.plugins, { tooltip: tooltip(count) })
  }) });

  var study = data.study;
  draw("chart-study", {
    type: "bar",
    data: { labels: study.labels, datasets: [
      { label: "Đảng viên", data: study.members, backgroundColor: "#b3141b" },
      { label: "Quần chúng", data: study.masses, backgroundColor: "#f0ad4e" }
    ] },
    options: Object.assign({}, common, {
      scales: { y: { beginAtZero: true, max: 100 } },
      plugins: Object.assign({}, common.plugins, { tooltip: tooltip(rate, "%") })
    })
  });

  var ratings = data.ratings;
  draw("chart-ratings", {
    type: "doughnut",
    data: { labels: ratings.labels, datasets: [{ data: ratings.counts, backgroundColor: ["#198754", "#0d6efd", "#ffc107", "#dc3545", "#adb5bd"] }] },
    options: Object.assign({}, common, { aspectRatio: 2 })
  });

  var t = data.timeliness;
  draw("chart-timeliness", {
    type: "bar",
    data: { labels: t.labels, datasets: [
      { label: "Đúng hạn", data: t.on_time, backgroundColor: "#198754" },
      { label: "Nộp muộn", data: t.late, backgroundColor: "#ffc107" },
      { label: "Chưa nộp", data: t.missing, backgroundColor: "#dc3545" }
    ] },
    options: Object.assign({}, common, { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } })
  });
})();
