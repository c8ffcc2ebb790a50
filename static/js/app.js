// Small enhancements on top of pages that work without JavaScript: copy buttons, the byte
// counter, show/hide of passphrases, times in the reader's zone, and focus after htmx swaps.
// No inline script, no eval.
(function () {
  "use strict";

  const encoder = new TextEncoder();

  function updateCounter(textarea, typed) {
    const form = textarea.form;
    const bytes = encoder.encode(textarea.value).length;
    const limit = Number(textarea.dataset.maxBytes);
    const counter = form && form.querySelector("[data-byte-count]");
    // The server's message about the secret speaks of what was posted: once the text changes it is
    // stale, and the live counter says the rest. Until then it is the one warning shown.
    const posted = form && form.querySelector("#" + textarea.id + "-error");
    if (posted && typed) {
      posted.remove();
      textarea.removeAttribute("aria-invalid");
      textarea.setAttribute("aria-describedby", textarea.id + "-hint");
    }
    if (counter) {
      counter.textContent = bytes.toLocaleString("en");
      counter.parentElement.classList.toggle("field-error", bytes > limit && !(posted && !typed));
    }
    // A secret over the plan's size would only come back refused: say so by disabling Create.
    const create = form && form.querySelector("[data-create]");
    if (create) {
      create.disabled = bytes > limit;
    }
    // Generating a password ignores the textarea, so offer it only while the textarea is empty.
    const generate = form && form.querySelector("[data-generate]");
    if (generate) {
      generate.disabled = textarea.value.length > 0;
    }
  }

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  // The server writes times in UTC (the text without JavaScript); show them in the reader's own
  // zone, in the same year-month-day order, with the zone's name, and keep the UTC text as a tooltip.
  function localiseTime(element) {
    if (element.dataset.localised) {
      return;
    }
    const when = new Date(element.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) {
      return;
    }
    const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
      .formatToParts(when)
      .find(function (part) { return part.type === "timeZoneName"; });
    element.title = element.textContent.trim();
    element.textContent = when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate()) + " " +
      pad(when.getHours()) + ":" + pad(when.getMinutes()) + (zone ? " " + zone.value : "");
    element.dataset.localised = "true";
  }

  function enhance(root) {
    root.querySelectorAll("[data-copy], [data-toggle-password]").forEach(function (button) {
      button.hidden = false;
    });
    root.querySelectorAll("time[datetime]").forEach(localiseTime);
    root.querySelectorAll("textarea[data-max-bytes]").forEach(function (textarea) {
      updateCounter(textarea, false);
    });
  }

  async function copy(button) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    try {
      await navigator.clipboard.writeText(source.value);
    } catch (error) {
      source.select();
      document.execCommand("copy");
    }
    button.textContent = "Copied";
    announce("Copied to the clipboard");
    setTimeout(function () { button.textContent = label; }, 2000);
  }

  function announce(text) {
    let region = document.getElementById("announcer");
    if (!region) {
      region = document.createElement("div");
      region.id = "announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  function togglePassword(button) {
    const input = document.getElementById(button.dataset.togglePassword);
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    button.textContent = show ? "Hide" : "Show";
    button.setAttribute("aria-pressed", String(show));
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button");
    if (!button) {
      return;
    }
    if (button.dataset.copy) {
      copy(button);
    } else if (button.dataset.togglePassword) {
      togglePassword(button);
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-max-bytes]")) {
      updateCounter(event.target, true);
    }
  });

  // After htmx swaps new content into main, move focus where a keyboard or screen reader user
  // expects it: the first field with an error, else the new heading. (The tab's title comes from
  // the <title> each partial carries, which htmx applies itself.)
  document.addEventListener("htmx:afterSettle", function (event) {
    const main = document.getElementById("main");
    if (!main) {
      return;
    }
    if (event.target !== main && main.contains(event.target)) {
      // A part of the page was swapped in place (a dashboard entry): the button that was pressed
      // is gone, so focus (and so read out) the words that say what happened instead.
      const news = main.querySelector("[data-announce]");
      if (news) {
        news.removeAttribute("data-announce");
        news.setAttribute("tabindex", "-1");
        news.focus();
      }
      return;
    }
    if (!event.target.contains(main)) {
      return;
    }
    const heading = main.querySelector("h1");
    const invalid = main.querySelector("[aria-invalid='true'], .alert");
    if (invalid) {
      invalid.focus();
    } else if (heading) {
      // A new page in all but name: start at its top, as a full page load would.
      heading.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
  });

  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();
