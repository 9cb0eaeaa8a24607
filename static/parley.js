// Parley's only script. It places HTML the server rendered (live updates and
// answers to forms sent in the background) and keeps relative times fresh.
// Every form also works without it, by plain POST and redirect.
"use strict";

(function () {
  document.documentElement.classList.add("js");

  // --- the phone menu ----------------------------------------------------------
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".menu-button");
    if (!button) return;
    const menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });
  // The Admin menu (a <details>) closes on Escape, giving the focus back to
  // its summary, and on a click anywhere outside it.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = document.querySelector("details.nav-menu[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });
  document.addEventListener("click", (event) => {
    for (const open of document.querySelectorAll("details.nav-menu[open]")) {
      if (!open.contains(event.target)) open.open = false;
    }
  });
  // --- times -------------------------------------------------------------
  function plural(n, unit) { return n + " " + unit + (n === 1 ? "" : "s"); }
  function relative(ms) {
    const future = ms < 0;
    const abs = Math.abs(ms) / 1000;
    if (abs < 45) return future ? "in a moment" : "just now";
    let s;
    if (abs < 3600) s = plural(Math.round(abs / 60), "minute");
    else if (abs < 86400) s = plural(Math.round(abs / 3600), "hour");
    else s = plural(Math.round(abs / 86400), "day");
    return future ? "in " + s : s + " ago";
  }
  function countdown(ms) {
    if (ms <= 0) return "expired";
    const h = Math.floor(ms / 3600000);
    const m = Math.floor((ms % 3600000) / 60000);
    if (h > 0) return h + "h " + String(m).padStart(2, "0") + "m left";
    if (m > 0) return m + "m left";
    return "under a minute left";
  }
  // Times read in the browser's time zone, "14:02 (6 minutes ago)", with
  // the date when it is not today; the tooltip keeps the exact UTC time.
  const clock = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const day = new Intl.DateTimeFormat([], { month: "short", day: "numeric" });
  const dayOfYear = new Intl.DateTimeFormat([], { year: "numeric", month: "short", day: "numeric" });
  function localTime(d, now) {
    if (d.toDateString() === now.toDateString()) return clock.format(d);
    const date = d.getFullYear() === now.getFullYear() ? day : dayOfYear;
    return date.format(d) + " " + clock.format(d);
  }
  function refreshTimes(root) {
    const now = Date.now();
    // Notices that become true with time ("no callback for 30 s").
    for (const el of (root || document).querySelectorAll("[data-show-after]")) {
      const t = Date.parse(el.getAttribute("data-show-after"));
      if (!Number.isNaN(t) && now >= t) el.hidden = false;
    }
    for (const el of (root || document).querySelectorAll("time[data-relative]")) {
      const t = Date.parse(el.getAttribute("datetime"));
      if (!Number.isNaN(t)) el.textContent = localTime(new Date(t), new Date(now)) + " (" + relative(now - t) + ")";
    }
    for (const el of (root || document).querySelectorAll("time[data-countdown]")) {
      const t = Date.parse(el.getAttribute("datetime"));
      if (!Number.isNaN(t)) el.textContent = countdown(t - now);
    }
  }

  // --- placing server-rendered HTML --------------------------------------
  // An item is {id, into, html, first}: replace the element with that id, or
  // insert it into the container `into` (at the top when `first`).
  function place(items) {
    const chats = Array.from(document.querySelectorAll(".chat[id]"), (chat) => ({ chat, id: chat.id, follow: atBottom(chat), top: chat.scrollTop, height: chat.scrollHeight }));
    for (const item of items || []) {
      const existing = document.getElementById(item.id);
      if (existing) {
        // Keep open what the reader opened (a callback's JWT and body).
        const opened = Array.from(existing.querySelectorAll("details[open][id]"), (d) => d.id);
        const chosen = existing instanceof HTMLSelectElement ? existing.value : null;
        existing.outerHTML = item.html;
        for (const id of opened) {
          const d = document.getElementById(id);
          if (d) d.open = true;
        }
        // ...and what they chose in a list that was refreshed under them.
        const select = document.getElementById(item.id);
        if (chosen !== null && select instanceof HTMLSelectElement &&
            Array.from(select.options).some((o) => o.value === chosen)) select.value = chosen;
        continue;
      }
      // A replacement for something this page does not show is not for it.
      if (!item.into) continue;
      const container = document.getElementById(item.into);
      if (!container) {
        // The page has no place for it yet (an empty list): show it fresh.
        location.reload();
        return;
      }
      const empty = container.querySelector(".chat-empty");
      if (empty) empty.remove();
      container.insertAdjacentHTML(item.first ? "afterbegin" : "beforeend", item.html);
    }
    for (const c of chats) followChat(c);
    for (const select of document.querySelectorAll("select[data-filter-list]")) filterList(select);
    refreshTimes();
  }

  // --- lists narrowed to one type (the Events panel) --------------------------
  // Each option says how many rows of its type the list has.
  function filterList(select) {
    const list = document.getElementById(select.dataset.filterList);
    if (!list) return;
    const counts = {};
    for (const row of list.querySelectorAll("li[data-type]")) {
      counts[row.dataset.type] = (counts[row.dataset.type] || 0) + 1;
      row.hidden = select.value !== "" && row.dataset.type !== select.value;
    }
    let all = 0;
    for (const option of select.options) {
      if (option.value === "") continue;
      const n = counts[option.value] || 0;
      all += n;
      option.textContent = option.value + " (" + n + ")";
    }
    select.options[0].textContent = "All types (" + all + ")";
  }
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLSelectElement && event.target.dataset.filterList) filterList(event.target);
  });

  // --- a callback's JSON, wide (its Copy is a copy button, below) -------------
  document.addEventListener("click", (event) => {
    const open = event.target.closest("[data-json-view]");
    if (open) {
      const dialog = document.getElementById("json-view");
      const pre = open.closest("li") && open.closest("li").querySelector("pre");
      if (!dialog || !pre) return;
      document.getElementById("json-view-body").textContent = pre.textContent;
      document.getElementById("json-view-title").textContent = open.dataset.jsonView;
      dialog.showModal();
      return;
    }
    const close = event.target.closest("[data-close-dialog]");
    if (close) {
      const dialog = document.getElementById(close.dataset.closeDialog);
      if (dialog) dialog.close();
    }
  });

  // --- chats follow what arrives -------------------------------------------
  // A chat that was scrolled to its end stays there as messages arrive; one
  // the reader scrolled up in keeps its place and shows a "New messages"
  // pill instead. A chat replaced whole (the desk) is found again by id.
  function atBottom(chat) { return chat.scrollHeight - chat.scrollTop - chat.clientHeight < 48; }
  function scrollToEnd(chat) {
    chat.scrollTop = chat.scrollHeight;
    const pill = document.getElementById(chat.id + "-new");
    if (pill) pill.hidden = true;
  }
  function followChat(before) {
    const chat = document.getElementById(before.id);
    if (!chat) return;
    if (before.follow) { scrollToEnd(chat); return; }
    if (chat !== before.chat) chat.scrollTop = before.top;
    const pill = document.getElementById(chat.id + "-new");
    if (pill && chat.scrollHeight > before.height) pill.hidden = false;
  }
  document.addEventListener("click", (event) => {
    const pill = event.target.closest("[data-scroll-to]");
    if (pill) {
      const chat = document.getElementById(pill.dataset.scrollTo);
      if (chat) scrollToEnd(chat);
    }
  });
  document.addEventListener("scroll", (event) => {
    const chat = event.target;
    if (chat instanceof Element && chat.matches(".chat[id]") && atBottom(chat)) {
      const pill = document.getElementById(chat.id + "-new");
      if (pill) pill.hidden = true;
    }
  }, true);

  // --- writing messages ------------------------------------------------------
  // Enter sends, Shift+Enter adds a line (not while an input method is
  // composing a character).
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.hasAttribute("data-enter-sends")) return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    if (box.form) box.form.requestSubmit();
  });
  // A control word chip starts the message with its word, where the
  // simulator reads it, and leaves the cursor after it.
  document.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-insert]");
    if (!chip) return;
    const box = document.getElementById(chip.dataset.for);
    if (!box) return;
    const word = chip.dataset.insert;
    const rest = box.value.replace(/^#\S*\s*/, "");
    box.value = word.endsWith(" ") ? word + rest : word + (rest ? " " + rest : "");
    box.focus();
    const at = word.endsWith(" ") ? word.length : box.value.length;
    box.setSelectionRange(at, at);
  });

  // --- remembered fields -------------------------------------------------------
  // A form with data-remember="id id" remembers those fields on submit (the
  // start form's work type and integration) and, when it also has
  // data-restore (it is fresh, not showing what was sent with an error),
  // fills them with what this browser sent last time.
  function remembered(form) {
    return (form.dataset.remember || "").split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id)).filter((el) => el instanceof HTMLInputElement);
  }
  function restoreRemembered() {
    for (const form of document.querySelectorAll("form[data-remember][data-restore]")) {
      for (const input of remembered(form)) {
        let saved = null;
        try { saved = localStorage.getItem("parley.remember." + input.id); } catch (_) { /* storage off */ }
        if (saved) input.value = saved;
      }
    }
  }


  // --- copy buttons ---------------------------------------------------------
  // <button data-copy="ID"> copies the text of the element ID.
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const text = source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      // Without the clipboard API (plain http), select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(source);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      button.textContent = "Selected: press Ctrl+C";
      return;
    }
    button.textContent = "Copied";
    button.dataset.copied = "";
    setTimeout(() => { button.textContent = "Copy"; delete button.dataset.copied; }, 2000);
  });

  // --- the connection form ----------------------------------------------------
  // A region code fills in the token URL while it is empty or still the
  // one a region made; the server does the same on save without script.
  document.addEventListener("input", (event) => {
    const region = event.target;
    if (!(region instanceof HTMLInputElement) || !region.hasAttribute("data-region")) return;
    const tokenURL = document.getElementById("conn-token-url");
    if (!tokenURL) return;
    const pattern = /^https:\/\/myaspect\.[a-z0-9]*\.id\.aspect-cloud\.net\/tokenservice\/oauth2\/access_token$/;
    const code = region.value.trim().toLowerCase();
    if (tokenURL.value !== "" && !pattern.test(tokenURL.value)) return;
    tokenURL.value = /^[a-z]{2,4}[0-9]{0,2}$/.test(code) ? "https://myaspect." + code + ".id.aspect-cloud.net/tokenservice/oauth2/access_token" : "";
  });

  // --- forms sent in the background --------------------------------------
  async function submitAsync(form, event) {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const errorBox = document.getElementById(form.id + "-error");
    if (button) button.disabled = true;
    try {
      const res = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { "Accept": "application/json", "X-Parley-Async": "1" },
        credentials: "same-origin",
      });
      let data = {};
      try { data = await res.json(); } catch (_) { data = { error: "The server answered " + res.status + "." }; }
      if (data.items) place(data.items);
      if (errorBox) {
        errorBox.textContent = data.error || "";
        errorBox.hidden = !data.error;
      }
      if (data.redirect) { location.assign(data.redirect); return; }
      if (!data.error && form.hasAttribute("data-reset")) {
        form.reset();
        const box = form.querySelector("textarea[data-enter-sends]");
        if (box) box.focus();
      }
    } catch (err) {
      if (errorBox) { errorBox.textContent = "Could not reach Parley: " + err.message; errorBox.hidden = false; }
    } finally {
      if (button && document.contains(button)) button.disabled = false;
    }
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    // Actions that cannot be undone ask first.
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    for (const input of remembered(form)) {
      try { localStorage.setItem("parley.remember." + input.id, input.value); } catch (_) { /* storage off */ }
    }
    if (form.hasAttribute("data-async")) submitAsync(form, event);
  });

  // --- the live channel ---------------------------------------------------
  // The page says where to listen (data-live) and how far it is (data-seq).
  // After a drop it reconnects with backoff and asks for what it missed.
  function connectLive(root) {
    const status = document.getElementById("live-status");
    let attempt = 0;
    const setStatus = (state, text) => {
      if (!status) return;
      status.dataset.state = state;
      status.textContent = text;
    };
    function open() {
      const url = new URL(root.dataset.live, location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.searchParams.set("after", root.dataset.seq || "0");
      const ws = new WebSocket(url);
      window.Parley.socket = ws;
      ws.onopen = () => { attempt = 0; setStatus("open", "Live"); };
      ws.onmessage = (msg) => {
        let data;
        try { data = JSON.parse(msg.data); } catch (_) { return; }
        place(data.items);
        if (data.seq !== undefined) root.dataset.seq = String(data.seq);
      };
      ws.onclose = (event) => {
        // 1008: the sign-in ended (signed out, disabled, password reset,
        // role changed). Reloading shows the sign-in page or the new role.
        if (event.code === 1008) {
          setStatus("closed", "Signed out");
          location.reload();
          return;
        }
        attempt++;
        const delay = Math.min(10000, 500 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
        setStatus("closed", "Reconnecting…");
        setTimeout(open, delay);
      };
    }
    open();
  }

  window.Parley = { refreshTimes, place };
  document.addEventListener("DOMContentLoaded", () => {
    refreshTimes();
    setInterval(refreshTimes, 20000);
    const root = document.querySelector("[data-live]");
    if (root && "WebSocket" in window) connectLive(root);
    for (const chat of document.querySelectorAll(".chat[id]")) scrollToEnd(chat);
    for (const select of document.querySelectorAll("select[data-filter-list]")) filterList(select);
    restoreRemembered();
  });
})();
