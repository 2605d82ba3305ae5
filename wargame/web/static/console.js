// The wargame session console: renders a seat's page or the white cell's dashboard from its state,
// sends commands, and follows server-sent events so the page updates without reloads.
// The token comes from the page's link (?token=...) and goes to the API only in the Authorization header.
"use strict";

(function () {
  const page = document.body.dataset.page;
  const token = new URLSearchParams(location.search).get("token") || "";
  const seatName = page === "seat" ? decodeURIComponent(location.pathname.split("/")[2] || "") : "";
  const api = page === "seat" ? `/api/seats/${encodeURIComponent(seatName)}` : "/api/white-cell";
  const auth = { Authorization: `Bearer ${token}` };
  let state = JSON.parse(document.getElementById("initial-state").textContent);
  let refreshing = null;
  let again = false;

  // ------------------------------------------------------------------ helpers
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "style") node.style.cssText = value; // CSSOM: allowed by the pages' CSP
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const $ = (id) => document.getElementById(id);
  // Each refresh (after a push or a command) renders the page again. Where a part's markup comes out the
  // same, its nodes stay: a button replaced between a mouse press and its release gets no click, so a move
  // made as a refresh landed would be lost, and text typed into a replaced field would vanish.
  function fill(id, ...nodes) {
    const target = $(id);
    if (!target) return;
    const next = document.createElement(target.tagName);
    next.replaceChildren(...nodes.flat());
    if (next.innerHTML !== target.innerHTML) target.replaceChildren(...next.childNodes);
  }
  function num(value, digits = 3) {
    if (value === null || value === undefined) return "–";
    return Number.isInteger(value) ? String(value) : Number(value).toFixed(digits);
  }
  function table(header, rows, attrs) {
    return h("table", attrs || {}, h("thead", {}, h("tr", {}, header.map((x) => h("th", {}, x)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((x) => h("td", {}, x))))));
  }
  function requestId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function effectsText(effects) {
    return (effects || []).map((e) => {
      if ("add" in e && e.add !== null) return `${e.quantity} ${e.add >= 0 ? "+" : ""}${e.add}`;
      if ("multiply" in e && e.multiply !== null) return `${e.quantity} ×${e.multiply}`;
      if ("set" in e && e.set !== null) return `${e.quantity} = ${e.set}`;
      return e.quantity;
    }).join("; ") || "no effect";
  }
  function feedback(text, kind) {
    const node = $("feedback");
    node.textContent = text;
    node.className = `feedback ${kind || ""}`;
  }

  // ------------------------------------------------------------------ talking to the server
  async function send(body) {
    body.turn = state.session.turn;
    body.request_id = requestId();
    document.body.classList.add("busy");
    try {
      const response = await fetch(`${api}/commands`, {
        method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const data = await response.json().catch(() => ({}));
      if (response.status === 200) feedback(`Recorded: ${data.describe} (journal entry #${data.seq})`, "ok");
      else if (response.status === 202) feedback(`Queued: ${data.describe}. It applies when your move comes.`, "ok");
      else feedback(data.detail || `refused (${response.status})`, "bad");
    } catch (error) {
      feedback(`could not reach the server: ${error}`, "bad");
    } finally {
      document.body.classList.remove("busy");
      refresh();
    }
  }

  async function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = (async () => {
      do {
        again = false;
        try {
          const response = await fetch(`${api}/state`, { headers: auth, cache: "no-store" });
          if (response.ok) {
            const next = await response.json();
            if (next.version >= state.version) { state = next; render(); }
          }
        } catch (error) { /* the event stream reconnects and refreshes again */ }
      } while (again);
    })();
    try { await refreshing; } finally { refreshing = null; }
  }

  async function listen() {
    for (;;) {
      try {
        const response = await fetch(`${api}/events`, { headers: auth, cache: "no-store" });
        if (!response.ok || !response.body) throw new Error(String(response.status));
        setLive(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const chunk = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (/^event: changed$/m.test(chunk)) refresh();
          }
        }
      } catch (error) { /* reconnect below */ }
      setLive(false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  function setLive(live) {
    const node = $("live");
    node.textContent = live ? "live" : "reconnecting…";
    node.className = `live ${live ? "on" : "off"}`;
  }

  // ------------------------------------------------------------------ common pieces
  let shownTurn = null;
  function renderHeader() {
    const s = state.session;
    const turnKey = `${s.branch}:${s.turn}`;
    if (shownTurn !== null && shownTurn !== turnKey) feedback("", ""); // last turn's word is stale
    shownTurn = turnKey;
    $("who").textContent = page === "seat" ? `${state.actor_name} (${state.seat})` : "White cell";
    $("scenario").textContent = s.scenario_name;
    $("turn").textContent = s.finished ? `Finished after turn ${s.turn}` : `Turn ${s.turn} of ${s.turns_total}`;
    $("day").textContent = `· day ${s.day}`;
    $("branch").textContent = s.branch ? `· branch ${s.branch}` : "";
    let phase;
    if (s.error) phase = `Stopped with an error: ${s.error}`;
    else if (s.finished) phase = "The session is finished.";
    else if (s.paused) phase = "Paused by the white cell.";
    else phase = `Waiting for ${s.waiting_for === "white_cell" ? "the white cell" : s.waiting_for}` +
      ` · order: ${s.order.map((x) => (x === "white_cell" ? "white cell" : x)).join(" → ")}`;
    $("phase").textContent = phase;
    document.body.classList.toggle("your-move", Boolean(state.your_move));
    const link = $("report-link");
    if (link) {
      link.href = `/report?token=${encodeURIComponent(token)}`;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.hidden = page === "seat" && !s.finished;
    }
  }

  function tickClock() {
    const node = $("turn-clock");
    if (!node || !state.session.turn_opened_utc || state.session.finished) { if (node) node.textContent = ""; return; }
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(state.session.turn_opened_utc)) / 1000));
    const m = Math.floor(seconds / 60), sec = String(seconds % 60).padStart(2, "0");
    node.textContent = `· turn open ${m}:${sec}`;
  }

  function gauge(posture, extra) {
    const rungs = posture.rungs;
    const cells = [];
    for (let i = 0; i < rungs; i++) {
      cells.push(h("div", { class: `rung ${i < posture.rung_index ? "past" : ""} ${i === posture.rung_index ? "now" : ""}`,
        style: `--level:${i / Math.max(1, rungs - 1)}` }));
    }
    return h("div", { class: "gauge", id: "gauge-bar", "data-rung": posture.rung_index },
      h("div", { class: "rungs" }, cells),
      h("p", {}, h("strong", {}, posture.rung_name), ` — rung ${posture.rung_index} of ${rungs - 1}`, extra || ""));
  }

  // An SVG element of the given size and class, and a function that adds a shape (tag, attributes, text)
  // to it and returns the shape.
  function drawing(width, height, cls) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("class", cls);
    const add = (tag, attrs, text) => {
      const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      svg.append(node);
      return node;
    };
    return [svg, add];
  }

  // A schematic of actors and the links between them: nodes on a circle, the adversary at the top.
  function schematic(center, nodes, edges, adversary) {
    const width = 360, height = 230, cx = width / 2;
    const positions = {};
    const ring = nodes.filter((n) => n !== adversary && n !== center);
    if (adversary) positions[adversary] = [cx, 26];
    if (center) positions[center] = [cx, height - 28];
    const [from, to] = center ? [0.88, 0.12] : [0.92, 0.08];
    ring.forEach((node, k) => {
      const t = ring.length === 1 ? (center ? 0 : 0.5) : k / (ring.length - 1);
      const angle = Math.PI * (from + (to - from) * t);
      positions[node] = [cx + 150 * Math.cos(angle), 92 + 95 * Math.sin(angle)];
    });
    const [svg, el] = drawing(width, height, "schematic");
    for (const edge of edges) {
      const a = positions[edge.from], b = positions[edge.to];
      if (!a || !b) continue;
      el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: `edge ${edge.kind || ""}`,
        "stroke-width": 1 + 4 * (edge.strength ?? 0.5) });
      if (edge.label) el("text", { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 - 4, class: "edge-label" }, edge.label);
    }
    for (const node of nodes) {
      const p = positions[node];
      if (!p) continue;
      el("circle", { cx: p[0], cy: p[1], r: 17, class: `node ${node === center ? "self" : ""} ${node === adversary ? "adversary" : ""}` });
      el("text", { x: p[0], y: p[1] + 4, class: "node-label" }, node);
    }
    return svg;
  }

  function linksFrom(quantities) {
    const links = {};
    for (const [path, value] of Object.entries(quantities || {})) {
      const parts = path.split(".");
      if (parts[0] !== "links" && parts[0] !== "commitments") continue;
      const key = `${parts[0]}.${parts[1]}`;
      links[key] = links[key] || { section: parts[0], pair: parts[1].split("-") };
      links[key][parts[2]] = value;
    }
    return Object.values(links);
  }

  // ------------------------------------------------------------------ the seat's page
  function renderSeat() {
    const view = state.view;
    const s = state.session;
    let status;
    if (s.finished) status = "The session is finished.";
    else if (state.moved) status = `You moved this turn: ${state.moved.action || "pass"} (journal entry #${state.moved.seq}).`;
    else if (state.queued.some((q) => q.kind === "action")) status = "Your move is queued: it applies when your turn in the order comes.";
    else if (state.your_move) status = "It is your move: choose an action, or pass.";
    else if (s.paused) status = "Paused by the white cell.";
    else if (!view) status = "Waiting for your first view.";
    else status = `Waiting for ${s.waiting_for === "white_cell" ? "the white cell" : s.waiting_for}. You may commit your move now; it applies when your turn comes.`;
    $("move-status").textContent = status;

    const canMove = !s.finished && !s.paused && !state.moved && !state.queued.some((q) => q.kind === "action") && view;
    if (view) {
      const rows = view.menu.map((item) => {
        const detail = item.effects ? effectsText(item.effects) +
            (item.delay_days ? ` after ${item.delay_days} d` : "") + (item.cooldown_days ? `; cooldown ${item.cooldown_days} d` : "")
          : `gain ${item.expected.gain}, cost ${item.expected.cost}, risk ${item.expected.risk}, gray zone ×${item.expected.gray_zone_multiplier}`;
        const note = item.allowed ? "" : ` (not available${item.available_in_days ? ` for ${num(item.available_in_days, 0)} d` : ""})`;
        return [h("button", { type: "button", class: "act", "data-action": item.id, disabled: !canMove || (state.your_move && !item.allowed),
          onclick: () => send({ kind: "action", action: item.id }) }, item.name),
        h("span", { class: `category ${item.category}` }, item.category.replaceAll("_", " ")), detail + note];
      });
      rows.unshift([h("button", { type: "button", class: "act", id: "pass", "data-action": "pass", disabled: !canMove,
        onclick: () => send({ kind: "action", action: null }) }, "Pass"), "", "take no action this turn"]);
      fill("menu", table(["action", "category", "effects"], rows, { class: "menu" }));
      renderPrograms(view, canMove);
      renderArguments(view, !s.finished && !s.paused && !state.moved);
      const posture = view.adversary_posture;
      fill("gauge", gauge(posture, view.war ? " — WAR HAS STARTED" : ""));
      $("warning").textContent = "mobilization_warning" in view
        ? (view.mobilization_warning ? "Mobilization warning: your picture shows the adversary mobilizing." : "No mobilization warning.") : "";
      renderPicture(view);
      fill("own", table(["quantity", "value"], Object.entries(view.own).map(([k, v]) => [k, num(v)])));
    } else {
      fill("menu", h("p", { class: "muted" }, "Your menu appears with your first view."));
    }
    fill("timeline", state.history.length ? table(["turn", "day", "adversary posture", "detected", "your decisions"],
      state.history.map((t) => [t.turn, t.day, t.rung + (t.war ? " (war)" : ""), t.detected, t.decisions.join(", ") || "–"]))
      : h("p", { class: "muted" }, "Nothing yet."));
    fill("news", state.news.length ? h("ul", {}, state.news.slice().reverse().map((n) => h("li", {}, `day ${n.day} [${n.source}] ${n.text}`)))
      : h("p", { class: "muted" }, "No news."));
    $("view-age").textContent = view && view.turn !== s.turn && !s.finished
      ? `Your view of turn ${view.turn} (day ${view.day}); this turn's view comes with your move.` : "";
    fill("notices", state.notices.map((n) => h("p", { class: `notice ${n.kind || ""}` }, n.text)),
      state.queued.map((q) => h("p", { class: "queued" }, `Queued for turn ${q.turn}: ${q.describe}`)));
  }

  let argumentsFor = null;
  function renderArguments(view, canArgue) {
    const key = `${state.view_seq}`;
    if (argumentsFor !== key) {
      argumentsFor = key;
      const action = h("input", { id: "argue-action", size: 40, maxlength: 2000, placeholder: "what your side does" });
      const reasons = h("input", { id: "argue-reasons", size: 40, maxlength: 2000, placeholder: "why it works" });
      const parts = [h("legend", {}, "Matrix game: argue an action (does not end your move)"), action, reasons,
        h("button", { type: "button", id: "argue", onclick: () => send({ kind: "argument", action: action.value, reasons: reasons.value }) }, "Argue")];
      for (const item of view.arguments || []) {
        const status = item.result ? `adjudicated: ${item.result.total}, ${item.result.success ? "succeeded" : "failed"}` : "open";
        parts.push(h("p", { class: "argument" }, `${item.id} (turn ${item.turn}) ${item.seat}: ${item.action}; because ${item.reasons} [${status}]`));
        for (const c of item.counters) parts.push(h("p", { class: "muted" }, `  countered by ${c.seat}: ${c.reasons}`));
        if (!item.result && item.seat !== state.seat) {
          const counter = h("input", { class: "counter-reasons", "data-argument": item.id, size: 40, maxlength: 2000, placeholder: "why it fails" });
          parts.push(counter, h("button", { type: "button", class: "counter", "data-argument": item.id,
            onclick: () => send({ kind: "counter_argument", argument: item.id, reasons: counter.value }) }, `Counter ${item.id}`));
        }
      }
      fill("arguments", h("fieldset", {}, parts));
    }
    for (const node of document.querySelectorAll("#arguments button")) node.disabled = !canArgue;
  }

  let programsFor = null;
  function renderPrograms(view, canMove) {
    const programs = view.programs || [];
    if (!programs.length) { fill("programs"); return; }
    const key = `${state.view_seq}`;
    if (programsFor !== key) {
      programsFor = key;
      const select = h("select", { id: "program-id" }, programs.map((p) => h("option", { value: p.id }, `${p.id} (${num(p.intensity_per_year, 0)}/year)`)));
      const input = h("input", { id: "program-intensity", type: "number", min: 0, max: 1000, step: 1, value: num(programs[0].intensity_per_year, 0) });
      select.addEventListener("change", () => {
        const chosen = programs.find((p) => p.id === select.value);
        if (chosen) input.value = num(chosen.intensity_per_year, 0);
      });
      fill("programs", h("fieldset", {}, h("legend", {}, "Cooperation programs (exchanges a year; does not end your move)"),
        select, input, h("button", { type: "button", id: "program-set",
          onclick: () => send({ kind: "program", program: select.value, intensity_per_year: Number(input.value) }) }, "Set")));
    }
    $("program-set").disabled = !canMove;
  }

  function renderPicture(view) {
    const parts = [];
    if (view.picture) {
      const sources = view.picture.sources;
      const nodes = [view.seat, ...sources.filter((x) => x.from !== view.seat).map((x) => x.from)];
      const edges = sources.filter((x) => x.kind === "link").map((x) => ({ from: x.from, to: view.seat, strength: x.fidelity,
        label: `${num(x.latency_hours, 0)} h · ${num(x.fidelity, 2)}` }));
      const adversary = state.session.order.find((x) => x !== "white_cell") || "adversary";
      nodes.push(adversary);
      edges.push({ from: adversary, to: view.seat, kind: "threat", strength: 0.2, label: view.adversary_posture.rung_name });
      fill("map", schematic(view.seat, nodes, edges, adversary));
      parts.push(table(["activity", "detected", "in time", "mean h", "to date"], view.picture.activities.map((a) =>
        [a.name, a.detected, a.attributed_in_time, a.mean_delivery_hours === null ? "–" : num(a.mean_delivery_hours, 0), a.detected_to_date])));
      parts.push(h("p", { class: "muted" }, `Attribution deadline ${view.picture.deadline_hours} h. Sources: ` +
        sources.map((x) => (x.kind === "own ISR" ? `own ISR ${num(x.isr_detection_probability, 2)}` :
          `${x.from} (latency ${num(x.latency_hours, 1)} h, fidelity ${num(x.fidelity, 2)})`)).join("; ")));
    } else if (view.operations) {
      const links = linksFrom(view.own);
      const nodes = [view.seat, ...new Set(links.flatMap((l) => l.pair).filter((x) => x !== view.seat))];
      fill("map", schematic(view.seat, nodes, links.map((l) => ({ from: l.pair[0], to: l.pair[1], strength: l.fidelity ?? 0.5 })), null));
      parts.push(table(["operation", "conducted this turn"], view.operations.map((o) => [o.name, o.conducted])));
    }
    fill("picture", parts);
  }

  // ------------------------------------------------------------------ the white cell's dashboard
  let formsReady = false;
  function setupWhiteCell() {
    if (formsReady) return;
    formsReady = true;
    for (let k = -3; k <= 3; k++) $("wc-strength").append(h("option", { value: k, selected: k === 0 }, k > 0 ? `+${k}` : String(k)));
    // The effect typed above: [] when no quantity is chosen (a narrative inject), null (and a message)
    // when the value is empty or not a number: an empty field is never sent as 0.
    const effect = (needed) => {
      const quantity = $("wc-quantity").value;
      if (!quantity) {
        if (needed) { feedback("choose the quantity the effect changes", "bad"); return null; }
        return [];
      }
      const text = $("wc-value").value.trim();
      const value = Number(text);
      if (text === "" || !Number.isFinite(value)) { feedback("type the effect's value: a number", "bad"); return null; }
      return [{ quantity, [$("wc-op").value]: value }];
    };
    const withEffect = (needed, body) => { const effects = effect(needed); if (effects) send({ ...body, effects }); };
    $("wc-continue").addEventListener("click", () => send({ kind: "continue" }));
    $("wc-fire").addEventListener("click", () => {
      const id = $("wc-library").value;
      if (id) send({ kind: "inject", library: id }); else feedback("this scenario has no prepared injects", "bad");
    });
    $("wc-library").addEventListener("change", () => showLibraryItem());
    $("wc-pause").addEventListener("click", () => send({ kind: "pause" }));
    $("wc-resume").addEventListener("click", () => send({ kind: "resume" }));
    $("wc-rewind").addEventListener("click", () => send({ kind: "rewind", to_turn: Number($("wc-rewind-turn").value) }));
    $("wc-inject").addEventListener("click", () => withEffect(false, { kind: "inject", text: $("wc-text").value }));
    $("wc-override").addEventListener("click", () => withEffect(true, { kind: "override", reason: $("wc-text").value }));
    $("wc-roll").addEventListener("click", () => {
      const body = { kind: "matrix_roll", argument: $("wc-argument").value, strength: Number($("wc-strength").value) };
      if ($("wc-on-argument").value) body.on_argument = $("wc-on-argument").value;
      if ($("wc-roll-effect").checked) withEffect(true, body); else send({ ...body, effects: [] });
    });
  }

  function showLibraryItem() {
    const item = (state.inject_library || []).find((x) => x.id === $("wc-library").value);
    $("wc-library-text").textContent = item ? `${item.text} (${effectsText(item.effects)})` : "";
  }

  function renderWhiteCell() {
    setupWhiteCell();
    const s = state.session;
    const phase = state.your_move && !s.paused;
    let status;
    if (!s.white_cell) status = "This session has no white cell seat: the dashboard observes only.";
    else if (s.finished) status = "The session is finished: open the after-action report.";
    else if (s.paused) status = "Paused. Resume to go on.";
    else if (phase) status = `Turn ${s.turn}: your phase. Inject, override, roll, rewind or pause; then Continue.`;
    else status = `The seats are moving (waiting for ${s.waiting_for}).`;
    $("move-status").textContent = status;
    $("wc-continue").disabled = !phase;
    $("wc-pause").disabled = !phase;
    $("wc-resume").disabled = !(s.paused && s.white_cell);
    for (const id of ["wc-rewind", "wc-inject", "wc-override", "wc-roll", "wc-fire"]) $(id).disabled = !phase;
    const open = ((state.view && state.view.arguments) || []).filter((x) => !x.result);
    const onArgument = $("wc-on-argument");
    const openIds = open.map((x) => x.id).join(",");
    if (onArgument.dataset.ids !== openIds) {
      onArgument.dataset.ids = openIds;
      onArgument.replaceChildren(h("option", { value: "" }, "(none: a free-form roll)"),
        ...open.map((x) => h("option", { value: x.id }, `${x.id} ${x.seat}: ${x.action}`.slice(0, 80))));
    }
    const library = $("wc-library");
    const ids = (state.inject_library || []).map((x) => x.id).join(",");
    if (library.dataset.ids !== ids) {
      library.dataset.ids = ids;
      library.replaceChildren(...(state.inject_library || []).map((x) => h("option", { value: x.id }, x.name)));
      showLibraryItem();
    }
    const rewind = $("wc-rewind-turn");
    const wanted = state.rewind_turns.join(",");
    if (rewind.dataset.turns !== wanted) {
      rewind.dataset.turns = wanted;
      rewind.replaceChildren(...state.rewind_turns.map((t) => h("option", { value: t }, String(t))));
    }
    const quantities = Object.keys(state.truth.quantities || {});
    const select = $("wc-quantity");
    if (select.dataset.count !== String(quantities.length)) {
      select.dataset.count = String(quantities.length);
      select.replaceChildren(h("option", { value: "" }, "(none: a narrative inject)"),
        ...quantities.map((q) => h("option", { value: q }, q)));
    }

    fill("seats", table(["seat", "played by", "this turn", "move", "queued"], state.seats.map((x) => [
      `${x.name} (${x.seat})`, x.played_by, h("span", { class: `state ${x.state.replaceAll(" ", "-")}` }, x.state),
      x.move ? `${x.move.action || "pass"} (#${x.move.seq})` + x.programs.map((p) => `; program ${p.program} → ${p.intensity_per_year}`).join("") : "–",
      x.queued.map((q) => q.describe).join(", ") || "–"])));

    const view = state.view;
    const truth = state.truth;
    const posture = state.posture || { rung_index: 0, rung_name: "–", rungs: state.rungs.length };
    fill("gauge", gauge(posture, ` · escalation score ${truth.escalation_score ?? "–"} (at the last adjudication)`));
    fill("truth", h("p", {}, `Pending mobilization: ${truth.pending_mobilization || "none"} · war: ${truth.war_day === null || truth.war_day === undefined ? "no" : `day ${truth.war_day}`}`));
    if (view && view.activities) {
      const seats = Object.keys(view.pictures);
      fill("activities", table(["activity (since the last look)", "true", ...seats.map((x) => `${x} detected`)],
        view.activities.map((a, j) => [a.name, a.incidents, ...seats.map((x) => view.pictures[x].detected[j])])));
    }
    const pairs = {};
    for (const l of linksFrom(truth.quantities).filter((x) => x.section === "links")) {
      const key = l.pair.slice().sort().join("-");
      pairs[key] = pairs[key] || { from: l.pair[0], to: l.pair[1], strength: l.fidelity, labels: [] };
      pairs[key].labels.push(`${l.pair[0]} → ${l.pair[1]}: latency ${num(l.latency_hours, 0)} h, fidelity ${num(l.fidelity, 2)}`);
    }
    const actors = [...new Set(Object.keys(truth.quantities || {}).filter((k) => k.startsWith("actors.")).map((k) => k.split(".")[1]))];
    const adversary = s.order.find((x) => x !== "white_cell");
    fill("map", schematic(null, actors, Object.values(pairs), adversary));
    fill("map-legend", h("ul", { class: "muted" }, Object.values(pairs).flatMap((p) => p.labels).map((x) => h("li", {}, x))));
    fill("trajectory", trajectory(state.trajectory, state.rungs));
    fill("quantities", table(["quantity", "value"], Object.entries(truth.quantities || {}).map(([k, v]) => [k, num(v)])));
    fill("log", state.log.length ? h("ul", {}, state.log.slice().reverse().map((e) => h("li", {}, `turn ${e.turn}: ` + logText(e)))) : h("p", { class: "muted" }, "Nothing yet."));
    fill("notices", state.notices.map((n) => h("p", { class: `notice ${n.kind || ""}` }, n.text)));
  }

  function logText(entry) {
    const p = entry.payload;
    switch (entry.kind) {
      case "inject": return `inject: ${p.text} (${effectsText(p.effects)})`;
      case "override": return `override: ${p.reason} (${effectsText(p.effects)})`;
      case "matrix_roll": {
        const r = entry.result;
        return `roll (${p.strength >= 0 ? "+" : ""}${p.strength}): ${p.argument}` +
          (r ? ` → ${r.dice.join(" + ")} ${r.modifier >= 0 ? "+" : ""}${r.modifier} = ${r.total}: ${r.success ? "success" : "failure"}` : "");
      }
      case "rewind": return `rewind to turn ${p.to_turn}`;
      default: return entry.kind;
    }
  }

  function trajectory(points, rungs) {
    if (!points.length) return h("p", { class: "muted" }, "Nothing adjudicated yet.");
    const width = 360, height = 120, pad = 24;
    const maxTurn = Math.max(1, ...points.map((p) => p.turn));
    const maxScore = Math.max(1, ...points.map((p) => p.escalation_score));
    const x = (t) => pad + ((width - 2 * pad) * t) / maxTurn;
    const [svg, add] = drawing(width, height, "trajectory");
    const rungY = (p) => height - pad - ((height - 2 * pad) * rungs.indexOf(p.rung)) / Math.max(1, rungs.length - 1);
    const scoreY = (p) => height - pad - ((height - 2 * pad) * p.escalation_score) / maxScore;
    add("polyline", { points: points.map((p) => `${x(p.turn)},${rungY(p)}`).join(" "), class: "rung-line" });
    add("polyline", { points: points.map((p) => `${x(p.turn)},${scoreY(p)}`).join(" "), class: "score-line" });
    add("text", { x: pad, y: 12, class: "axis" }, "rung (red) · escalation score (grey) by turn");
    points.forEach((p) => add("text", { x: x(p.turn), y: height - 6, class: "axis" }, String(p.turn)));
    return svg;
  }

  // ------------------------------------------------------------------ start
  function render() {
    renderHeader();
    if (page === "seat") renderSeat(); else renderWhiteCell();
    tickClock();
    document.body.dataset.version = state.version;
    document.body.dataset.turn = state.session.turn;
  }

  render();
  setInterval(tickClock, 1000);
  listen();
})();
