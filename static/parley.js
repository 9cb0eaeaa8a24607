// Parley's only script. It places HTML the server rendered (live updates and
// answers to forms sent in the background) and keeps relative times fresh.
// Every form also works without it, by plain POST and redirect.
"use strict";

(function () {
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
  function refreshTimes(root) {
    const now = Date.now();
    // Notices that become true with time ("no callback for 30 s").
    for (const el of (root || document).querySelectorAll("[data-show-after]")) {
      const t = Date.parse(el.getAttribute("data-show-after"));
      if (!Number.isNaN(t) && now >= t) el.hidden = false;
    }
    for (const el of (root || document).querySelectorAll("time[data-relative]")) {
      const t = Date.parse(el.getAttribute("datetime"));
      if (!Number.isNaN(t)) el.textContent = relative(now - t);
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
      if (container.id === "transcript") container.scrollTop = container.scrollHeight;
    }
    refreshTimes();
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
      if (!data.error && form.hasAttribute("data-reset")) form.reset();
    } catch (err) {
      if (errorBox) { errorBox.textContent = "Could not reach Parley: " + err.message; errorBox.hidden = false; }
    } finally {
      if (button && document.contains(button)) button.disabled = false;
    }
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-async")) submitAsync(form, event);
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
    const transcript = document.getElementById("transcript");
    if (transcript) transcript.scrollTop = transcript.scrollHeight;
  });
})();
