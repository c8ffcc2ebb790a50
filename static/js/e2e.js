// End-to-end encryption in the pages (issue 16): the create form encrypts before it posts, the
// receipt completes the link (and its QR code) in the creating tab only, the reveal page checks the
// key in the fragment before it consumes, then decrypts. The format is static/js/e2e-format.js;
// the server receives the ciphertext alone. No inline script, no eval.
(function () {
  "use strict";

  const format = window.otsE2E;
  const subtle = format && format.available;
  const PREFIX = format ? format.PREFIX : "";
  const STORE_PREFIX = "ots-e2e-link:";
  const encoder = new TextEncoder();

  const TEXT = {
    e2e: "End-to-end: your browser encrypts the secret (with the passphrase, if you type one) before " +
      "sending it. The key is only in the link: this server never sees the secret, the key or the passphrase. " +
      "(A generated password is still made and encrypted on the server.)",
    server: "Encrypted on the server: this server encrypts your secret before storing it.",
    noCrypto: "Encrypted on the server: this browser cannot encrypt here (WebCrypto needs a secure, https " +
      "connection), so this server encrypts your secret before storing it.",
    missing: "This link is missing its key: the part after '#' was cut off. Ask the sender for the whole " +
      "link. Nothing has been revealed or deleted.",
    damaged: "The key at the end of this link (after '#') is damaged: a character is missing or was changed. " +
      "Copy the whole link again, or ask the sender for it. Nothing has been revealed or deleted.",
    cannotDecryptHere: "This browser cannot decrypt here: WebCrypto needs a secure, https connection. " +
      "Nothing has been revealed or deleted.",
    needPassphrase: "Type the passphrase the sender gave you.",
    wrongKey: "The key in this link does not open this secret, so it cannot be shown. The secret was " +
      "deleted from the server when you revealed it: ask the sender to share it again.",
    wrongPassphrase: "The passphrase is wrong, or the key in the link was altered. The secret was deleted " +
      "from the server, but this page still holds its encrypted copy until you leave it: try the passphrase again.",
    unreachable: "The server could not be reached. Nothing was sent: try again.",
    emailed: "Encrypted on the server: a link this server emails must be one it can write whole, so a " +
      "secret sent by email is encrypted by this server.",
    blank: "Type or paste the secret to share, or choose \u201cGenerate a password\u201d.",
    retype: "Type the passphrase again (it is never kept), or untick \u201cProtect the secret with a passphrase\u201d.",
  };
  let endToEndChosen = true;  // kept across the form's redraws in this page

  function swapMain(html) {  // as htmx swaps a partial in (titles, focus, and htmx:load for the new parts)
    window.htmx.swap(document.getElementById("main"), html, { swapStyle: "innerHTML" });
  }

  // Load the receipt into main as htmx does for a server-side secret (HX-Location), or as a page.
  function showReceipt(path) {
    if (!window.htmx) {
      window.location.assign(path);
      return;
    }
    window.htmx.ajax("GET", path, { target: "#main", swap: "innerHTML" }).then(function () {
      history.pushState({ htmx: true }, "", path);
    });
  }

  // Post a form's fields (never its plaintext or passphrase) the way htmx would, so the server
  // answers with a partial or an HX-Location.
  function post(url, fields) {
    return fetch(url, { method: "POST", body: fields, credentials: "same-origin", headers: { "HX-Request": "true" } });
  }

  function showError(container, element, text) {
    let alert = element || container.querySelector("[data-e2e-error]");
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "alert";
      alert.setAttribute("role", "alert");
      alert.setAttribute("tabindex", "-1");
      alert.dataset.e2eError = "";
      container.prepend(alert);
    }
    alert.textContent = text;
    alert.hidden = false;
    alert.focus();
  }

  // ---- the create page ----

  function setUpCreate(mode) {
    const text = mode.querySelector("[data-e2e-mode-text]");
    const choice = mode.querySelector("[data-e2e-choice]");
    const box = choice.querySelector("input");
    if (!subtle) {
      text.textContent = TEXT.noCrypto;
      return;
    }
    choice.hidden = false;
    box.checked = endToEndChosen;
    const form = mode.closest("form");
    const size = mode.querySelector("[data-e2e-size]");
    const describe = function () {
      const emailed = isEmailed(form);
      text.textContent = emailed ? TEXT.emailed : box.checked ? TEXT.e2e : TEXT.server;
      showSealedSize(form, size, box.checked && !emailed);
    };
    box.addEventListener("change", function () {
      endToEndChosen = box.checked;
      describe();
    });
    form.addEventListener("input", describe);
    describe();
  }

  function isEmailed(form) {
    const recipient = form.querySelector("input[name=recipient]");
    return Boolean(recipient && recipient.value.trim());
  }

  // Say what the plan's limit counts: the ciphertext, longer than the text (base64 and a header).
  function showSealedSize(form, size, endToEnd) {
    const textarea = form.querySelector("textarea[name=secret]");
    const passphrase = form.querySelector("input[name=passphrase]");
    size.hidden = !endToEnd || !textarea || !textarea.value;
    if (size.hidden) {
      return;
    }
    const header = passphrase && passphrase.value ? 1 + 4 + format.SALT_BYTES : 1;
    const body = header + format.NONCE_BYTES + encoder.encode(textarea.value).length + format.TAG_BYTES;
    const sealed = PREFIX.length + Math.ceil(body * 4 / 3);
    const limit = Number(textarea.dataset.maxBytes);
    size.textContent = "Encrypted, it takes " + sealed.toLocaleString("en") + " of the " +
      limit.toLocaleString("en") + " bytes allowed.";
    size.classList.toggle("field-error", sealed > limit);
  }

  async function createEndToEnd(form, submitter) {
    const textarea = form.querySelector("textarea[name=secret]");
    const passphraseInput = form.querySelector("input[name=passphrase]");
    const plaintext = textarea.value.replace(/\r\n/g, "\n");
    const passphrase = passphraseInput ? passphraseInput.value : "";
    const linkKey = { key: format.randomBytes(format.KEY_BYTES), passphrase: Boolean(passphrase) };
    const ciphertext = await format.seal(plaintext, linkKey, passphrase);
    const limit = Number(textarea.dataset.maxBytes);
    if (ciphertext.length > limit) {
      showError(form, null, "Encrypted, this secret takes " + ciphertext.length.toLocaleString("en") +
        " bytes, over the limit of " + limit.toLocaleString("en") + ": shorten it, or untick \u201cEncrypt in my browser\u201d.");
      return;
    }
    const fields = new URLSearchParams(new FormData(form));
    ["secret", "passphrase", "keep_passphrase"].forEach(function (name) { fields.delete(name); });
    fields.set("secret", ciphertext);
    fields.set("e2e", "v1");
    if (submitter) {
      submitter.disabled = true;
    }
    let response;
    try {
      response = await post(form.action, fields);
    } catch (error) {
      if (submitter) {
        submitter.disabled = false;
      }
      showError(form, null, TEXT.unreachable);
      return;
    }
    const location = response.headers.get("HX-Location");
    if (response.ok && location) {
      const path = JSON.parse(location).path;
      const receiptKey = path.split("/").pop();
      sessionStorage.setItem(STORE_PREFIX + receiptKey, await format.makeFragment(linkKey));
      showReceipt(path);
      return;
    }
    // The form came back with a message: draw it, with what was typed put back (never sent).
    swapMain(await response.text());
    const again = document.querySelector("#main textarea[name=secret]");
    if (again) {
      again.value = plaintext;
      again.dispatchEvent(new Event("input", { bubbles: true }));
    }
    const passphraseAgain = document.querySelector("#main input[name=passphrase]");
    if (passphraseAgain) {
      passphraseAgain.value = passphrase;
    }
  }

  // ---- the receipt page ----

  function drawQr(figure, link) {
    const code = window.qrcode(0, "M");
    code.addData(link, "Byte");
    code.make();
    const count = code.getModuleCount();
    const size = count + 8;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("class", "qr-code");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "QR code of the share link");
    svg.setAttribute("shape-rendering", "crispEdges");
    const background = document.createElementNS(ns, "rect");
    background.setAttribute("width", String(size));
    background.setAttribute("height", String(size));
    background.setAttribute("fill", "#ffffff");
    svg.appendChild(background);
    let d = "";
    for (let row = 0; row < count; row += 1) {
      for (let col = 0; col < count; col += 1) {
        if (code.isDark(row, col)) {
          d += "M" + (col + 4) + " " + (row + 4) + "h1v1h-1z";
        }
      }
    }
    const modules = document.createElementNS(ns, "path");
    modules.setAttribute("d", d);
    modules.setAttribute("fill", "#000000");
    svg.appendChild(modules);
    figure.prepend(svg);
    figure.hidden = false;
  }

  // The QR code library is needed only here, so it is loaded here (same origin, pinned by its hash).
  function loadQrLibrary(figure) {
    if (window.qrcode) {
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = figure.dataset.script;
      script.integrity = figure.dataset.integrity;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function setUpReceipt(field) {
    const fragment = sessionStorage.getItem(STORE_PREFIX + field.dataset.e2eReceipt);
    if (!fragment) {
      return;  // another tab or browser: the notice already says the link is not available here
    }
    const link = field.dataset.e2eLink + "#" + fragment;
    document.getElementById("share-link").value = link;
    field.querySelectorAll("[data-e2e-complete]").forEach(function (part) { part.hidden = false; });
    field.querySelector("[data-e2e-missing]").hidden = true;
    const figure = document.querySelector("[data-e2e-qr]");
    if (figure) {
      loadQrLibrary(figure).then(function () { drawQr(figure, link); });
    }
  }

  // ---- the reveal page ----

  let pending = null;  // the key and passphrase of the reveal in flight, for the page that answers it

  async function setUpReveal(box) {
    box.querySelector("[data-e2e-needs-script]").hidden = true;
    const linkError = box.querySelector("[data-e2e-link-error]");
    if (!subtle) {
      showError(box, linkError, TEXT.cannotDecryptHere);
      return;
    }
    let linkKey;
    try {
      linkKey = await format.parseFragment(window.location.hash);
    } catch (error) {
      showError(box, linkError, error.kind === "missing" ? TEXT.missing : TEXT.damaged);
      return;
    }
    box.querySelector("[data-e2e-reveal-form]").hidden = false;
    box.querySelector("[data-e2e-passphrase]").hidden = !linkKey.passphrase;
  }

  async function revealEndToEnd(form) {
    const box = form.closest("[data-e2e-reveal]");
    const linkError = box.querySelector("[data-e2e-link-error]");
    let linkKey;
    try {
      linkKey = await format.parseFragment(window.location.hash);  // checked again: the address may have changed
    } catch (error) {
      form.hidden = true;
      showError(box, linkError, error.kind === "missing" ? TEXT.missing : TEXT.damaged);
      return;
    }
    const passphrase = linkKey.passphrase ? document.getElementById("e2e-passphrase").value : null;
    if (linkKey.passphrase && !passphrase) {
      showError(box, linkError, TEXT.needPassphrase);
      return;
    }
    const fields = new URLSearchParams(new FormData(form));
    fields.set("e2e", "v1");
    let response;
    try {
      response = await post(form.action, fields);
    } catch (error) {
      showError(box, linkError, TEXT.unreachable);
      return;
    }
    pending = { linkKey: linkKey, passphrase: passphrase };
    swapMain(await response.text());
  }

  // ---- the revealed page ----

  async function decryptRevealed(box, linkKey, passphrase) {
    const status = box.querySelector("[data-e2e-status]");
    const retry = box.querySelector("[data-e2e-retry]");
    try {
      const plaintext = await format.open(box.dataset.ciphertext, linkKey, passphrase);
      const textarea = document.getElementById("secret-value");
      textarea.value = plaintext;
      textarea.rows = Math.min(Math.max(plaintext.split("\n").length, 3), 20);
      box.removeAttribute("data-ciphertext");
      status.hidden = true;
      retry.hidden = true;
      box.querySelector("[data-e2e-plaintext]").hidden = false;
      // The key has done its work: keep it out of the address bar and the history.
      history.replaceState(history.state, "", window.location.pathname);
    } catch (error) {
      status.textContent = linkKey.passphrase ? TEXT.wrongPassphrase : TEXT.wrongKey;
      status.className = "alert";
      retry.hidden = !linkKey.passphrase;
      status.focus();
    }
  }

  async function setUpRevealed(box) {
    const status = box.querySelector("[data-e2e-status]");
    let state = pending;
    pending = null;
    if (!state) {
      try {
        state = { linkKey: await format.parseFragment(window.location.hash), passphrase: null };
      } catch (error) {
        status.textContent = error.kind === "missing" ? TEXT.missing : TEXT.damaged;
        return;
      }
    }
    status.textContent = "Decrypting in your browser\u2026";
    const linkKey = state.linkKey;
    box.querySelector("[data-e2e-retry]").addEventListener("submit", function (event) {
      event.preventDefault();
      decryptRevealed(box, linkKey, document.getElementById("e2e-passphrase").value);
    });
    await decryptRevealed(box, linkKey, state.passphrase);
  }

  // Each part of a page, set up once however often htmx swaps it in.
  const PARTS = [
    ["[data-e2e-mode]", setUpCreate],
    ["[data-e2e-receipt]", setUpReceipt],
    ["[data-e2e-reveal]", setUpReveal],
    ["[data-e2e-revealed]", setUpRevealed],
  ];

  function setUp(root) {
    PARTS.forEach(function (part) {
      root.querySelectorAll(part[0] + ":not([data-e2e-ready])").forEach(function (element) {
        element.dataset.e2eReady = "";
        part[1](element);
      });
    });
    root.querySelectorAll("[data-e2e-forget]").forEach(function (gone) {
      sessionStorage.removeItem(STORE_PREFIX + gone.dataset.e2eForget);  // the secret is gone: so is its key
    });
  }

  // Capture, so these forms never reach htmx's own submit handler with their plaintext.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.matches("[data-e2e-reveal-form]")) {
      event.preventDefault();
      event.stopPropagation();
      revealEndToEnd(form);
      return;
    }
    const box = form.querySelector("[data-e2e-mode] input#end-to-end");
    const submitter = event.submitter;
    const generating = submitter && submitter.hasAttribute("data-generate");
    const textarea = form.querySelector("textarea[name=secret]");
    const passphrase = form.querySelector("input[name=passphrase]");
    const typed = passphrase && passphrase.value;
    if (!box || !box.checked || !subtle || generating || !textarea || isEmailed(form) ||
        (!textarea.value.trim() && !typed)) {
      return;  // server-side encryption, or nothing typed: the form posts as it does without JavaScript
    }
    event.preventDefault();
    event.stopPropagation();
    if (!textarea.value.trim()) {
      showError(form, null, TEXT.blank);  // said here: posting it would send the passphrase along
      return;
    }
    if (form.querySelector("input[name=keep_passphrase]:checked") && passphrase && !passphrase.value) {
      showError(form, null, TEXT.retype);  // as the server would say, without sending the text to it
      return;
    }
    createEndToEnd(form, submitter);
  }, true);

  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
