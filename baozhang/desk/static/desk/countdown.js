// Turn every <time class="bz-due" data-due=ISO> into a live countdown, coloured by the
// time left: overdue (red), under an hour (amber), more (green).
(function () {
  var lang = document.documentElement.lang || "zh-Hans";
  var zh = lang.indexOf("zh") === 0;
  function text(ms) {
    var overdue = ms < 0, m = Math.round(Math.abs(ms) / 60000), h = Math.floor(m / 60), d = Math.floor(h / 24);
    var span = d >= 1 ? (zh ? d + "天" + (h % 24) + "小时" : d + "d " + (h % 24) + "h")
      : h >= 1 ? (zh ? h + "小时" + (m % 60) + "分" : h + "h " + (m % 60) + "m")
      : (zh ? m + "分钟" : m + " min");
    return overdue ? (zh ? "已超时 " + span : span + " overdue") : (zh ? "剩余 " + span : span + " left");
  }
  function tick() {
    document.querySelectorAll("time.bz-due").forEach(function (el) {
      var ms = new Date(el.dataset.due).getTime() - Date.now();
      el.textContent = text(ms);
      el.title = el.getAttribute("datetime");
      el.className = "bz-due " + (ms < 0 ? "bz-overdue" : ms < 3600000 ? "bz-soon" : "bz-ok");
    });
  }
  tick();
  setInterval(tick, 30000);
})();
