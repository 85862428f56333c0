/* Block Kit -> DOM, for the local workspace page. Plain JS, no build step.
   BlockKit.render(blocks, ctx) returns a DocumentFragment; ctx.onAction(element, blockId, extra) is called
   when a button is clicked or a select changes; ctx.names maps user ids to names for <@U…> mentions. */
(function () {
  "use strict";

  const EMOJI = {
    warning: "⚠️", white_check_mark: "✅", x: "❌", heavy_check_mark: "✔️", chart_with_upwards_trend: "📈",
    chart_with_downwards_trend: "📉", bar_chart: "📊", moneybag: "💰", money_with_wings: "💸", hourglass: "⌛",
    hourglass_flowing_sand: "⏳", lock: "🔒", key: "🔑", information_source: "ℹ️", bulb: "💡", calendar: "📆",
    date: "📅", clock3: "🕒", rocket: "🚀", tada: "🎉", wave: "👋", link: "🔗", red_circle: "🔴",
    large_green_circle: "🟢", large_yellow_circle: "🟡", large_orange_circle: "🟠", robot_face: "🤖",
    mag: "🔍", gear: "⚙️", memo: "📝", email: "📧", no_entry: "⛔", rotating_light: "🚨", fire: "🔥",
    arrow_up: "⬆️", arrow_down: "⬇️", small_red_triangle: "🔺", small_red_triangle_down: "🔻", sparkles: "✨",
  };

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function unesc(s) {
    return String(s).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }
  function imageSrc(obj, ctx) {  // image_url, or an uploaded file: slack_file {id} / {url}
    if (obj.image_url) return safeUrl(obj.image_url);
    const f = obj.slack_file || {};
    return safeUrl(f.url || ((ctx && ctx.files && ctx.files[f.id]) || ""));
  }
  function safeUrl(url) {
    return /^(https?:|mailto:)/i.test(url) ? url : "#";
  }
  function emoji(html) {
    return html.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
  }

  /* Slack mrkdwn: ```pre```, `code`, *bold*, _italic_, ~strike~, > quotes, <url|label>, <@U>, <#C|name>,
     <!here>, line breaks. Text arrives with &, <, > escaped as entities (as Slack requires). */
  function mrkdwn(text, names) {
    const slots = [];
    const keep = (html) => { slots.push(html); return "\u0000" + (slots.length - 1) + "\u0000"; };
    let s = String(text || "");
    s = s.replace(/```\n?([\s\S]*?)```/g, (m, code) => keep("<pre class=\"bk-pre\">" + esc(unesc(code)) + "</pre>"));
    s = s.replace(/`([^`\n]+)`/g, (m, code) => keep("<code class=\"bk-code\">" + esc(unesc(code)) + "</code>"));
    s = s.replace(/<([^<>\n]+)>/g, (m, inner) => {
      const [target, label] = inner.split("|", 2);
      if (target.startsWith("@")) {
        const id = target.slice(1);
        return keep("<span class=\"bk-mention\">@" + esc((names && names[id]) || label || id) + "</span>");
      }
      if (target.startsWith("#")) return keep("<span class=\"bk-mention\">#" + esc(label || target.slice(1)) + "</span>");
      if (target.startsWith("!")) return keep("<span class=\"bk-mention\">@" + esc((label || target.slice(1)).split("^")[0]) + "</span>");
      const url = unesc(target);
      return keep("<a href=\"" + esc(safeUrl(url)) + "\" target=\"_blank\" rel=\"noopener\">" + esc(unesc(label || url)) + "</a>");
    });
    s = esc(unesc(s));
    s = s.replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, "$1<b>$2</b>");
    s = s.replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, "$1<i>$2</i>");
    s = s.replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, "$1<s>$2</s>");
    s = s.split("\n").map((line) => line.startsWith("&gt; ") || line === "&gt;"
      ? "<span class=\"bk-quote\">" + line.replace(/^&gt; ?/, "") + "</span>" : line).join("\n");
    s = emoji(s).replace(/\n/g, "<br>");
    return s.replace(/\u0000(\d+)\u0000/g, (m, i) => slots[Number(i)]);
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "html") node.innerHTML = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }

  function textObj(obj, names, cls) {
    if (!obj) return el("span");
    if (typeof obj === "string") return el("span", { class: cls, html: mrkdwn(obj, names) });
    if (obj.type === "plain_text") return el("span", { class: cls, html: obj.emoji === false ? esc(obj.text) : emoji(esc(obj.text)) });
    return el("div", { class: (cls || "") + " bk-mrkdwn", html: mrkdwn(obj.text, names) });
  }

  function options(element) {
    const out = [];
    for (const opt of element.options || []) out.push({ opt });
    for (const group of element.option_groups || []) for (const opt of group.options || []) out.push({ opt, group: group.label });
    return out;
  }

  function element(e, blockId, ctx) {
    const act = (extra) => ctx.onAction && ctx.onAction(e, blockId, extra || {});
    const aid = e.action_id || "";
    if (e.type === "button") {
      const cls = "bk-button" + (e.style ? " " + e.style : "");
      if (e.url) {
        const a = el("a", { class: cls, href: safeUrl(e.url), target: "_blank", rel: "noopener",
          "data-testid": "button", "data-action-id": aid, "data-url": e.url }, [textObj(e.text, ctx.names)]);
        a.addEventListener("click", () => act({ value: e.value }));
        return a;
      }
      const b = el("button", { type: "button", class: cls, "data-testid": "button", "data-action-id": aid,
        "data-value": e.value }, [textObj(e.text, ctx.names)]);
      b.addEventListener("click", () => { b.disabled = true; act({ value: e.value }); });
      return b;
    }
    if (e.type === "static_select" || e.type === "overflow" || e.type === "radio_buttons") {
      const sel = el("select", { class: "bk-select", "data-testid": "select", "data-action-id": aid,
        "aria-label": (e.placeholder && e.placeholder.text) || aid });
      const initial = e.initial_option && e.initial_option.value;
      sel.appendChild(el("option", { value: "", text: (e.placeholder && e.placeholder.text) || (e.type === "overflow" ? "⋯" : "Select an item"), disabled: true, selected: !initial }));
      for (const { opt, group } of options(e)) {
        sel.appendChild(el("option", { value: opt.value, selected: opt.value === initial,
          text: (group ? group.text + " · " : "") + opt.text.text }));
      }
      if (!ctx.inputMode) sel.addEventListener("change", () => act({ selected: sel.value }));
      return sel;
    }
    if (e.type === "image") return el("img", { class: "bk-image-el", src: imageSrc(e, ctx), alt: e.alt_text || "" });
    if (e.type === "plain_text_input") {
      const tag = e.multiline ? "textarea" : "input";
      return el(tag, { class: "bk-input", "data-testid": "input", "data-action-id": aid,
        value: e.initial_value, placeholder: e.placeholder && e.placeholder.text });
    }
    if (e.type === "datepicker") return el("input", { type: "date", class: "bk-input", "data-testid": "input", "data-action-id": aid, value: e.initial_date });
    return el("span", { class: "bk-unsupported", text: "[" + e.type + "]" });
  }

  function richText(block, ctx) {
    const parts = [];
    const walk = (node) => {
      if (node.type === "text") parts.push(node.text);
      else if (node.type === "link") parts.push("<" + node.url + "|" + (node.text || node.url) + ">");
      else if (node.type === "user") parts.push("<@" + node.user_id + ">");
      for (const child of node.elements || []) walk(child);
      if (node.type === "rich_text_section" || node.type === "rich_text_preformatted") parts.push("\n");
    };
    walk(block);
    return el("div", { class: "bk-mrkdwn", html: mrkdwn(parts.join("").trim(), ctx.names) });
  }

  function block(b, i, ctx) {
    const id = b.block_id || "b" + i;
    const base = { class: "bk-block bk-" + (b.type === "input" ? "input-block" : b.type), "data-block-id": id };
    switch (b.type) {
      case "header":
        return el("div", { ...base, "data-testid": "block-header" }, [textObj(b.text, ctx.names)]);
      case "section": {
        const body = el("div", { class: "bk-section-body" }, [b.text ? textObj(b.text, ctx.names, "bk-text") : null]);
        if (b.fields) body.appendChild(el("div", { class: "bk-fields" }, b.fields.map((f) => el("div", { class: "bk-field", "data-testid": "section-field" }, [textObj(f, ctx.names)]))));
        const acc = b.accessory ? el("div", { class: "bk-accessory" }, [element(b.accessory, id, ctx)]) : null;
        return el("div", { ...base, "data-testid": "block-section" }, [body, acc]);
      }
      case "divider":
        return el("hr", { ...base, "data-testid": "block-divider" });
      case "context":
        return el("div", { ...base, "data-testid": "block-context" }, (b.elements || []).map((e) =>
          e.type === "image" ? el("img", { class: "bk-context-img", src: imageSrc(e, ctx), alt: e.alt_text || "" }) : textObj(e, ctx.names)));
      case "actions":
        return el("div", { ...base, "data-testid": "block-actions" }, (b.elements || []).map((e) => element(e, id, ctx)));
      case "image":
        return el("figure", { ...base, "data-testid": "block-image" }, [
          b.title ? el("figcaption", { text: b.title.text }) : null,
          el("img", { src: imageSrc(b, ctx), alt: b.alt_text || "" })]);
      case "input": {
        const input = element(b.element || {}, id, { ...ctx, inputMode: true });
        input.setAttribute("data-block-id", id);
        const error = ctx.errors && ctx.errors[id];
        return el("label", { ...base, "data-testid": "block-input" }, [
          el("span", { class: "bk-label", text: (b.label && b.label.text) || "" }), input,
          b.hint ? el("span", { class: "bk-hint", text: b.hint.text }) : null,
          error ? el("span", { class: "bk-error", "data-testid": "modal-error", text: error }) : null]);
      }
      case "rich_text":
        return el("div", { ...base, "data-testid": "block-rich-text" }, [richText(b, ctx)]);
      case "markdown":
        return el("div", { ...base, "data-testid": "block-markdown" }, [textObj({ type: "mrkdwn", text: b.text }, ctx.names)]);
      default:
        return el("div", { ...base, class: "bk-unsupported", text: "[unsupported block: " + b.type + "]" });
    }
  }

  function render(blocks, ctx) {
    const frag = document.createDocumentFragment();
    (blocks || []).forEach((b, i) => frag.appendChild(block(b, i, ctx || {})));
    return frag;
  }

  /* Values of a modal's input blocks, shaped like view.state.values. */
  function inputValues(root) {
    const values = {};
    for (const node of root.querySelectorAll("[data-block-id][data-action-id]")) {
      const blockId = node.getAttribute("data-block-id");
      const actionId = node.getAttribute("data-action-id");
      values[blockId] = values[blockId] || {};
      if (node.tagName === "SELECT") {
        const opt = node.selectedOptions[0];
        values[blockId][actionId] = { type: "static_select", selected_option: node.value ? { text: { type: "plain_text", text: opt.textContent }, value: node.value } : null };
      } else if (node.type === "date") {
        values[blockId][actionId] = { type: "datepicker", selected_date: node.value || null };
      } else {
        values[blockId][actionId] = { type: "plain_text_input", value: node.value || null };
      }
    }
    return values;
  }

  window.BlockKit = { render, mrkdwn, inputValues, el, textObj };
})();
