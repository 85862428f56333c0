/* The local workspace page: pick a person, a channel / the bot's DM / App Home; type /qwen …; click.
   State comes from GET /ui/state (long-polled); actions go to POST /ui/<send|action|home|submit|close>. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const BK = window.BlockKit;
  // The per-run secret the server put in this page: POSTs without it are refused (pageguard.py).
  const SECRET = (document.querySelector('meta[name="local-workspace-secret"]') || {}).content || "";
  const query = new URLSearchParams(location.search);
  const ui = {
    user: query.get("user") || localStorage.getItem("ls.user") || "U_MEMBER",
    nav: query.get("view") || localStorage.getItem("ls.view") || "C_GENERAL", // channel id | "dm" | "home"
    state: null, rendered: "", busy: 0,
    seen: {},  // "user/channel" -> message count seen, for unread marks in the sidebar
  };

  async function api(path, body) {
    const resp = await fetch("/ui/" + path, { method: "POST", headers: { "Content-Type": "application/json",
      "X-Local-Workspace-Secret": SECRET },
      body: JSON.stringify({ user: ui.user, ...body }) });
    const out = await resp.json().catch(() => ({ ok: false, error: "HTTP " + resp.status }));
    if (!out.ok) setStatus(out.error ? "The app did not answer: " + out.error : "Request failed", true);
    else setStatus("");
    await refresh();
    return out;
  }

  function setStatus(text, isError) {
    const s = $("status");
    s.textContent = text;
    s.classList.toggle("error", !!isError);
  }

  function channelId() {
    if (!ui.state) return null;
    if (ui.nav === "dm" || ui.nav === "home") return ui.state.dm;
    return ui.nav;
  }

  function remember() {
    localStorage.setItem("ls.user", ui.user);
    localStorage.setItem("ls.view", ui.nav);
    const q = new URLSearchParams({ user: ui.user, view: ui.nav });
    history.replaceState(null, "", "?" + q.toString());
  }

  async function fetchState(since, wait) {
    const q = new URLSearchParams({ user: ui.user });
    if (since !== undefined) { q.set("since", String(since)); q.set("wait", String(wait)); }
    const resp = await fetch("/ui/state?" + q.toString());
    if (!resp.ok) throw new Error("state " + resp.status);
    return resp.json();
  }

  async function refresh() {
    try { apply(await fetchState()); } catch (e) { setStatus("Lost the local workspace: " + e.message, true); }
  }

  async function poll() {
    for (;;) {
      try {
        const since = ui.state ? ui.state.version : undefined;
        const user = ui.user;
        const state = await fetchState(since, 8);
        if (user === ui.user) apply(state);
      } catch (e) {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  function apply(state) {
    if (!state.ok) return;
    ui.state = state;
    renderSidebar();
    const key = JSON.stringify([ui.user, ui.nav, state.version]);
    if (key !== ui.rendered) { ui.rendered = key; renderMain(); renderModal(); }
  }

  function renderSidebar() {
    const st = ui.state;
    const picker = $("user-picker");
    const wanted = st.people.map((p) => p.id).join(",");
    if (picker.dataset.ids !== wanted) {
      picker.innerHTML = "";
      for (const p of st.people) {
        picker.appendChild(BK.el("option", { value: p.id, text: p.real_name + (p.is_admin ? " (admin)" : " (member)") }));
      }
      picker.dataset.ids = wanted;
    }
    picker.value = ui.user;
    const me = st.people.find((p) => p.id === ui.user);
    $("user-tz").textContent = me ? "Timezone: " + me.tz + " (" + me.tz_label + ")" : "";
    $("team-name").textContent = st.team.name + " workspace";
    $("bot-name-home").textContent = st.bot.name;
    $("bot-name-dm").textContent = st.bot.name;
    const list = $("channel-list");
    list.innerHTML = "";
    for (const c of st.channels) {
      const b = BK.el("button", { class: "nav-item", "data-testid": "channel-" + c.name, "data-nav": c.id,
        title: c.is_member ? "" : "the app is not in this channel" }, [BK.el("span", { text: "# " + c.name })]);
      list.appendChild(BK.el("li", {}, [b]));
    }
    const current = ui.nav === "home" ? null : channelId();
    if (current) ui.seen[ui.user + "/" + current] = (st.messages[current] || []).length;
    for (const b of document.querySelectorAll("[data-nav]")) {
      const nav = b.getAttribute("data-nav");
      const cid = nav === "dm" || nav === "home" ? st.dm : nav;
      const unread = nav !== "home" && cid !== current
        && (st.messages[cid] || []).length > (ui.seen[ui.user + "/" + cid] || 0);
      b.classList.toggle("unread", unread);
      b.setAttribute("data-unread", unread ? "true" : "false");
      b.classList.toggle("active", nav === ui.nav);
      b.onclick = () => navigate(b.getAttribute("data-nav"));
    }
  }

  function navigate(nav) {
    ui.nav = nav;
    remember();
    ui.rendered = "";
    apply(ui.state);
    if (nav === "home") api("home", { tab: "home" });
    else if (nav === "dm") api("home", { tab: "messages" });  // Slack sends app_home_opened for both tabs
    $("composer").focus();
  }

  function onAction(message, view) {
    return (element, blockId, extra) => {
      const body = { action_id: element.action_id, block_id: blockId, ...extra };
      if (view) body.view_id = view.id;
      else { body.channel = message.channel; body.ts = message.ts; }
      setStatus("Sent to the app…");
      api("action", body);
    };
  }

  function time(ts) {  // in the chosen person's Slack timezone, as Slack shows it
    const d = new Date(Number(ts) * 1000);
    const me = ui.state && ui.state.people.find((p) => p.id === ui.user);
    try { return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: me ? me.tz : undefined }); }
    catch (e) { return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
  }

  function renderMessage(m) {
    const st = ui.state;
    const who = m.kind === "error" ? "Slackbot" : (st.names[m.user] || m.user || "app");
    const isBot = !!m.bot_id;
    const head = BK.el("div", { class: "msg-head" }, [
      BK.el("span", { class: "msg-author", "data-testid": "message-author", text: who }),
      isBot ? BK.el("span", { class: "app-badge", text: "APP" }) : null,
      BK.el("span", { class: "msg-time", text: time(m.ts) }),
      m.edited ? BK.el("span", { class: "msg-edited", text: "(edited)" }) : null]);
    const body = BK.el("div", { class: "msg-body", "data-testid": "message-body" });
    if (m.blocks && m.blocks.length) body.appendChild(BK.render(m.blocks, { names: st.names, files: st.files, onAction: onAction(m) }));
    else body.appendChild(BK.textObj(m.text || "", st.names, m.kind === "command" ? "msg-command" : ""));
    for (const f of m.files || []) {
      const link = BK.el("a", { href: f.url_private, target: "_blank", rel: "noopener", class: "file", "data-testid": "file" });
      if ((f.mimetype || "").startsWith("image/")) link.appendChild(BK.el("img", { src: f.url_private, alt: f.title || f.name }));
      link.appendChild(BK.el("span", { class: "file-name", text: "📎 " + (f.title || f.name) }));
      body.appendChild(link);
    }
    const avatar = BK.el("div", { class: "avatar" + (isBot ? " bot" : ""), text: isBot ? "Q" : who.slice(0, 1).toUpperCase() });
    const foot = m.ephemeral ? BK.el("div", { class: "ephemeral-label", "data-testid": "ephemeral-label",
      text: "Only visible to you" }) : null;
    return BK.el("article", { class: "msg" + (m.ephemeral ? " ephemeral" : "") + " kind-" + m.kind,
      "data-testid": "message", "data-ts": m.ts, "data-kind": m.kind, "data-ephemeral": m.ephemeral ? "true" : "false",
      "data-author": m.user || "" }, [avatar, BK.el("div", { class: "msg-main" }, [head, body, foot])]);
  }

  function renderMain() {
    const st = ui.state;
    const isHome = ui.nav === "home";
    const cid = channelId();
    const known = isHome || ui.nav === "dm" || st.channels.some((c) => c.id === ui.nav);
    if (!known) { ui.nav = "C_GENERAL"; }
    $("app-tabs").hidden = !(isHome || ui.nav === "dm");
    for (const t of $("app-tabs").querySelectorAll("button")) t.classList.toggle("active", t.getAttribute("data-nav") === ui.nav);
    const ch = st.channels.find((c) => c.id === cid);
    $("channel-title").textContent = ch ? "#" + ch.name : st.bot.name;
    $("message-list").hidden = isHome;
    $("composer-form").hidden = isHome;
    $("app-home").hidden = !isHome;
    $("composer").placeholder = ui.nav === "dm" ? "Message " + st.bot.name + " (or /qwen …)" : "Message #" + (ch ? ch.name : "") + " — try /qwen help";
    if (isHome) {
      const home = $("app-home");
      home.innerHTML = "";
      if (st.home) home.appendChild(BK.render(st.home.blocks, { names: st.names, files: st.files, onAction: onAction(null, st.home) }));
      else home.appendChild(BK.el("p", { class: "empty", "data-testid": "home-empty", text: "The app has not published a Home view yet." }));
      return;
    }
    const list = $("message-list");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    list.innerHTML = "";
    const msgs = (st.messages[cid] || []).slice().sort((a, b) => Number(a.ts) - Number(b.ts));
    if (!msgs.length) list.appendChild(BK.el("p", { class: "empty", "data-testid": "empty", text: "No messages yet. Type /qwen help below." }));
    for (const m of msgs) list.appendChild(renderMessage(m));
    if (atBottom || ui.busy) list.scrollTop = list.scrollHeight;
  }

  function renderModal() {
    const st = ui.state;
    const modal = $("modal");
    if (!st.modal) { modal.hidden = true; modal.dataset.viewId = ""; return; }
    const sameView = modal.dataset.viewId === st.modal.id + ":" + st.modal.hash + ":" + JSON.stringify(st.modal.errors);
    modal.hidden = false;
    if (sameView) return;
    modal.dataset.viewId = st.modal.id + ":" + st.modal.hash + ":" + JSON.stringify(st.modal.errors);
    $("modal-title").textContent = (st.modal.title && st.modal.title.text) || "";
    $("modal-submit").textContent = (st.modal.submit && st.modal.submit.text) || "Submit";
    $("modal-submit").hidden = !st.modal.submit;
    const body = $("modal-body");
    const typed = {};  // keep what the person typed when the same view comes back with errors
    const sameId = modal.dataset.shownId === st.modal.id;
    modal.dataset.shownId = st.modal.id;
    if (sameId) for (const node of body.querySelectorAll("[data-block-id][data-action-id]")) {
      typed[node.getAttribute("data-block-id") + "/" + node.getAttribute("data-action-id")] = node.value;
    }
    body.innerHTML = "";
    body.appendChild(BK.render(st.modal.blocks, { names: st.names, files: st.files, errors: st.modal.errors, onAction: onAction(null, st.modal) }));
    for (const node of body.querySelectorAll("[data-block-id][data-action-id]")) {
      const key = node.getAttribute("data-block-id") + "/" + node.getAttribute("data-action-id");
      if (typed[key]) node.value = typed[key];
    }
  }

  $("composer-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("composer");
    const text = input.value.trim();
    if (!text || !ui.state) return;
    input.value = "";
    ui.busy += 1;
    setStatus(text.startsWith("/") ? "Running " + text.split(" ")[0] + "…" : "Sending…");
    try { await api("send", { channel: channelId(), text }); } finally { ui.busy -= 1; }
  });
  $("user-picker").addEventListener("change", () => {
    ui.user = $("user-picker").value;
    remember();
    ui.rendered = "";
    refresh().then(() => { if (ui.nav === "home") api("home", { tab: "home" }); });
  });
  $("modal-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    api("submit", { view_id: ui.state.modal.id, values: BK.inputValues($("modal-body")) });
  });
  const closeModal = () => ui.state && ui.state.modal && api("close", { view_id: ui.state.modal.id });
  $("modal-close").addEventListener("click", closeModal);
  $("modal-cancel").addEventListener("click", closeModal);

  remember();
  refresh().then(() => { if (ui.nav === "home") api("home", { tab: "home" }); poll(); });
})();
