// End-to-end encryption in the browser (issue 16). The bytes are those of docs/e2e-format.md, the
// same as onetime/e2e_format.py: AES-256-GCM under a random key that travels only in the link's
// fragment (browsers never send it), with a passphrase mixed in through PBKDF2-SHA256. The server
// receives the ciphertext alone. No inline script, no eval; WebCrypto does every operation.
(function () {
  "use strict";

  const PREFIX = "ots-e2e:v1:";
  const MARKER = 0x10;
  const PASSPHRASE_FLAG = 0x01;
  const KEY_BYTES = 32;
  const CHECK_BYTES = 3;
  const FRAGMENT_LENGTH = 48;
  const NONCE_BYTES = 12;
  const SALT_BYTES = 16;
  const TAG_BYTES = 16;
  const ITERATIONS = 600000;
  const MIN_ITERATIONS = 100000;
  const MAX_ITERATIONS = 10000000;
  const STORE_PREFIX = "ots-e2e-link:";
  const encoder = new TextEncoder();
  const subtle = window.isSecureContext && window.crypto && window.crypto.subtle;

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

  class LinkError extends Error {
    constructor(kind) {
      super(kind);
      this.kind = kind;
    }
  }

  function concat() {
    const parts = Array.from(arguments);
    const out = new Uint8Array(parts.reduce(function (sum, part) { return sum + part.length; }, 0));
    let offset = 0;
    parts.forEach(function (part) {
      out.set(part, offset);
      offset += part.length;
    });
    return out;
  }

  function toBase64url(bytes) {
    let binary = "";
    bytes.forEach(function (byte) { binary += String.fromCharCode(byte); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
      throw new Error("not base64url");
    }
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(binary, function (char) { return char.charCodeAt(0); });
  }

  function randomBytes(count) {
    return window.crypto.getRandomValues(new Uint8Array(count));
  }

  async function check(head) {
    const digest = await subtle.digest("SHA-256", concat(encoder.encode("ots-e2e:v1:check"), head));
    return new Uint8Array(digest).slice(0, CHECK_BYTES);
  }

  function sameBytes(a, b) {
    let difference = a.length ^ b.length;
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      difference |= a[i] ^ b[i];
    }
    return difference === 0;
  }

  async function makeFragment(linkKey) {
    const head = concat(Uint8Array.of(MARKER | (linkKey.passphrase ? PASSPHRASE_FLAG : 0)), linkKey.key);
    return toBase64url(concat(head, await check(head)));
  }

  // Read the key from a link's fragment, telling a missing key from a damaged one before anything
  // is consumed.
  async function parseFragment(hash) {
    const fragment = hash.replace(/^#/, "");
    if (!fragment) {
      throw new LinkError("missing");
    }
    let raw;
    try {
      raw = fromBase64url(fragment);
    } catch (error) {
      throw new LinkError("damaged");
    }
    if (fragment.length !== FRAGMENT_LENGTH || (raw[0] & ~PASSPHRASE_FLAG) !== MARKER) {
      throw new LinkError("damaged");
    }
    const head = raw.slice(0, 1 + KEY_BYTES);
    if (!sameBytes(raw.slice(1 + KEY_BYTES), await check(head))) {
      throw new LinkError("damaged");
    }
    return { key: head.slice(1), passphrase: Boolean(raw[0] & PASSPHRASE_FLAG) };
  }

  async function contentKey(linkKey, header, passphrase) {
    const usage = ["encrypt", "decrypt"];
    const aes = { name: "AES-GCM", length: 256 };
    if (!passphrase) {
      const material = await subtle.importKey("raw", linkKey.key, "HKDF", false, ["deriveKey"]);
      const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("ots-e2e:v1:content") };
      return subtle.deriveKey(params, material, aes, false, usage);
    }
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    const iterations = view.getUint32(1);
    const salt = header.slice(5, 5 + SALT_BYTES);
    const typed = await subtle.importKey("raw", encoder.encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
    const stretched = new Uint8Array(await subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: iterations }, typed, 256));
    const material = await subtle.importKey("raw", concat(linkKey.key, stretched), "HKDF", false, ["deriveKey"]);
    const params = { name: "HKDF", hash: "SHA-256", salt: salt, info: encoder.encode("ots-e2e:v1:content+passphrase") };
    return subtle.deriveKey(params, material, aes, false, usage);
  }

  async function seal(plaintext, linkKey, passphrase) {
    let header = Uint8Array.of(passphrase ? 1 : 0);
    if (passphrase) {
      const count = new Uint8Array(4);
      new DataView(count.buffer).setUint32(0, ITERATIONS);
      header = concat(header, count, randomBytes(SALT_BYTES));
    }
    const nonce = randomBytes(NONCE_BYTES);
    const key = await contentKey(linkKey, header, passphrase);
    const sealed = await subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: concat(encoder.encode(PREFIX), header) },
      key, encoder.encode(plaintext));
    return PREFIX + toBase64url(concat(header, nonce, new Uint8Array(sealed)));
  }

  // Decrypt; any failure (a wrong key or passphrase, a damaged ciphertext) rejects.
  async function open(ciphertext, linkKey, passphrase) {
    if (!ciphertext.startsWith(PREFIX)) {
      throw new Error("not of this format");
    }
    const raw = fromBase64url(ciphertext.slice(PREFIX.length));
    const withPassphrase = raw[0] === 1;
    if (raw[0] > 1 || withPassphrase !== linkKey.passphrase) {
      throw new Error("the key does not belong to this ciphertext");
    }
    const headerLength = withPassphrase ? 1 + 4 + SALT_BYTES : 1;
    if (raw.length < headerLength + NONCE_BYTES + TAG_BYTES) {
      throw new Error("too short");
    }
    const header = raw.slice(0, headerLength);
    if (withPassphrase) {
      const iterations = new DataView(header.buffer).getUint32(1);
      if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new Error("iteration count out of bounds");
      }
    }
    const nonce = raw.slice(headerLength, headerLength + NONCE_BYTES);
    const key = await contentKey(linkKey, header, withPassphrase ? passphrase : null);
    const plain = await subtle.decrypt(
      { name: "AES-GCM", iv: nonce, additionalData: concat(encoder.encode(PREFIX), header) },
      key, raw.slice(headerLength + NONCE_BYTES));
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  }

  function swapMain(html) {
    const main = document.getElementById("main");
    if (window.htmx && typeof window.htmx.swap === "function") {
      window.htmx.swap(main, html, { swapStyle: "innerHTML" });
    } else {
      main.innerHTML = html;
    }
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
    return fetch(url, {
      method: "POST",
      body: fields,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    });
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
    const header = passphrase && passphrase.value ? 1 + 4 + SALT_BYTES : 1;
    const sealed = PREFIX.length + Math.ceil((header + NONCE_BYTES + encoder.encode(textarea.value).length + TAG_BYTES) * 4 / 3);
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
    const linkKey = { key: randomBytes(KEY_BYTES), passphrase: Boolean(passphrase) };
    const ciphertext = await seal(plaintext, linkKey, passphrase);
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
      sessionStorage.setItem(STORE_PREFIX + receiptKey, await makeFragment(linkKey));
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
      linkKey = await parseFragment(window.location.hash);
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
      linkKey = await parseFragment(window.location.hash);  // checked again: the address may have changed
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
      const plaintext = await open(box.dataset.ciphertext, linkKey, passphrase);
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
        state = { linkKey: await parseFragment(window.location.hash), passphrase: null };
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

  function setUp(root) {
    root.querySelectorAll("[data-e2e-mode]:not([data-e2e-ready])").forEach(function (mode) {
      mode.dataset.e2eReady = "";
      setUpCreate(mode);
    });
    root.querySelectorAll("[data-e2e-receipt]:not([data-e2e-ready])").forEach(function (field) {
      field.dataset.e2eReady = "";
      setUpReceipt(field);
    });
    root.querySelectorAll("[data-e2e-forget]").forEach(function (gone) {
      sessionStorage.removeItem(STORE_PREFIX + gone.dataset.e2eForget);  // the secret is gone: so is its key
    });
    root.querySelectorAll("[data-e2e-reveal]:not([data-e2e-ready])").forEach(function (box) {
      box.dataset.e2eReady = "";
      setUpReveal(box);
    });
    root.querySelectorAll("[data-e2e-revealed]:not([data-e2e-ready])").forEach(function (box) {
      box.dataset.e2eReady = "";
      setUpRevealed(box);
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
    if (!box || !box.checked || !subtle || generating || !textarea || isEmailed(form)) {
      return;  // server-side encryption: the form posts as it does without JavaScript
    }
    event.preventDefault();
    event.stopPropagation();
    if (!textarea.value.trim()) {
      showError(form, null, TEXT.blank);  // said here: posting it would send the passphrase along
      return;
    }
    const passphrase = form.querySelector("input[name=passphrase]");
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
