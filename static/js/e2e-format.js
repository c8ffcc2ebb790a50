// The end-to-end format, version 1 (docs/e2e-format.md), in the browser: the same bytes as
// onetime/e2e_format.py, every operation by WebCrypto. static/js/e2e.js uses it through
// window.otsE2E; nothing here touches the page. No eval.
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
  const encoder = new TextEncoder();
  const subtle = window.isSecureContext && window.crypto && window.crypto.subtle;

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

  window.otsE2E = Object.freeze({
    available: Boolean(subtle),
    KEY_BYTES: KEY_BYTES,
    PREFIX: PREFIX,
    NONCE_BYTES: NONCE_BYTES,
    SALT_BYTES: SALT_BYTES,
    TAG_BYTES: TAG_BYTES,
    LinkError: LinkError,
    randomBytes: randomBytes,
    makeFragment: makeFragment,
    parseFragment: parseFragment,
    seal: seal,
    open: open,
  });
})();
