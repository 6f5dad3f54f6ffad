/* Page behaviour that the templates ask for with data attributes, so that no page needs
   an inline script or event handler (the Content-Security-Policy allows scripts from
   this site's own files only; baozhang/web/csp.py).

   - <select data-autosubmit>: choosing an option submits its form (filters).
   - <form data-confirm="question">: the form is sent only when the question is confirmed.
   - <input type="checkbox" data-select-all="name">: ticks or clears every checkbox
     named `name`.
   - The menu's area dropdowns (<details class="dropdown"> in the header): opening one closes
     the others, a click elsewhere closes the open one, and Escape closes it (focus returns
     to its button); Escape also closes the phone menu.
   - A table.bz-table of four columns or more: each cell is labelled with its column's
     heading, so that on a phone every row shows as a card (baozhang.css). Without this script they still open
     and close (Pico's overlay closes them on a click elsewhere; html.bz-js turns it off). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    } else if (el.matches("input[data-select-all]")) {
      var name = el.getAttribute("data-select-all");
      document.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box.name === name) { box.checked = el.checked; }
      });
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.documentElement.classList.add("bz-js");
  // Phones: a list table of four columns or more shows one card per row; each cell gets
  // its column's heading as a label (the stylesheet shows it only on a narrow screen).
  function cardTables(root) {
    root.querySelectorAll("main table.bz-table").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      if (heads.length < 4) { return; }
      var labels = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var label = cell.colSpan > 1 ? "" : (labels[column] || "");
          if (label) { cell.setAttribute("data-label", label); } else { cell.classList.add("bz-no-label"); }
          column += cell.colSpan || 1;
        });
      });
      table.classList.add("bz-cards-table");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { cardTables(document); });
  } else {
    cardTables(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { cardTables(event.target.closest("main") || document); });
  var menuSelector = ".bz-top details";
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".bz-top details.dropdown[open]").forEach(function (open) {
      if (!open.contains(event.target)) { open.open = false; }
    });
  });
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches(".bz-top details.dropdown") || !opened.open) { return; }
    document.querySelectorAll(".bz-top details.dropdown[open]").forEach(function (other) {
      if (other !== opened) { other.open = false; }
    });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = Array.prototype.slice.call(document.querySelectorAll(menuSelector + "[open]"));
    var inner = open.filter(function (d) { return d.matches(".dropdown"); });
    var target = inner.length ? inner[inner.length - 1] : open[open.length - 1];
    if (!target) { return; }
    target.open = false;
    var summary = target.querySelector("summary");
    if (summary) { summary.focus(); }
  });
})();
