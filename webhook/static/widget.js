/*
 * Baton chat widget: one file, no build step, no dependencies.
 *
 * Embed:  <script src="https://baton.example/widget.js" data-store-name="Pixel & Press"
 *                 data-accent="#5b47e0" defer></script>
 *
 * data-store-name  shown in the panel header (default: "Support")
 * data-accent      any CSS colour for the launcher, header and the shopper's bubbles
 * data-api-base    where the Baton API lives (default: the origin this script was loaded from)
 *
 * Wire contract (README "Widget API"): POST /api/v1/conversations → {id, token, number};
 * POST …/<id>/messages {text, client_id} → 202 {entry_id}; GET …/<id> → {state, entries};
 * GET …/<id>/events → SSE. Every call but create sends "Authorization: Bearer <token>", so the
 * stream is read with fetch() (EventSource cannot send headers) and the token never enters a URL.
 * A team member's edit or deletion in Slack arrives as an entry {type: "edit" | "delete", target}
 * naming the reply it revises; history sends revised replies as they read now ({edited: true} or
 * {deleted: true} with no text).
 *
 * Safety: shopper text is only ever set with textContent. AI and agent replies arrive as HTML that
 * the server already sanitised; we sanitise again here (allow-list, inert <template> parsing) so a
 * server bug can never run script in a shopper's browser.
 */
(function () {
  "use strict";

  if (window.__batonWidget) return; // loaded twice: keep the first
  window.__batonWidget = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  var data = (script && script.dataset) || {};
  var scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var API_BASE = (data.apiBase || scriptOrigin).replace(/\/+$/, "");
  // The stylesheet of the same version as this script (the ?v= of a versioned embed is kept).
  var CSS_URL = script && script.src ? new URL("widget.css" + new URL(script.src, location.href).search, script.src).href : API_BASE + "/widget.css";
  var STORE = (data.storeName || "Support").slice(0, 60);
  var ACCENT = data.accent && window.CSS && CSS.supports("color", data.accent) ? data.accent : "";

  var MAX_CHARS = 4000;
  var COUNTER_FROM = 3500;
  var KEEP_DAYS = 7; // a stored conversation older than this starts afresh
  var KEY = "baton:" + API_BASE;
  var CONVERSATIONS = API_BASE + "/api/v1/conversations";

  // ---------------------------------------------------------------- storage

  function load(name) {
    try {
      return JSON.parse(localStorage.getItem(KEY + ":" + name) || "null");
    } catch (e) {
      return null;
    }
  }

  function save(name, value) {
    try {
      if (value === null) localStorage.removeItem(KEY + ":" + name);
      else localStorage.setItem(KEY + ":" + name, JSON.stringify(value));
    } catch (e) {
      /* private mode or full: the chat still works for this page view */
    }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ---------------------------------------------------------------- state

  var conv = load("conversation"); // {id, token, number, saved}
  if (conv && (!conv.id || !conv.token || Date.now() - (conv.saved || 0) > KEEP_DAYS * 864e5)) {
    conv = null;
    save("conversation", null);
    save("outbox", null);
  }
  var outbox = load("outbox") || []; // [{client_id, text}] not yet acknowledged by the server
  var state = "ai";
  var agentName = "";
  var lastEntryId = null;
  var lastRole = ""; // role of the newest entry: the AI only "types" in answer to the shopper
  var rendered = {}; // entry id → element
  var isOpen = false;
  var unread = 0;
  var seenId = load("seen"); // the newest entry the shopper has had on screen (unread badge)
  var stream = null; // AbortController of the live stream
  var streamAttempt = 0;
  var streamRetryMs = 1000;
  var typingTimer = null;
  var flushing = false;
  var flushTimer = null;
  var creating = null; // the pending create promise

  // ---------------------------------------------------------------- DOM

  function el(tag, cls, text, attrs) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    return node;
  }

  function add(parent) {
    for (var k = 1; k < arguments.length; k++) parent.appendChild(arguments[k]);
    return parent;
  }

  function iconButton(cls, label, type, path) {
    var button = el("button", cls, null, { type: type, "aria-label": label });
    button.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="' + path + '"/></svg>';
    return button;
  }

  var host = el("div");
  host.id = "baton-widget";
  host.setAttribute("data-baton", "");
  host.style.display = "none"; // until the stylesheet has loaded: no flash of raw markup
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (ACCENT) host.style.setProperty("--baton-accent", ACCENT);

  var link = el("link");
  link.rel = "stylesheet";
  link.href = CSS_URL;
  link.onload = link.onerror = function () { host.style.display = ""; };
  root.appendChild(link);

  var wrap = el("div", "bw");
  root.appendChild(wrap);

  var launcher = el("button", "bw-launcher", null, {
    type: "button", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": "bw-panel",
    "aria-label": "Open chat with " + STORE,
  });
  launcher.innerHTML =
    '<svg class="bw-icon-chat" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z"/></svg>' +
    '<svg class="bw-icon-close" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>';
  var badge = el("span", "bw-badge", null, { "aria-hidden": "true" });
  badge.hidden = true;
  launcher.appendChild(badge);

  var panel = el("section", "bw-panel", null, { id: "bw-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "bw-title" });
  panel.hidden = true;

  var header = el("header", "bw-header");
  var avatar = el("div", "bw-avatar", STORE.trim().charAt(0).toUpperCase(), { "aria-hidden": "true" });
  var heading = el("div", "bw-heading");
  var title = el("h2", "bw-title", STORE, { id: "bw-title" });
  var subtitle = el("p", "bw-subtitle");
  var dot = el("span", "bw-dot", null, { "aria-hidden": "true" });
  var subtitleText = el("span", "bw-subtitle-text");
  add(subtitle, dot, subtitleText);
  add(heading, title, subtitle);
  var closeBtn = iconButton("bw-close", "Close chat", "button", "M6 9l6 6 6-6");
  add(header, avatar, heading, closeBtn);

  var logBox = el("div", "bw-log", null, { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0" });

  var welcome = add(el("div", "bw-welcome"),
    el("p", "bw-welcome-title", "Hi there! How can we help?"),
    el("p", "bw-welcome-text", "Ask about downloads, licenses, refunds or your account. Our AI assistant answers right away, " +
      "and a person from the " + STORE + " team can take over whenever you need one."));
  logBox.appendChild(welcome);

  var typing = add(el("div", "bw-typing", null, { role: "status" }),
    el("span", "bw-visually-hidden", "The AI assistant is typing"),
    el("span", "bw-typing-dot", null, { "aria-hidden": "true" }),
    el("span", "bw-typing-dot", null, { "aria-hidden": "true" }),
    el("span", "bw-typing-dot", null, { "aria-hidden": "true" }));
  typing.hidden = true;

  var form = el("form", "bw-form");
  form.noValidate = true;
  var about = el("details", "bw-about");
  var nameInput = el("input", "bw-input", null, {
    type: "text", autocomplete: "name", maxlength: "80", placeholder: "Your name", "aria-label": "Your name (optional)",
  });
  var emailInput = el("input", "bw-input", null, {
    type: "email", autocomplete: "email", maxlength: "254", placeholder: "Email, so we can follow up", "aria-label": "Your email (optional)",
  });
  add(about, el("summary", null, "Add your name and email (optional)"), add(el("div", "bw-about-fields"), nameInput, emailInput));

  var errorBox = el("p", "bw-error", null, { role: "alert" });
  errorBox.hidden = true;

  var composer = el("div", "bw-composer");
  var input = el("textarea", "bw-textarea", null, { rows: "1", placeholder: "Write a message…", "aria-label": "Message", id: "bw-message" });
  var counter = el("span", "bw-counter", null, { "aria-live": "polite" });
  counter.hidden = true;
  var sendBtn = iconButton("bw-send", "Send message", "submit", "M4 12l16-8-6 16-2.5-6.5z");
  add(composer, input, sendBtn);
  add(form, about, errorBox, composer, counter);

  var footer = el("p", "bw-footer", "AI answers can be wrong. Ask for a person at any time.");

  add(panel, header, logBox, form, footer);
  add(wrap, panel, launcher);

  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  // ---------------------------------------------------------------- open / close

  function open() {
    if (isOpen) return;
    isOpen = true;
    panel.hidden = false;
    wrap.classList.add("bw-open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", "Close chat");
    setUnread(0);
    markSeen();
    scrollDown(true);
    setTimeout(function () { input.focus(); }, 30);
    if (conv && !stream) connect();
  }

  function close() {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    wrap.classList.remove("bw-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", "Open chat with " + STORE);
    launcher.focus();
  }

  launcher.addEventListener("click", function () { isOpen ? close() : open(); });
  closeBtn.addEventListener("click", close);
  root.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && isOpen) {
      ev.stopPropagation();
      close();
    }
  });

  function setUnread(n) {
    unread = n;
    badge.hidden = n === 0;
    badge.textContent = n > 9 ? "9+" : String(n);
    launcher.setAttribute("aria-label", isOpen ? "Close chat" : "Open chat with " + STORE + (n ? " (" + n + " new)" : ""));
  }

  // ---------------------------------------------------------------- header state

  var SUBTITLES = {
    ai: "AI assistant · answers right away",
    waiting: "Waiting for a person…",
    human: "",
    closed: "Conversation closed · write to reopen",
  };

  function setState(next) {
    if (!SUBTITLES.hasOwnProperty(next)) return;
    state = next;
    wrap.setAttribute("data-state", state);
    subtitleText.textContent = state === "human"
      ? "Chatting with " + (agentName || "our team")
      : SUBTITLES[state];
    if (state !== "ai") hideTyping();
  }
  setState("ai");

  // ---------------------------------------------------------------- rendering

  var ALLOWED = { P: 1, BR: 1, A: 1, STRONG: 1, EM: 1, B: 1, I: 1, CODE: 1, PRE: 1, UL: 1, OL: 1, LI: 1, BLOCKQUOTE: 1, H3: 1, H4: 1, HR: 1 };
  var DROP = { SCRIPT: 1, STYLE: 1, IFRAME: 1, OBJECT: 1, EMBED: 1, LINK: 1, META: 1, BASE: 1, FORM: 1, INPUT: 1,
    BUTTON: 1, TEXTAREA: 1, SELECT: 1, TEMPLATE: 1, SVG: 1, MATH: 1, IMG: 1, VIDEO: 1, AUDIO: 1, SOURCE: 1, FRAME: 1, FRAMESET: 1, NOSCRIPT: 1 };

  function safeUrl(url) {
    if (!url || !String(url).trim()) return ""; // "" would resolve to this very page
    try {
      var u = new URL(url, location.href);
      return /^(https?:|mailto:)$/.test(u.protocol) ? u.href : "";
    } catch (e) {
      return "";
    }
  }

  /* Parse into an inert <template> (no script runs, nothing loads), keep only allow-listed tags and
     attributes, and return a fragment that is safe to insert. Unknown tags keep their text. */
  function sanitize(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = String(html || "");
    (function clean(parent) {
      var child = parent.firstChild;
      while (child) {
        var next = child.nextSibling;
        if (child.nodeType === 1) {
          var tag = child.nodeName.toUpperCase();
          if (DROP[tag] || !(ALLOWED[tag] || child.childNodes.length)) {
            parent.removeChild(child);
          } else if (!ALLOWED[tag]) {
            clean(child);
            while (child.firstChild) parent.insertBefore(child.firstChild, child);
            parent.removeChild(child);
          } else {
            for (var i = child.attributes.length - 1; i >= 0; i--) {
              var name = child.attributes[i].name.toLowerCase();
              if (!(tag === "A" && (name === "href" || name === "title"))) child.removeAttribute(child.attributes[i].name);
            }
            if (tag === "A") {
              var href = safeUrl(child.getAttribute("href") || "");
              if (href) child.setAttribute("href", href);
              else child.removeAttribute("href");
              child.setAttribute("target", "_blank");
              child.setAttribute("rel", "noopener noreferrer nofollow");
            }
            clean(child);
          }
        } else if (child.nodeType !== 3) {
          parent.removeChild(child); // comments, processing instructions
        }
        child = next;
      }
    })(tpl.content);
    return document.importNode(tpl.content, true);
  }

  function timeLabel(at) {
    var d = at ? new Date(at) : new Date();
    if (isNaN(d)) return "";
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function initials(name) {
    var parts = String(name || "?").trim().split(/\s+/);
    return ((parts[0] || "?").charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : "")).toUpperCase();
  }

  function nearBottom() {
    return logBox.scrollHeight - logBox.scrollTop - logBox.clientHeight < 80;
  }

  function scrollDown(force) {
    if (force || nearBottom()) {
      requestAnimationFrame(function () { logBox.scrollTop = logBox.scrollHeight; });
    }
  }

  function append(node) {
    var stick = nearBottom();
    if (typing.parentNode === logBox) logBox.insertBefore(node, typing);
    else logBox.appendChild(node);
    scrollDown(stick);
  }

  function customerBubble(text) {
    var row = el("div", "bw-row bw-row-customer");
    var bubble = el("div", "bw-bubble bw-bubble-customer");
    bubble.appendChild(el("div", "bw-text", text)); // textContent: shopper text is never HTML
    var meta = el("div", "bw-meta");
    row.appendChild(bubble);
    row.appendChild(meta);
    return row;
  }

  function setMeta(row, text, cls) {
    var meta = row.querySelector(".bw-meta");
    meta.textContent = text;
    meta.className = "bw-meta" + (cls ? " " + cls : "");
  }

  function replyRow(entry) {
    var isAgent = entry.role === "agent";
    var name = (entry.author && entry.author.name) || "";
    var row = el("div", "bw-row bw-row-reply bw-row-" + (isAgent ? "agent" : "ai"));
    var pic;
    var avatarUrl = isAgent && entry.author && safeUrl(entry.author.avatar_url || "");
    if (avatarUrl && /^https?:/.test(avatarUrl)) {
      pic = el("img", "bw-pic");
      pic.alt = "";
      pic.referrerPolicy = "no-referrer";
      pic.src = avatarUrl;
    } else {
      pic = el("div", "bw-pic", isAgent ? initials(name) : "AI");
    }
    pic.setAttribute("aria-hidden", "true");
    var body = el("div", "bw-reply-body");
    var label = el("div", "bw-author");
    if (isAgent) {
      label.appendChild(el("strong", null, name || "Team member"));
      label.appendChild(document.createTextNode(" · " + STORE + " team"));
    } else {
      label.appendChild(el("strong", null, "AI assistant"));
    }
    var bubble = el("div", "bw-bubble bw-bubble-" + (isAgent ? "agent" : "ai"));
    if (entry.file && entry.file.id) {
      bubble.appendChild(fileBlock(entry.file));
    } else {
      var content = el("div", "bw-text bw-rich");
      if (entry.html) content.appendChild(sanitize(entry.html));
      else content.textContent = entry.text || "";
      bubble.appendChild(content);
    }
    var sources = (entry.sources || []).filter(function (s) { return s && (s.title || s.url); });
    if (sources.length) {
      var list = el("div", "bw-sources");
      list.appendChild(el("span", "bw-sources-label", sources.length > 1 ? "Sources:" : "Source:"));
      sources.slice(0, 4).forEach(function (s) {
        var href = safeUrl(s.url || "");
        var a = el(href ? "a" : "span", "bw-source", s.title || s.url);
        if (href) {
          a.href = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
        }
        list.appendChild(a);
      });
      bubble.appendChild(list);
    }
    body.appendChild(label);
    body.appendChild(bubble);
    body.appendChild(el("div", "bw-meta", timeLabel(entry.at)));
    row.appendChild(pic);
    row.appendChild(body);
    if (entry.deleted) showVersion(row, "delete", entry);
    else if (entry.edited) showVersion(row, "edit", entry);
    return row;
  }

  /* A file the team sent from Slack. It is fetched with the conversation's token (never put in a
     URL), so images are shown from a blob: URL and other files download when clicked. */
  var IMAGE_TYPES = { "image/png": 1, "image/jpeg": 1, "image/gif": 1, "image/webp": 1 };
  function fileBlob(file) {
    return fetch(CONVERSATIONS + "/" + encodeURIComponent(conv.id) + "/files/" + encodeURIComponent(file.id), {
      headers: { Authorization: "Bearer " + conv.token }, credentials: "omit", cache: "no-store",
    }).then(function (resp) {
      if (!resp.ok) throw new Error("file " + resp.status);
      return resp.blob();
    });
  }
  function fileBlock(file) {
    var size = file.size >= 1048576 ? (file.size / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round((file.size || 0) / 1024)) + " KB";
    var box = el("div", "bw-file");
    var button = el("button", "bw-file-link", "\uD83D\uDCCE " + (file.name || "file") + " (" + size + ")", { type: "button" });
    button.addEventListener("click", function () {
      fileBlob(file).then(function (blob) {
        var a = el("a", null, null, { download: file.name || "file" });
        a.href = URL.createObjectURL(blob);
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
      }, function () { button.textContent = (file.name || "file") + " could not be downloaded."; });
    });
    if (IMAGE_TYPES[file.mimetype] && conv) {
      var img = el("img", "bw-file-image", null, { alt: file.name || "image" });
      fileBlob(file).then(function (blob) { img.src = URL.createObjectURL(blob); }, function () { img.parentNode && img.parentNode.removeChild(img); });
      box.appendChild(img);
    }
    box.appendChild(button);
    return box;
  }

  /* A team member edited or deleted a reply in Slack. An edit replaces the reply's text and adds an
     "edited" label; a deleted reply keeps its place (so what the shopper wrote after it still reads
     in context) but says "This message was removed." and shows none of its text. Removed stays removed. */
  function showVersion(row, kind, entry) {
    if (!row || row.classList.contains("bw-removed")) return;
    var content = row.querySelector(".bw-bubble .bw-text");
    var meta = row.querySelector(".bw-meta");
    if (!content || !meta) return;
    while (content.firstChild) content.removeChild(content.firstChild);
    var label = meta.querySelector(".bw-edited");
    if (kind === "delete") {
      row.classList.add("bw-removed");
      content.appendChild(el("p", "bw-removed-text", "This message was removed."));
      var sources = row.querySelector(".bw-sources");
      if (sources) sources.parentNode.removeChild(sources);
      if (label) meta.removeChild(label);
      return;
    }
    if (entry.html) content.appendChild(sanitize(entry.html));
    else content.textContent = entry.text || "";
    if (!label) meta.appendChild(el("span", "bw-edited", "edited"));
  }

  /* An "edit" or "delete" entry names the reply it revises (``target``). A reply we do not show
     (never loaded, or not a reply) is left alone; an older revision never undoes a newer one. */
  function applyRevision(entry) {
    var row = rendered[entry.target];
    if (!row || row.getAttribute("data-role") !== "agent") return;
    var seen = row.getAttribute("data-revision");
    if (seen && !idAfter(entry.id, seen)) return;
    row.setAttribute("data-revision", entry.id);
    showVersion(row, entry.type, entry);
  }

  function noticeRow(entry) {
    var row = el("div", "bw-notice");
    row.appendChild(el("span", null, entry.text || ""));
    return row;
  }

  function hasText(entry) {
    return entry.text || entry.html;
  }

  /* One entry from history or the stream. Idempotent: an entry already shown is skipped. */
  function renderEntry(entry) {
    if (!entry || !entry.id) return;
    var revision = entry.type === "edit" || entry.type === "delete";
    if (idAfter(entry.id, lastEntryId)) {
      lastEntryId = entry.id;
      if (!revision) lastRole = entry.role || "";
    }
    if (revision) return applyRevision(entry);
    if (rendered[entry.id]) return;
    var node;
    if (entry.role === "customer") {
      node = adoptPending(entry);
      if (node) {
        rendered[entry.id] = node;
        return;
      }
      node = customerBubble(entry.text || "");
      setMeta(node, timeLabel(entry.at));
    } else if (entry.type === "event" || entry.role === "system") {
      if (!hasText(entry)) return;
      if (entry.author && entry.author.name) agentName = entry.author.name;
      hideTyping();
      node = noticeRow(entry);
      if (state === "human") setState("human"); // refresh the name shown
    } else if (entry.role === "ai" || entry.role === "agent") {
      if (!hasText(entry) && !entry.deleted) return;
      if (entry.role === "agent" && entry.author && entry.author.name) {
        agentName = entry.author.name;
        if (state === "human") setState("human");
      }
      hideTyping();
      node = replyRow(entry);
      if (!isOpen && idAfter(entry.id, seenId)) setUnread(unread + 1);
    } else {
      return;
    }
    node.setAttribute("data-entry-id", entry.id);
    node.setAttribute("data-role", entry.role || "");
    rendered[entry.id] = node;
    append(node);
    if (isOpen) markSeen();
  }

  function markSeen() {
    if (lastEntryId && idAfter(lastEntryId, seenId)) {
      seenId = lastEntryId;
      save("seen", seenId);
    }
  }

  /* Entry ids are Redis stream ids ("1700000000000-3"): compare both parts as numbers, since string
     order is wrong once the sequence part grows a digit. */
  function idAfter(a, b) {
    if (!b) return true;
    var pa = String(a).split("-"), pb = String(b).split("-");
    var ta = Number(pa[0]), tb = Number(pb[0]);
    return ta !== tb ? ta > tb : Number(pa[1] || 0) > Number(pb[1] || 0);
  }

  // ---------------------------------------------------------------- typing indicator

  /* ``afterSend``: we just sent a message the stream may not have echoed yet. A late "typing"
     signal that arrives after the answer itself is ignored: the newest entry is then the AI's. */
  function showTyping(afterSend) {
    if (state !== "ai" || (!afterSend && lastRole !== "customer")) return;
    if (typing.parentNode !== logBox) logBox.appendChild(typing);
    typing.hidden = false;
    scrollDown(false);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 45000); // never spin forever
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  // ---------------------------------------------------------------- errors

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function errorMessage(status, body, retryAfter) {
    var server = body && body.error && body.error.message;
    var seconds = Number(retryAfter);
    if (status === 413) return server || "That message is too long. Please shorten it to " + MAX_CHARS.toLocaleString() + " characters.";
    if (status === 429) {
      return "You're sending messages too quickly. " + (seconds > 0 && seconds < 3600
        ? "Please wait " + Math.ceil(seconds) + " seconds, then send it again."
        : "Please wait a moment, then send it again.");
    }
    if (status === 422 || status === 400) return server || "That message couldn't be sent. Please check it and try again.";
    return "Something went wrong on our side. Please try again in a moment.";
  }

  // ---------------------------------------------------------------- HTTP

  function api(method, path, payload, token) {
    var headers = { Accept: "application/json" };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(CONVERSATIONS + path, {
      method: method,
      headers: headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
      credentials: "omit",
      cache: "no-store",
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        return { status: resp.status, ok: resp.ok, body: body, retryAfter: resp.headers.get("Retry-After") };
      });
    });
  }

  /* A network failure rejects; an HTTP error resolves with {status, body}. */
  function ensureConversation() {
    if (conv) return Promise.resolve({ ok: true });
    if (creating) return creating;
    var customer = {};
    if (nameInput.value.trim()) customer.name = nameInput.value.trim();
    if (emailInput.value.trim()) customer.email = emailInput.value.trim();
    creating = api("POST", "", { customer: customer, page_url: location.href.slice(0, 2000) })
      .then(function (res) {
        creating = null;
        if (res.status === 201 && res.body && res.body.id && res.body.token) {
          conv = { id: res.body.id, token: res.body.token, number: res.body.number, saved: Date.now() };
          save("conversation", conv);
          about.hidden = true;
          if (conv.number) showNumber();
          connect();
          return { ok: true };
        }
        return res;
      }, function (err) {
        creating = null;
        throw err;
      });
    return creating;
  }

  function showNumber() {
    if (!conv || !conv.number) return;
    var row = logBox.querySelector(".bw-number") || logBox.insertBefore(el("div", "bw-number"), welcome.nextSibling);
    row.textContent = "Conversation #" + conv.number;
  }

  function forgetConversation() {
    conv = null;
    save("conversation", null);
    save("seen", null);
    seenId = null;
    if (stream) stream.abort();
    stream = null;
  }

  // ---------------------------------------------------------------- sending (outbox)

  var pendingRows = {}; // client_id → row

  function saveOutbox() {
    save("outbox", outbox.length ? outbox : null);
  }

  function queueMessage(text) {
    var item = { client_id: uuid(), text: text };
    outbox.push(item);
    saveOutbox();
    showPending(item);
    flush();
  }

  function showPending(item) {
    var row = customerBubble(item.text);
    row.classList.add("bw-pending");
    row.setAttribute("data-client-id", item.client_id);
    setMeta(row, "Sending…");
    pendingRows[item.client_id] = row;
    append(row);
    scrollDown(true);
  }

  /* A customer entry from the server that we already show as pending (sent from this page). */
  function adoptPending(entry) {
    for (var i = 0; i < outbox.length; i++) {
      var row = pendingRows[outbox[i].client_id];
      if (row && !row.getAttribute("data-entry-id") && outbox[i].text.trim() === String(entry.text || "").trim()) {
        markSent(row, entry.id, entry.at);
        return row;
      }
    }
    var rows = logBox.querySelectorAll(".bw-pending-acked");
    for (var j = 0; j < rows.length; j++) {
      if (rows[j].getAttribute("data-entry-id") === entry.id) return rows[j];
    }
    return null;
  }

  function markSent(row, entryId, at) {
    row.classList.remove("bw-pending", "bw-failed");
    row.classList.add("bw-pending-acked");
    row.setAttribute("data-entry-id", entryId);
    setMeta(row, timeLabel(at));
  }

  function flushLater(ms) {
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, ms);
  }

  var sendBackoff = 1000;

  function flush() {
    if (flushing || !outbox.length) return;
    flushing = true;
    var item = outbox[0];
    var row = pendingRows[item.client_id];

    function done() {
      flushing = false;
      if (outbox.length) flush();
    }

    function networkTrouble() {
      flushing = false;
      if (row) setMeta(row, "Not delivered yet · retrying…", "bw-meta-warn");
      flushLater(sendBackoff);
      sendBackoff = Math.min(sendBackoff * 2, 30000);
    }

    function giveBack(message) {
      // The server refused this message (and so would refuse the ones queued after it): take them
      // out of the log and put their text back in the box, so nothing typed is lost.
      var refused = outbox.splice(0, outbox.length);
      saveOutbox();
      refused.forEach(function (it) {
        var r = pendingRows[it.client_id];
        if (r && r.parentNode) r.parentNode.removeChild(r);
        delete pendingRows[it.client_id];
      });
      var texts = refused.map(function (it) { return it.text; });
      if (input.value.trim()) texts.push(input.value);
      input.value = texts.join("\n");
      updateCounter();
      autosize();
      showError(message);
      input.focus();
    }

    ensureConversation().then(function (res) {
      if (!res.ok) {
        flushing = false;
        if (res.status >= 500) return networkTrouble();
        if (res.status === 422) about.open = true; // most likely the email address
        return giveBack(errorMessage(res.status, res.body, res.retryAfter));
      }
      return api("POST", "/" + encodeURIComponent(conv.id) + "/messages", { text: item.text, client_id: item.client_id }, conv.token)
        .then(function (res2) {
          if (res2.status === 202 || res2.status === 200 || res2.status === 201) {
            sendBackoff = 1000;
            outbox.shift();
            saveOutbox();
            var entryId = res2.body && res2.body.entry_id;
            delete pendingRows[item.client_id];
            if (row && entryId && rendered[entryId] && rendered[entryId] !== row) {
              row.parentNode && row.parentNode.removeChild(row); // the stream was faster
            } else if (row && entryId) {
              markSent(row, entryId);
              rendered[entryId] = row;
            }
            // Show the AI "typing" right away unless something newer than this message arrived.
            setTimeout(function () {
              if (state === "ai" && entryId && (!lastEntryId || !idAfter(lastEntryId, entryId))) showTyping(true);
            }, 400);
            conv.saved = Date.now();
            save("conversation", conv);
            return done();
          }
          if (res2.status === 401 || res2.status === 404) {
            // The conversation is gone (expired or the server was reset): start a new one and resend.
            forgetConversation();
            flushing = false;
            return flush();
          }
          if (res2.status >= 500) return networkTrouble();
          flushing = false;
          giveBack(errorMessage(res2.status, res2.body, res2.retryAfter));
        });
    }).catch(networkTrouble);
  }

  window.addEventListener("online", function () {
    sendBackoff = 1000;
    flush();
    if (conv && !stream) connect();
  });

  // ---------------------------------------------------------------- live stream (SSE over fetch)

  function connect() {
    if (!conv || !window.fetch || !window.TextDecoder) return;
    if (stream) stream.abort();
    var controller = new AbortController();
    stream = controller;
    var headers = { Accept: "text/event-stream", Authorization: "Bearer " + conv.token };
    if (lastEntryId) headers["Last-Event-ID"] = lastEntryId;
    var mine = conv;

    fetch(CONVERSATIONS + "/" + encodeURIComponent(conv.id) + "/events", {
      headers: headers,
      signal: controller.signal,
      credentials: "omit",
      cache: "no-store",
    }).then(function (resp) {
      if (resp.status === 401 || resp.status === 404) {
        if (conv === mine) forgetConversation();
        return;
      }
      if (!resp.ok || !resp.body) throw new Error("stream " + resp.status);
      var reader = resp.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      var ev = { id: null, event: "", data: [] };

      function dispatch() {
        if (ev.data.length) {
          var payload = null;
          try { payload = JSON.parse(ev.data.join("\n")); } catch (e) { payload = null; }
          if (payload) handleEvent(ev.event || "message", payload);
        }
        ev = { id: null, event: "", data: [] };
      }

      function line(text) {
        if (text === "") return dispatch();
        if (text.charAt(0) === ":") return; // comment / keep-alive
        var idx = text.indexOf(":");
        var field = idx === -1 ? text : text.slice(0, idx);
        var value = idx === -1 ? "" : text.slice(idx + 1);
        if (value.charAt(0) === " ") value = value.slice(1);
        if (field === "data") ev.data.push(value);
        else if (field === "event") ev.event = value;
        else if (field === "id") ev.id = value;
        else if (field === "retry" && /^\d+$/.test(value)) streamRetryMs = Math.max(500, Number(value));
      }

      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error("stream ended");
          streamAttempt = 0;
          buffer += decoder.decode(chunk.value, { stream: true });
          // A trailing "\r" may be half of a "\r\n" split across chunks: keep it for the next one.
          var cut = buffer.charAt(buffer.length - 1) === "\r" ? buffer.length - 1 : buffer.length;
          var parts = buffer.slice(0, cut).split(/\r\n|\n|\r/);
          buffer = parts.pop() + buffer.slice(cut);
          for (var k = 0; k < parts.length; k++) line(parts[k]);
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      if (controller.signal.aborted || stream !== controller) return;
      stream = null;
      streamAttempt += 1;
      var wait = Math.min(streamRetryMs * Math.pow(2, streamAttempt - 1), 30000);
      wait = wait * (0.75 + Math.random() * 0.5);
      setTimeout(function () {
        if (!stream && conv === mine) connect();
      }, wait);
    });
  }

  function handleEvent(name, payload) {
    if (name === "state") return setState(payload.state);
    if (name === "typing") {
      if (!payload.role || payload.role === "ai") showTyping();
      return;
    }
    if (name === "message") renderEntry(payload);
  }

  // ---------------------------------------------------------------- history on load

  /* The history, newest page first, then older pages (before=next) put in front of it. */
  function loadHistory(c, before, pages) {
    var query = "?limit=200" + (before ? "&before=" + encodeURIComponent(before) : "");
    return api("GET", "/" + encodeURIComponent(c.id) + query, undefined, c.token).then(function (res) {
      if (!res.ok || !res.body || !res.body.next || pages >= 30) return res;
      return loadHistory(c, res.body.next, pages + 1).then(function (older) {
        if (older.ok && older.body) res.body.entries = (older.body.entries || []).concat(res.body.entries || []);
        return res;
      }, function () { return res; });
    });
  }

  function resume() {
    if (!conv) return;
    about.hidden = true;
    showNumber();
    loadHistory(conv, null, 0).then(function (res) {
      if (res.status === 401 || res.status === 404) {
        forgetConversation();
        about.hidden = false;
        var numberRow = logBox.querySelector(".bw-number");
        if (numberRow) numberRow.parentNode.removeChild(numberRow);
        if (outbox.length) flush();
        return;
      }
      if (!res.ok || !res.body) {
        connect(); // the stream replays everything after our cursor anyway
        return;
      }
      (res.body.entries || []).forEach(renderEntry);
      if (res.body.state) setState(res.body.state);
      connect();
      outbox.forEach(function (item) { if (!pendingRows[item.client_id]) showPending(item); });
      flush();
    }, function () {
      connect();
      outbox.forEach(function (item) { if (!pendingRows[item.client_id]) showPending(item); });
      flushLater(1000);
    });
  }

  // ---------------------------------------------------------------- composer

  function updateCounter() {
    var n = input.value.length;
    var over = n > MAX_CHARS;
    counter.hidden = n < COUNTER_FROM;
    counter.textContent = n.toLocaleString() + " / " + MAX_CHARS.toLocaleString();
    counter.classList.toggle("bw-counter-over", over);
    sendBtn.disabled = over;
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  input.addEventListener("input", function () {
    updateCounter();
    autosize();
    if (!errorBox.hidden && input.value.length <= MAX_CHARS) showError("");
  });

  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      submit();
    }
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    submit();
  });

  function submit() {
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    if (text.length > MAX_CHARS) {
      showError("That message is too long. Please shorten it to " + MAX_CHARS.toLocaleString() + " characters.");
      return;
    }
    var email = emailInput.value.trim();
    if (!conv && email && !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(email)) {
      about.open = true;
      showError("That email address doesn't look right. Fix it or leave it empty.");
      emailInput.focus();
      return;
    }
    showError("");
    input.value = "";
    updateCounter();
    autosize();
    queueMessage(text);
    input.focus();
  }

  // ---------------------------------------------------------------- start

  if (conv) resume();
  else if (outbox.length) {
    outbox.forEach(showPending);
    flush();
  }

  // A tiny API for store pages: Baton.open(), Baton.close().
  window.Baton = { open: open, close: close };
})();
