/* Page behaviour that the templates ask for with data attributes, so that no page needs
   an inline script or event handler (the Content-Security-Policy allows scripts from
   this site's own files only; baozhang/web/csp.py).

   - <select data-autosubmit>: choosing an option submits its form (filters).
   - <form data-confirm="question">: the form is sent only when the question is confirmed.
   - <input type="checkbox" data-select-all="name">: ticks or clears every checkbox
     named `name`. */
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
})();
