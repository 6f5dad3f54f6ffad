/* Show only the settings of the chosen kind; hidden fieldsets are disabled so that the
   browser does not send them. Without script the ?kind= links do the same. */
(function () {
  "use strict";
  var select = document.querySelector("[data-monitor-kind]");
  if (!select) { return; }
  function show() {
    document.querySelectorAll("fieldset[data-kinds]").forEach(function (fs) {
      var on = fs.getAttribute("data-kinds").split(" ").indexOf(select.value) >= 0;
      fs.hidden = !on;
      fs.disabled = !on;
    });
    document.querySelectorAll("[data-kind-link]").forEach(function (a) {
      if (a.getAttribute("data-kind-link") === select.value) { a.setAttribute("aria-current", "page"); }
      else { a.removeAttribute("aria-current"); }
    });
  }
  select.addEventListener("change", show);
})();
