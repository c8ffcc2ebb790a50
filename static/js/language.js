// The language picker (templates/partials/_language_picker.html): a form that works without
// JavaScript; here it submits as soon as a language is chosen. On a page that shows something only
// once (a revealed secret, a generated password, a new API token), reloading it loses that, so
// the reader is asked first. No inline script, no eval.
(function () {
  "use strict";

  function setUp(form) {
    const select = form.querySelector("select[name=lang]");
    const button = form.querySelector("[data-language-submit]");
    const next = form.querySelector("input[name=next]");
    if (!select) {
      return;
    }
    let chosen = select.value;
    if (button) {
      button.hidden = true;
    }
    select.addEventListener("change", function () {
      const once = document.querySelector("#main [data-once]");
      if (once && !window.confirm(form.dataset.confirm)) {
        select.value = chosen;
        return;
      }
      chosen = select.value;
      // After htmx swaps the address may have changed: come back to the page shown now, unless
      // it was drawn by a POST (a form's answer), which a GET cannot draw again.
      if (next && !once) {
        next.value = window.location.pathname + window.location.search;
      }
      form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-language-picker]").forEach(setUp);
  });
})();
