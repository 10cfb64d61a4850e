/* Baton chat widget: one file, no build step. Options and wire contract: README. Shopper text is set
   with textContent only; reply HTML (sanitised by the server) is sanitised again here. */
(function () {
  "use strict";

  if (window.__batonWidget) return; // loaded twice: keep the first
  window.__batonWidget = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  var data = (script && script.dataset) || {};
  var user = window.BatonSettings && typeof window.BatonSettings === "object" ? window.BatonSettings : {};
  function opt(name) {
    var v = data[name] !== undefined ? data[name] : user[name];
    return v === undefined || v === null ? "" : String(v);
  }
  var scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var API_BASE = (data.apiBase || scriptOrigin).replace(/\/+$/, "");
  var HERE = script && script.src ? script.src : API_BASE + "/widget.js";
  var CSS_URL = new URL("widget.css" + new URL(HERE, location.href).search, HERE).href; // same ?v= as this script
  var STORE = (data.storeName || "Support").slice(0, 60);
  var ACCENT = data.accent && window.CSS && CSS.supports("color", data.accent) ? data.accent : "";
  var LEFT = opt("position").toLowerCase() === "left";
  var GREETING = opt("greeting").slice(0, 200);
  var SOUND = /^(on|true|1|yes)$/i.test(opt("sound"));

  var LANGS = ["en", "de", "fr", "es", "pt", "it", "nl", "pl", "ar", "he"];
  var RTL = { ar: 1, he: 1 };

  function pickLanguage() {
    var tags = [opt("lang"), document.documentElement.getAttribute("lang") || ""].concat(navigator.languages || [navigator.language || ""]);
    for (var i = 0; i < tags.length; i++) {
      var tag = String(tags[i] || "").trim();
      var primary = tag.split(/[-_]/)[0].toLowerCase();
      if (primary && LANGS.indexOf(primary) !== -1) return { tag: tag.slice(0, 35), lang: primary };
    }
    return { tag: "en", lang: "en" };
  }
  var picked = pickLanguage();
  var LANG = picked.lang;

  // English; other languages load from i18n/<lang>.json.
  var T = {
    open: "Open chat with {store}",
    openNew: "Open chat with {store} ({n} new)",
    close: "Close chat",
    log: "Conversation",
    hi: "Hi there! How can we help?",
    intro: "Ask about downloads, licenses, refunds or your account. Our AI assistant answers right away, and a person from the {store} team can take over whenever you need one.",
    typing: "The AI assistant is typing",
    name: "Your name",
    nameLabel: "Your name (optional)",
    email: "Email, so we can follow up",
    emailLabel: "Your email (optional)",
    about: "Add your name and email (optional)",
    placeholder: "Write a message…",
    message: "Message",
    send: "Send message",
    footer: "AI answers can be wrong. You can talk to a person at any time.",
    sAi: "AI assistant · answers right away",
    sWaiting: "Waiting for a person…",
    sClosed: "Conversation closed · write to reopen",
    sHuman: "Chatting with {name}",
    ourTeam: "our team",
    member: "Team member",
    teamOf: "{store} team",
    ai: "AI assistant",
    source: "Source:",
    sources: "Sources:",
    removed: "This message was removed.",
    edited: "edited",
    tooLong: "That message is too long. Please shorten it to {n} characters.",
    tooFast: "You're sending messages too quickly.",
    waitN: "Please wait {n} seconds, then send it again.",
    wait: "Please wait a moment, then send it again.",
    invalid: "That message couldn't be sent. Please check it and try again.",
    oops: "Something went wrong on our side. Please try again in a moment.",
    number: "Conversation #{n}",
    sending: "Sending…",
    retrying: "Not delivered yet · retrying…",
    badEmail: "That email address doesn't look right. Fix it or leave it empty.",
    person: "Talk to a person",
    askPerson: "I'd like to talk to a person, please.",
    helpful: "Was this helpful?",
    up: "Yes, this helped",
    down: "No, this didn't help",
    thanks: "Thanks for your feedback!",
    rate: "How did we do?",
    stars: "{n} out of 5",
    comment: "Anything to add? (optional)",
    rateSend: "Send",
    reconnecting: "Connection lost · reconnecting…",
    newMessage: "New message",
    newMessages: "{n} new messages",
    expired: "That link has expired or was already used. Write to us here and we'll pick it up.",
  };

  function t(key, values) {
    var text = T[key] || "";
    for (var k in values || {}) text = text.split("{" + k + "}").join(values[k]);
    return text;
  }

  function boot() {
  var MAX_CHARS = 4000;
  var COUNTER_FROM = 3500;
  var KEEP_DAYS = 7;
  var KEY = "baton:" + API_BASE;
  var CONVERSATIONS = API_BASE + "/api/v1/conversations";
  var PERSON_STATES = { waiting: 1, human: 1 };

  // -- storage

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
      /* private mode: works for this page view */
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

  // -- state

  var conv = load("conversation");
  if (conv && (!conv.id || !conv.token || Date.now() - (conv.saved || 0) > KEEP_DAYS * 864e5)) {
    conv = null;
    save("conversation", null);
    save("outbox", null);
  }
  var outbox = load("outbox") || []; // not yet acknowledged
  var state = "ai";
  var agentName = "";
  var lastEntryId = null;
  var lastRole = "";
  var rendered = {};
  var isOpen = false;
  var unread = 0;
  var hiddenNew = 0; // for the tab title
  var pageTitle = document.title;
  var seenId = load("seen");
  var stream = null;
  var streamAttempt = 0;
  var streamRetryMs = 1000;
  var typingTimer = null;
  var flushing = false;
  var flushTimer = null;
  var creating = null;
  var follow = true;
  var replies = 0;
  var rated = false;

  // -- DOM

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

  function svg(path, cls) {
    return '<svg' + (cls ? ' class="' + cls + '"' : "") + ' viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="' + path + '"/></svg>';
  }

  function iconButton(cls, label, type, path) {
    var button = el("button", cls, null, { type: type, "aria-label": label });
    button.innerHTML = svg(path);
    return button;
  }

  // A custom element: a page's `div` rules never reach the host.
  var host = el("baton-chat");
  host.id = "baton-widget";
  host.setAttribute("data-baton", "");
  host.style.cssText = "all: initial !important; display: none;";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (ACCENT) host.style.setProperty("--baton-accent", ACCENT);

  var link = el("link");
  link.rel = "stylesheet";
  link.href = CSS_URL;
  link.onload = link.onerror = function () { host.style.display = "block"; };
  root.appendChild(link);

  var wrap = el("div", "bw" + (LEFT ? " bw-left" : ""), null, { lang: picked.tag, dir: RTL[LANG] ? "rtl" : "ltr" });
  root.appendChild(wrap);

  var launcher = el("button", "bw-launcher", null, {
    type: "button", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": "bw-panel",
    "aria-label": t("open", { store: STORE }),
  });
  launcher.innerHTML =
    svg("M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z", "bw-icon-chat") +
    svg("M6 6l12 12M18 6L6 18", "bw-icon-close");
  var badge = el("span", "bw-badge", null, { "aria-hidden": "true" });
  badge.hidden = true;
  launcher.appendChild(badge);

  var panel = el("section", "bw-panel", null, { id: "bw-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "bw-title" });
  panel.hidden = true;

  var header = el("div", "bw-header"); // not <header>: no second banner landmark
  var avatarUrl = safeUrl(opt("avatar"));
  var avatar;
  if (/^https:/.test(avatarUrl)) {
    avatar = el("img", "bw-avatar bw-avatar-img", null, { alt: "", "aria-hidden": "true" });
    avatar.referrerPolicy = "no-referrer";
    avatar.src = avatarUrl;
  } else {
    avatar = el("div", "bw-avatar", STORE.trim().charAt(0).toUpperCase(), { "aria-hidden": "true" });
  }
  var heading = el("div", "bw-heading");
  var title = el("h2", "bw-title", STORE, { id: "bw-title" });
  var subtitle = el("p", "bw-subtitle");
  var dot = el("span", "bw-dot", null, { "aria-hidden": "true" });
  var subtitleText = el("span", "bw-subtitle-text");
  add(subtitle, dot, subtitleText);
  add(heading, title, subtitle);
  var closeBtn = iconButton("bw-close", t("close"), "button", "M6 9l6 6 6-6");
  add(header, avatar, heading, closeBtn);

  var connBar = el("p", "bw-conn", t("reconnecting"), { role: "status" });
  connBar.hidden = true;

  var logBox = el("div", "bw-log", null, { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": t("log"), tabindex: "0" });

  var welcome = add(el("div", "bw-welcome"),
    el("p", "bw-welcome-title", GREETING || t("hi")),
    el("p", "bw-welcome-text", t("intro", { store: STORE })));
  logBox.appendChild(welcome);

  var typing = add(el("div", "bw-typing", null, { role: "status" }),
    el("span", "bw-visually-hidden", t("typing")),
    el("span", "bw-typing-dot", null, { "aria-hidden": "true" }),
    el("span", "bw-typing-dot", null, { "aria-hidden": "true" }),
    el("span", "bw-typing-dot", null, { "aria-hidden": "true" }));
  typing.hidden = true;

  var form = el("form", "bw-form");
  form.noValidate = true;
  var about = el("details", "bw-about");
  var nameInput = el("input", "bw-input", null, {
    type: "text", autocomplete: "name", maxlength: "80", placeholder: t("name"), "aria-label": t("nameLabel"),
  });
  var emailInput = el("input", "bw-input", null, {
    type: "email", autocomplete: "email", maxlength: "254", placeholder: t("email"), "aria-label": t("emailLabel"),
  });
  add(about, el("summary", null, t("about")), add(el("div", "bw-about-fields"), nameInput, emailInput));
  var known = user.user && typeof user.user === "object" ? user.user : {};
  nameInput.value = String(user.name || known.name || "").slice(0, 80);
  emailInput.value = String(user.email || known.email || "").slice(0, 254);
  if (emailInput.value) about.hidden = true;

  var errorBox = el("p", "bw-error", null, { role: "alert" });
  errorBox.hidden = true;

  var actions = el("div", "bw-actions");
  var personBtn = el("button", "bw-person", null, { type: "button" });
  personBtn.innerHTML = svg("M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8a7 7 0 0 1 14 0z");
  personBtn.appendChild(el("span", null, t("person")));
  actions.appendChild(personBtn);

  var composer = el("div", "bw-composer");
  var input = el("textarea", "bw-textarea", null, { rows: "1", placeholder: t("placeholder"), "aria-label": t("message"), id: "bw-message" });
  var counter = el("span", "bw-counter", null, { "aria-live": "polite" });
  counter.hidden = true;
  var sendBtn = iconButton("bw-send", t("send"), "submit", "M4 12l16-8-6 16-2.5-6.5z");
  add(composer, input, sendBtn);
  add(form, about, errorBox, actions, composer, counter);

  var footer = el("p", "bw-footer", t("footer"));

  add(panel, header, connBar, logBox, form, footer);
  add(wrap, panel, launcher);

  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  // -- open / close

  var phone = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };

  function open() {
    if (isOpen) return;
    isOpen = true;
    panel.hidden = false;
    wrap.classList.add("bw-open");
    panel.setAttribute("aria-modal", phone.matches ? "true" : "false");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", t("close"));
    setUnread(0);
    markSeen();
    follow = true;
    scrollDown(true);
    setTimeout(function () { input.focus(); }, 30);
    if (conv && !stream) connect();
  }

  function close(keepFocus) {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    wrap.classList.remove("bw-open");
    launcher.setAttribute("aria-expanded", "false");
    setUnread(unread);
    if (!keepFocus) launcher.focus();
  }

  function inWidget(node) {
    return node === host || (node && host.contains(node));
  }

  launcher.addEventListener("click", function () { wake(); isOpen ? close() : open(); });
  closeBtn.addEventListener("click", function () { close(); });
  // Escape closes from anywhere; focus returns to the launcher only from inside.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || !isOpen || ev.defaultPrevented) return;
    var inside = inWidget(document.activeElement);
    if (inside) ev.stopPropagation();
    close(!inside);
  });

  // Full-screen on a phone (aria-modal): focus stays in the panel.
  function focusables() {
    return Array.prototype.filter.call(panel.querySelectorAll("button, [href], input, textarea, summary, [tabindex]"), function (n) {
      return !n.disabled && n.getAttribute("tabindex") !== "-1" && n.getClientRects().length;
    });
  }
  root.addEventListener("keydown", function (ev) {
    if (ev.key !== "Tab" || !isOpen || !phone.matches) return;
    var items = focusables();
    if (!items.length) return;
    var active = root.activeElement;
    var first = items[0], last = items[items.length - 1];
    if (ev.shiftKey && (active === first || !panel.contains(active))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (active === last || !panel.contains(active))) {
      ev.preventDefault();
      first.focus();
    }
  });
  document.addEventListener("focusin", function (ev) {
    if (isOpen && phone.matches && !inWidget(ev.target)) input.focus();
  });

  function setUnread(n) {
    unread = n;
    badge.hidden = n === 0;
    badge.textContent = n > 9 ? "9+" : String(n);
    launcher.setAttribute("aria-label", isOpen ? t("close") : n ? t("openNew", { store: STORE, n: n }) : t("open", { store: STORE }));
  }

  // -- told when the answer comes

  function notifyHidden() {
    if (!document.hidden) return;
    if (!hiddenNew) pageTitle = document.title; // the page may have changed its own title since
    hiddenNew += 1;
    document.title = "(" + hiddenNew + ") " + (hiddenNew === 1 ? t("newMessage") : t("newMessages", { n: hiddenNew })) + " · " + STORE;
    chime();
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) return;
    if (isOpen) markSeen();
    if (!hiddenNew) return;
    hiddenNew = 0;
    document.title = pageTitle;
  });

  var audio = null;
  // Sound needs a user gesture: the context is made on a click.
  function wake() {
    if (!SOUND || audio || !(window.AudioContext || window.webkitAudioContext)) return;
    try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
  }

  function chime() {
    if (!SOUND || !audio) return;
    try {
      var now = audio.currentTime;
      var gain = audio.createGain();
      gain.connect(audio.destination);
      gain.gain.setValueAtTime(0.0001, now);
      gain.gain.exponentialRampToValueAtTime(0.12, now + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.5);
      [880, 1320].forEach(function (f, i) {
        var osc = audio.createOscillator();
        osc.frequency.value = f;
        osc.connect(gain);
        osc.start(now + i * 0.12);
        osc.stop(now + 0.5);
      });
      wrap.setAttribute("data-chimed", String(Number(wrap.getAttribute("data-chimed") || 0) + 1));
    } catch (e) {
    }
  }

  // -- header state

  var SUBTITLES = { ai: "sAi", waiting: "sWaiting", human: "", closed: "sClosed" };

  function setState(next) {
    if (!SUBTITLES.hasOwnProperty(next)) return;
    var before = state;
    state = next;
    wrap.setAttribute("data-state", state);
    subtitleText.textContent = state === "human" ? t("sHuman", { name: agentName || t("ourTeam") }) : t(SUBTITLES[state]);
    personBtn.hidden = !!PERSON_STATES[state];
    if (state !== "ai") hideTyping();
    if (state === "closed" && before !== "closed") offerRating();
  }
  setState("ai");

  // -- rendering

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

  // Inert <template> parse, allow-listed tags and attributes; unknown tags keep their text.
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
          parent.removeChild(child);
        }
        child = next;
      }
    })(tpl.content);
    return document.importNode(tpl.content, true);
  }

  function timeLabel(at) {
    var d = at ? new Date(at) : new Date();
    if (isNaN(d)) return "";
    return d.toLocaleTimeString([picked.tag], { hour: "2-digit", minute: "2-digit" });
  }

  function initials(name) {
    var parts = String(name || "?").trim().split(/\s+/);
    return ((parts[0] || "?").charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : "")).toUpperCase();
  }

  function nearBottom() {
    return logBox.scrollHeight - logBox.scrollTop - logBox.clientHeight < 80;
  }

  // Following is decided by where the shopper scrolled, and every scroll is instant: a smooth one
  // left the list mid-way, "not at the end", when the next reply came in.
  logBox.addEventListener("scroll", function () { follow = nearBottom(); });

  function jump(top) {
    logBox.scrollTop = Math.max(0, Math.min(top, logBox.scrollHeight));
    follow = nearBottom();
  }

  function scrollDown(force) {
    if (force) follow = true;
    if (!follow) return;
    requestAnimationFrame(function () { if (follow) jump(logBox.scrollHeight); });
  }

  // A reply taller than the list is shown from its start.
  function scrollToReply(node) {
    if (!follow) return;
    requestAnimationFrame(function () {
      var top = node.offsetTop - 12;
      var end = logBox.scrollHeight - logBox.clientHeight;
      if (top < end) {
        logBox.scrollTop = top;
        follow = false;
      } else {
        jump(logBox.scrollHeight);
      }
    });
  }

  function append(node, reply) {
    if (typing.parentNode === logBox) logBox.insertBefore(node, typing);
    else logBox.appendChild(node);
    if (reply) scrollToReply(node);
    else scrollDown(false);
  }

  function customerBubble(text) {
    var row = el("div", "bw-row bw-row-customer");
    var bubble = el("div", "bw-bubble bw-bubble-customer");
    bubble.appendChild(el("div", "bw-text", text));
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
    var picUrl = isAgent && entry.author && safeUrl(entry.author.avatar_url || "");
    if (picUrl && /^https?:/.test(picUrl)) {
      pic = el("img", "bw-pic");
      pic.alt = "";
      pic.referrerPolicy = "no-referrer";
      pic.src = picUrl;
    } else {
      pic = el("div", "bw-pic", isAgent ? initials(name) : "AI");
    }
    pic.setAttribute("aria-hidden", "true");
    var body = el("div", "bw-reply-body");
    var label = el("div", "bw-author");
    if (isAgent) {
      label.appendChild(el("strong", null, name || t("member")));
      label.appendChild(document.createTextNode(" · " + t("teamOf", { store: STORE })));
    } else {
      label.appendChild(el("strong", null, t("ai")));
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
      list.appendChild(el("span", "bw-sources-label", sources.length > 1 ? t("sources") : t("source")));
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
    var meta = el("div", "bw-meta");
    meta.appendChild(el("span", "bw-time", timeLabel(entry.at)));
    body.appendChild(meta);
    if (!isAgent && entry.type === "message" && !entry.deleted) body.appendChild(thumbs(entry));
    row.appendChild(pic);
    row.appendChild(body);
    if (entry.deleted) showVersion(row, "delete", entry);
    else if (entry.edited) showVersion(row, "edit", entry);
    return row;
  }

  // A file from Slack: fetched with the token (never in a URL), shown from a blob: URL.
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

  // -- asked how it went

  function thumbs(entry) {
    var group = el("div", "bw-thumbs", null, { role: "group", "aria-label": t("helpful") });
    group.appendChild(el("span", "bw-thumbs-label", t("helpful"), { "aria-hidden": "true" }));
    var buttons = {};
    ["up", "down"].forEach(function (rating) {
      var b = el("button", "bw-thumb bw-thumb-" + rating, null, { type: "button", "aria-label": t(rating), "aria-pressed": "false", title: t(rating) });
      b.innerHTML = svg(rating === "up"
        ? "M7 11v9H4v-9zm2 9h8.2a2 2 0 0 0 2-1.6l1.2-6A2 2 0 0 0 18.4 10H14l.7-3.6A1.8 1.8 0 0 0 11.5 5L9 11z"
        : "M17 13V4h3v9zm-2-9H6.8a2 2 0 0 0-2 1.6l-1.2 6A2 2 0 0 0 5.6 14H10l-.7 3.6a1.8 1.8 0 0 0 3.2 1.4L15 13z");
      b.addEventListener("click", function () {
        if (b.getAttribute("aria-pressed") === "true") return;
        press(rating);
        sendFeedback({ entry_id: entry.id, rating: rating });
      });
      buttons[rating] = b;
      group.appendChild(b);
    });
    function press(rating) {
      for (var k in buttons) buttons[k].setAttribute("aria-pressed", k === rating ? "true" : "false");
      group.setAttribute("data-rated", rating);
    }
    if (entry.feedback === "up" || entry.feedback === "down") press(entry.feedback);
    return group;
  }

  function sendFeedback(payload) {
    if (!conv) return Promise.resolve(null);
    var mine = conv;
    return api("POST", "/" + encodeURIComponent(mine.id) + "/feedback", payload, mine.token).catch(function () { return null; });
  }

  // On close: a 1–5 rating with an optional comment, once.
  var ratingCard = null;
  function offerRating() {
    if (rated || ratingCard || !replies || !conv) return;
    ratingCard = el("form", "bw-rating", null, { "aria-label": t("rate") });
    ratingCard.noValidate = true;
    var legend = el("p", "bw-rating-title", t("rate"), { id: "bw-rate-title" });
    var stars = el("div", "bw-stars", null, { role: "radiogroup", "aria-labelledby": "bw-rate-title" });
    var chosen = 0;
    var buttons = [];
    function choose(n) {
      chosen = n;
      buttons.forEach(function (b, i) {
        b.setAttribute("aria-checked", i + 1 === n ? "true" : "false");
        b.classList.toggle("bw-star-on", i < n);
        b.tabIndex = i + 1 === (n || 1) ? 0 : -1;
      });
      submitBtn.disabled = !n;
    }
    for (var i = 1; i <= 5; i++) {
      (function (n) {
        var b = el("button", "bw-star", "★", { type: "button", role: "radio", "aria-checked": "false", "aria-label": t("stars", { n: n }) });
        b.addEventListener("click", function () { choose(n); });
        b.addEventListener("keydown", function (ev) {
          var step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[ev.key];
          if (!step) return;
          if (RTL[LANG] && (ev.key === "ArrowRight" || ev.key === "ArrowLeft")) step = -step;
          ev.preventDefault();
          var next = Math.min(5, Math.max(1, (chosen || n) + step));
          choose(next);
          buttons[next - 1].focus();
        });
        buttons.push(b);
        stars.appendChild(b);
      })(i);
    }
    var comment = el("textarea", "bw-input bw-rating-comment", null, { rows: "2", maxlength: "1000", placeholder: t("comment"), "aria-label": t("comment") });
    var submitBtn = el("button", "bw-rating-send", t("rateSend"), { type: "submit" });
    choose(0);
    ratingCard.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!chosen) return;
      submitBtn.disabled = true;
      var payload = { rating: chosen };
      if (comment.value.trim()) payload.comment = comment.value.trim().slice(0, 1000);
      sendFeedback(payload).then(function (res) {
        if (res && res.status === 202) {
          rated = true;
          while (ratingCard.firstChild) ratingCard.removeChild(ratingCard.firstChild);
          ratingCard.appendChild(el("p", "bw-rating-thanks", t("thanks"), { role: "status" }));
        } else {
          submitBtn.disabled = false;
        }
      });
    });
    add(ratingCard, legend, stars, comment, submitBtn);
    append(ratingCard);
  }

  function dropRating() {
    if (ratingCard && !rated && ratingCard.parentNode) ratingCard.parentNode.removeChild(ratingCard);
    if (!rated) ratingCard = null;
  }

  // A reply edited in Slack shows its new text and "edited"; a deleted one keeps its place, without text.
  function showVersion(row, kind, entry) {
    if (!row || row.classList.contains("bw-removed")) return;
    var content = row.querySelector(".bw-bubble .bw-text");
    var meta = row.querySelector(".bw-meta");
    if (!content || !meta) return;
    while (content.firstChild) content.removeChild(content.firstChild);
    var label = meta.querySelector(".bw-edited");
    if (kind === "delete") {
      row.classList.add("bw-removed");
      content.appendChild(el("p", "bw-removed-text", t("removed")));
      var sources = row.querySelector(".bw-sources");
      if (sources) sources.parentNode.removeChild(sources);
      if (label) meta.removeChild(label);
      return;
    }
    if (entry.html) content.appendChild(sanitize(entry.html));
    else content.textContent = entry.text || "";
    if (!label) meta.appendChild(el("span", "bw-edited", t("edited")));
  }

  // An older revision never undoes a newer one.
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

  function renderEntry(entry, live) {
    if (!entry || !entry.id) return;
    var revision = entry.type === "edit" || entry.type === "delete";
    if (idAfter(entry.id, lastEntryId)) {
      lastEntryId = entry.id;
      if (!revision) lastRole = entry.role || "";
    }
    if (revision) return applyRevision(entry);
    if (rendered[entry.id]) return;
    var node;
    var reply = false;
    if (entry.role === "customer") {
      dropRating(); // writing again reopens the conversation
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
      if (state === "human") setState("human");
    } else if (entry.role === "ai" || entry.role === "agent") {
      if (!hasText(entry) && !entry.deleted) return;
      if (entry.role === "agent" && entry.author && entry.author.name) {
        agentName = entry.author.name;
        if (state === "human") setState("human");
      }
      hideTyping();
      node = replyRow(entry);
      reply = true;
      replies += 1;
      if (idAfter(entry.id, seenId)) {
        if (!isOpen) setUnread(unread + 1);
        if (live) notifyHidden();
      }
    } else {
      return;
    }
    node.setAttribute("data-entry-id", entry.id);
    node.setAttribute("data-role", entry.role || "");
    rendered[entry.id] = node;
    append(node, reply);
    if (isOpen && !document.hidden) markSeen();
  }

  function markSeen() {
    if (lastEntryId && idAfter(lastEntryId, seenId)) {
      seenId = lastEntryId;
      save("seen", seenId);
    }
  }

  // Stream ids ("1700000000000-3"): both parts compared as numbers.
  function idAfter(a, b) {
    if (!b) return true;
    var pa = String(a).split("-"), pb = String(b).split("-");
    var ta = Number(pa[0]), tb = Number(pb[0]);
    return ta !== tb ? ta > tb : Number(pa[1] || 0) > Number(pb[1] || 0);
  }

  // -- typing indicator

  // A late "typing" after the answer itself is ignored.
  function showTyping(afterSend) {
    if (state !== "ai" || (!afterSend && lastRole !== "customer")) return;
    if (typing.parentNode !== logBox) logBox.appendChild(typing);
    typing.hidden = false;
    scrollDown(false);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 45000);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  // -- errors

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function errorMessage(status, body, retryAfter) {
    var code = body && body.error && body.error.code;
    var seconds = Number(retryAfter);
    if (status === 413) return t("tooLong", { n: MAX_CHARS.toLocaleString(picked.tag) });
    if (status === 429) {
      return t("tooFast") + " " + (seconds > 0 && seconds < 3600 ? t("waitN", { n: Math.ceil(seconds) }) : t("wait"));
    }
    if (code === "invalid" && !conv && emailInput.value.trim()) return t("badEmail");
    if (status === 422 || status === 400) return t("invalid");
    return t("oops");
  }

  // -- HTTP

  function api(method, path, payload, token) {
    var headers = { Accept: "application/json" };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(/^https?:/.test(path) ? path : CONVERSATIONS + path, {
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

  function adopt(body) {
    conv = { id: body.id, token: body.token, number: body.number, saved: Date.now() };
    save("conversation", conv);
  }

  function ensureConversation() {
    if (conv) return Promise.resolve({ ok: true });
    if (creating) return creating;
    var customer = {};
    if (nameInput.value.trim()) customer.name = nameInput.value.trim();
    if (emailInput.value.trim()) customer.email = emailInput.value.trim();
    var payload = { customer: customer, page_url: location.href.split("#")[0].slice(0, 2000), locale: picked.tag };
    if (known.id && known.hash) payload.user = { id: String(known.id), email: known.email || undefined, name: known.name || undefined, hash: String(known.hash) };
    creating = api("POST", "", payload)
      .then(function (res) {
        creating = null;
        if (res.status === 201 && res.body && res.body.id && res.body.token) {
          adopt(res.body);
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
    row.textContent = t("number", { n: conv.number });
  }

  function forgetConversation() {
    conv = null;
    save("conversation", null);
    save("seen", null);
    seenId = null;
    if (stream) stream.abort();
    stream = null;
    connBar.hidden = true;
  }

  // -- sending (outbox)

  var pendingRows = {};

  function saveOutbox() {
    save("outbox", outbox.length ? outbox : null);
  }

  function queueMessage(text, kind) {
    var item = { client_id: uuid(), text: text };
    if (kind) item.kind = kind;
    outbox.push(item);
    saveOutbox();
    showPending(item);
    flush();
  }

  function showPending(item) {
    var row = customerBubble(item.text);
    row.classList.add("bw-pending");
    row.setAttribute("data-client-id", item.client_id);
    setMeta(row, t("sending"));
    pendingRows[item.client_id] = row;
    append(row);
    scrollDown(true);
  }

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
      if (row) setMeta(row, t("retrying"), "bw-meta-warn");
      flushLater(sendBackoff);
      sendBackoff = Math.min(sendBackoff * 2, 30000);
    }

    function giveBack(message) {
      // Refused: the texts go back in the box, nothing typed is lost.
      var refused = outbox.splice(0, outbox.length);
      saveOutbox();
      refused.forEach(function (it) {
        var r = pendingRows[it.client_id];
        if (r && r.parentNode) r.parentNode.removeChild(r);
        delete pendingRows[it.client_id];
      });
      var texts = refused.filter(function (it) { return it.kind !== "handoff"; }).map(function (it) { return it.text; });
      if (input.value.trim()) texts.push(input.value);
      input.value = texts.join("\n");
      updateCounter();
      autosize();
      showError(message);
      input.focus();
    }

    function sent(entryId) {
      sendBackoff = 1000;
      outbox.shift();
      saveOutbox();
      delete pendingRows[item.client_id];
      if (row && entryId && rendered[entryId] && rendered[entryId] !== row) {
        row.parentNode && row.parentNode.removeChild(row); // the stream was faster
      } else if (row && entryId) {
        markSent(row, entryId);
        rendered[entryId] = row;
      } else if (row && row.parentNode) {
        row.parentNode.removeChild(row);
      }
    }

    ensureConversation().then(function (res) {
      if (!res.ok) {
        flushing = false;
        if (res.status >= 500) return networkTrouble();
        if (res.status === 422) about.open = true;
        return giveBack(errorMessage(res.status, res.body, res.retryAfter));
      }
      var handoff = item.kind === "handoff";
      var path = "/" + encodeURIComponent(conv.id) + (handoff ? "/handoff" : "/messages");
      return api("POST", path, { text: item.text, client_id: item.client_id }, conv.token)
        .then(function (res2) {
          if (res2.status === 202 || res2.status === 200 || res2.status === 201 || (handoff && res2.status === 409)) {
            var entryId = res2.status === 409 ? null : res2.body && res2.body.entry_id;
            sent(entryId);
            setTimeout(function () {
              if (state === "ai" && entryId && (!lastEntryId || !idAfter(lastEntryId, entryId))) showTyping(true);
            }, 400);
            conv.saved = Date.now();
            save("conversation", conv);
            return done();
          }
          if (res2.status === 401 || res2.status === 404) {
            // The conversation is gone: start a new one and resend.
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

  // -- live stream (SSE over fetch)

  var connTimer = null;
  function connected(ok) {
    clearTimeout(connTimer);
    if (ok) connBar.hidden = true;
    else connTimer = setTimeout(function () { if (conv) connBar.hidden = false; }, 1500);
  }

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
        if (text.charAt(0) === ":") return;
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
      connected(false);
      streamAttempt += 1;
      var wait = Math.min(streamRetryMs * Math.pow(2, streamAttempt - 1), 30000);
      wait = wait * (0.75 + Math.random() * 0.5);
      setTimeout(function () {
        if (!stream && conv === mine) connect();
      }, wait);
    });
  }

  function handleEvent(name, payload) {
    if (name === "state") {
      connected(true); // streams start with their state
      return setState(payload.state);
    }
    if (name === "typing") {
      if (!payload.role || payload.role === "ai") showTyping();
      return;
    }
    if (name === "message") renderEntry(payload, true);
  }

  // -- history on load

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
        about.hidden = !!(user.email || known.email);
        var numberRow = logBox.querySelector(".bw-number");
        if (numberRow) numberRow.parentNode.removeChild(numberRow);
        if (outbox.length) flush();
        return;
      }
      if (!res.ok || !res.body) {
        connect();
        return;
      }
      rated = !!res.body.rating;
      (res.body.entries || []).forEach(function (e) { renderEntry(e, false); });
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

  // An e-mailed link's #baton-resume=<one-time code> becomes this browser's own token.
  function resumeFromLink() {
    var match = /(?:^#|&)baton-resume=([A-Za-z0-9_-]{8,100})/.exec(location.hash);
    if (!match) return false;
    try { history.replaceState(null, "", location.href.split("#")[0]); } catch (e) { location.hash = ""; }
    api("POST", API_BASE + "/api/v1/resume", { code: match[1] }).then(function (res) {
      if (res.status === 200 && res.body && res.body.id && res.body.token) {
        if (!conv || conv.id !== res.body.id) {
          forgetConversation();
          adopt(res.body);
        }
        resume();
      } else {
        if (conv) resume();
        showError(t("expired"));
      }
      open();
    }, function () {
      if (conv) resume();
      open();
      showError(t("oops"));
    });
    return true;
  }

  // -- composer

  function updateCounter() {
    var n = input.value.length;
    var over = n > MAX_CHARS;
    counter.hidden = n < COUNTER_FROM;
    counter.textContent = n.toLocaleString(picked.tag) + " / " + MAX_CHARS.toLocaleString(picked.tag);
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

  function emailOk() {
    var email = emailInput.value.trim();
    if (conv || !email || /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(email)) return true;
    about.hidden = false;
    about.open = true;
    showError(t("badEmail"));
    emailInput.focus();
    return false;
  }

  function submit() {
    wake();
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    if (text.length > MAX_CHARS) {
      showError(t("tooLong", { n: MAX_CHARS.toLocaleString(picked.tag) }));
      return;
    }
    if (!emailOk()) return;
    showError("");
    input.value = "";
    updateCounter();
    autosize();
    queueMessage(text);
    input.focus();
  }

  personBtn.addEventListener("click", function () {
    wake();
    if (PERSON_STATES[state] || !emailOk()) return;
    for (var i = 0; i < outbox.length; i++) if (outbox[i].kind === "handoff") return;
    showError("");
    personBtn.hidden = true;
    queueMessage(t("askPerson"), "handoff");
    input.focus();
  });

  // -- start

  if (!resumeFromLink()) {
    if (conv) resume();
    else if (outbox.length) {
      outbox.forEach(showPending);
      flush();
    }
  }

  var calls = (window.Baton && window.Baton.q) || [];
  window.Baton = { open: open, close: function () { close(); }, language: LANG };
  calls.forEach(function (name) { if (window.Baton[name]) window.Baton[name](); });
  }

  // Calls before boot are replayed.
  window.Baton = { q: [], open: function () { this.q.push("open"); }, close: function () { this.q.push("close"); } };

  if (LANG === "en") return boot();
  var started = false;
  function start() {
    if (started) return;
    started = true;
    boot();
  }
  var timer = setTimeout(start, 4000);
  fetch(new URL("i18n/" + LANG + ".json", HERE).href, { credentials: "omit" })
    .then(function (resp) { return resp.ok ? resp.json() : {}; })
    .then(function (strings) {
      for (var k in strings) if (T.hasOwnProperty(k) && typeof strings[k] === "string") T[k] = strings[k];
    }, function () { /* English it is */ })
    .then(function () { clearTimeout(timer); start(); });
})();
