// The sluice dashboard: reads the JSON routes of `sluice serve` and redraws
// the part that changed when /events says so, with a slow poll as fallback.
// Every value from the server reaches the page through textContent or
// setAttribute, never as HTML.
"use strict";

const TOKEN_KEY = "sluice.adminToken";
const POLL_MS = 30000;
const SVG = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function badge(state, label) {
  return el("span", { class: "badge s-" + String(state).replace(/[^a-z_]/g, ""), "data-testid": "badge" }, label || state);
}

function replaceRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(path + ": " + response.status + " " + (await response.text()).trim());
  }
  return response.json();
}

function showError(error) {
  const box = $("error");
  if (error) {
    box.textContent = String(error.message || error);
    box.hidden = false;
  } else {
    box.hidden = true;
  }
}

function time(text) {
  if (!text) return "";
  const date = new Date(text);
  return isNaN(date) ? text : date.toLocaleString();
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return Math.round(seconds) + " s";
  if (seconds < 3600) return Math.round(seconds / 60) + " min";
  if (seconds < 86400) return (seconds / 3600).toFixed(1) + " h";
  return (seconds / 86400).toFixed(1) + " d";
}

/** `records_in = inserted + updated + unchanged + duplicates + quarantined`. */
function balance(row) {
  const accounted = row.inserted + row.updated + row.unchanged + row.quarantined;
  const duplicates = row.records_in - accounted;
  const text = row.records_in + " = " + row.inserted + " ins + " + row.updated + " upd + " +
    row.unchanged + " same + " + Math.max(duplicates, 0) + " dup + " + row.quarantined + " quar";
  return el("span", { class: duplicates < 0 ? "balance off" : "balance", "data-testid": "balance" }, text);
}

// ---- runs ---------------------------------------------------------------

let selectedRun = null;

async function loadRuns() {
  const runs = await getJson("/runs?limit=50");
  replaceRows($("runs-body"), runs.map((run) => {
    const took = run.finished_at ? (new Date(run.finished_at) - new Date(run.started_at)) / 1000 : null;
    const row = el("tr", { class: "clickable" + (run.id === selectedRun ? " selected" : ""), "data-testid": "run-row", "data-run-id": run.id, "data-status": run.status },
      el("td", { class: "num" }, run.id),
      el("td", {}, run.pipeline),
      el("td", {}, run.mode),
      el("td", {}, badge(run.status)),
      el("td", {}, time(run.started_at)),
      el("td", { class: "num" }, took === null ? "" : duration(took)),
      el("td", {}, balance(run)));
    if (run.error) row.setAttribute("title", run.error);
    row.addEventListener("click", () => openRun(run.id));
    return row;
  }));
  drawChart(runs);
  if (selectedRun !== null) await openRun(selectedRun);
}

async function openRun(id) {
  selectedRun = id;
  for (const row of $("runs-body").children) {
    row.classList.toggle("selected", row.dataset.runId === String(id));
  }
  const detail = await getJson("/runs/" + encodeURIComponent(id));
  $("run-detail-title").textContent = "Run " + detail.run.id + " of " + detail.run.pipeline + " (" + detail.run.status + ")" +
    (detail.run.error ? ": " + detail.run.error : "");
  replaceRows($("run-streams"), detail.streams.map((s) => el("tr", { "data-testid": "run-stream" },
    el("td", {}, s.stream_key),
    el("td", {}, s.provider),
    el("td", {}, badge(s.status)),
    el("td", { class: "num" }, s.requests),
    el("td", {}, balance(s)),
    el("td", {}, s.error || ""))));
  if (detail.streams.length === 0) {
    $("run-streams").replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No stream has finished yet.")));
  }
  $("run-detail").hidden = false;
}

function drawChart(runs) {
  const data = runs.slice(0, 40).reverse();
  const width = 800, height = 160, pad = 24;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.setAttribute("data-testid", "chart-svg");
  svg.setAttribute("role", "img");
  const max = Math.max(1, ...data.map((r) => r.records_in));
  const slot = Math.min(40, (width - pad) / Math.max(data.length, 1));
  const axis = document.createElementNS(SVG, "text");
  axis.setAttribute("x", 0);
  axis.setAttribute("y", 12);
  axis.setAttribute("font-size", 11);
  axis.setAttribute("fill", "#6b7280");
  axis.textContent = String(max);
  svg.append(axis);
  data.forEach((run, i) => {
    let y = height - 14;
    const group = document.createElementNS(SVG, "g");
    const title = document.createElementNS(SVG, "title");
    title.textContent = "run " + run.id + " (" + run.pipeline + "): " + run.records_in + " records in";
    group.append(title);
    for (const part of ["inserted", "updated", "unchanged", "quarantined"]) {
      const h = (run[part] / max) * (height - 30);
      if (h <= 0) continue;
      y -= h;
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", pad + i * slot + 1);
      rect.setAttribute("y", y);
      rect.setAttribute("width", Math.max(slot - 2, 1));
      rect.setAttribute("height", h);
      rect.setAttribute("class", part);
      group.append(rect);
    }
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", pad + i * slot + slot / 2);
    label.setAttribute("y", height - 2);
    label.setAttribute("font-size", 10);
    label.setAttribute("text-anchor", "middle");
    label.setAttribute("fill", "#6b7280");
    label.textContent = String(run.id);
    group.append(label);
    svg.append(group);
  });
  $("chart").replaceChildren(svg);
}

// ---- quarantine -----------------------------------------------------------

let selectedItem = null;

async function loadQuarantine() {
  const items = await getJson("/quarantine?limit=50");
  const rows = items.map((item) => {
    const row = el("tr", { class: "clickable" + (item.id === selectedItem ? " selected" : ""), "data-testid": "quarantine-row", "data-item-id": item.id },
      el("td", { class: "num" }, item.id),
      el("td", { class: "num" }, item.run_id),
      el("td", {}, item.provider + "/" + item.stream),
      el("td", {}, item.kind),
      el("td", { class: "reason", title: item.reason }, item.reason),
      el("td", {}, time(item.created_at)),
      el("td", {}, item.resolved_by === null ? badge("failed", "open") : badge("succeeded", "loaded by run " + item.resolved_by)));
    row.addEventListener("click", () => openItem(item.id));
    return row;
  });
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "Nothing in quarantine.")));
  replaceRows($("quarantine-body"), rows);
}

async function openItem(id) {
  selectedItem = id;
  for (const row of $("quarantine-body").children) {
    row.classList.toggle("selected", row.dataset.itemId === String(id));
  }
  const item = await getJson("/quarantine/" + encodeURIComponent(id));
  $("quarantine-title").textContent = "Item " + item.id + " of run " + item.run_id + ": " + item.provider + "/" + item.stream +
    " (" + item.plugin + ", " + item.kind + (item.provider_id ? " " + item.provider_id : "") + ")";
  $("quarantine-reason").textContent = item.reason;
  $("quarantine-raw").textContent = item.raw;
  $("replay-button").disabled = item.resolved_by !== null;
  $("replay-button").textContent = item.resolved_by === null ? "Replay through the current plugin" : "Loaded by run " + item.resolved_by;
  $("quarantine-detail").hidden = false;
}

async function replay() {
  if (selectedItem === null) return;
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    $("token-form").hidden = false;
    $("token-input").focus();
    return;
  }
  const outcome = $("replay-outcome");
  outcome.textContent = "Replaying item " + selectedItem + "…";
  $("replay-button").disabled = true;
  try {
    const response = await fetch("/quarantine/" + encodeURIComponent(selectedItem) + "/replay", {
      method: "POST",
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
    });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      outcome.textContent = "Refused (401): " + (await response.text()).trim() + " Enter the admin token again.";
      $("token-form").hidden = false;
      return;
    }
    if (!response.ok) {
      outcome.textContent = "Replay failed (" + response.status + "): " + (await response.text()).trim();
      return;
    }
    const r = await response.json();
    outcome.textContent = "Replay run " + r.run_id + " " + r.status + ": " + r.records_in + " records in, " +
      r.inserted + " inserted, " + r.updated + " updated, " + r.quarantined + " quarantined, " +
      r.failed_batches + " failed responses; item " + (r.resolved ? "left quarantine" : "is still in quarantine") +
      "; " + r.left + " left from its run." + (r.failures.length ? " " + r.failures.join(" | ") : "");
  } catch (error) {
    outcome.textContent = "Replay failed: " + error.message;
  } finally {
    $("replay-button").disabled = false;
    await refresh(["runs", "quarantine"]);
    if (selectedItem !== null) await openItem(selectedItem).catch(showError);
  }
}

// ---- providers, streams, plugins, alerts ---------------------------------

async function loadProviders() {
  const providers = await getJson("/providers");
  const cards = providers.map((p) => {
    const head = el("div", {}, el("span", { class: "name" }, p.provider), badge(p.breaker.state, "breaker " + p.breaker.state),
      p.breaker.consecutive_failures ? el("span", { class: "muted" }, " " + p.breaker.consecutive_failures + " failures in a row") : null);
    const card = el("div", { class: "provider", "data-testid": "provider", "data-provider": p.provider }, head);
    if (p.breaker.last_error) card.append(el("div", { class: "muted" }, "last error: " + p.breaker.last_error));
    for (const q of p.quotas) {
      const share = q.limit ? Math.max(0, Math.min(1, q.remaining / q.limit)) : null;
      const fill = el("div", { class: "fill" + (share === null ? "" : share === 0 ? " empty" : share < 0.2 ? " low" : "") });
      fill.style.width = (share === null ? 100 : share * 100).toFixed(1) + "%";
      card.append(el("div", { class: "gauge", "data-testid": "quota" },
        el("span", {}, q.quota + (q.scope ? " (" + q.scope + ")" : "")),
        el("div", { class: "bar" }, fill),
        el("span", {}, q.remaining + (q.limit ? " / " + q.limit : "") + " left" + (q.resets_at ? ", resets " + time(q.resets_at) : ""))));
    }
    if (p.quotas.length === 0) card.append(el("div", { class: "muted" }, "No quota reported yet."));
    return card;
  });
  if (cards.length === 0) cards.push(el("p", { class: "muted" }, "No provider."));
  $("providers").replaceChildren(...cards);
}

async function loadStreams() {
  const streams = await getJson("/streams");
  const rows = streams.map((s) => el("tr", { "data-testid": "stream-row" },
    el("td", {}, s.pipeline),
    el("td", { title: s.stream_key || "" }, s.provider + "/" + s.stream),
    el("td", {}, s.last_success ? time(s.last_success) : "never"),
    el("td", { class: "num" }, duration(s.age_s)),
    el("td", {}, s.freshness_s === null ? "" : duration(s.freshness_s), " ",
      s.freshness_s === null ? null : badge(s.stale ? "stale" : "fresh"))));
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No stream.")));
  replaceRows($("streams-body"), rows);
}

async function loadWorkers() {
  const queue = await getJson("/workers");
  const count = (status) => queue.counts[status] || 0;
  const alive = queue.workers.filter((w) => w.silent_secs < 60);
  $("workers-summary").textContent = alive.length + " worker(s) alive · " +
    count("queued") + " queued, " + count("running") + " running, " + count("done") + " done, " +
    count("failed") + " failed · " + queue.depth + " message(s) in the queue · " + queue.takeovers + " takeover(s)";
  const rows = queue.units.map((u) => el("tr", { "data-testid": "unit-row" },
    el("td", {}, badge(u.status)),
    el("td", { title: u.error || "" }, u.id),
    el("td", {}, u.worker || ""),
    el("td", { class: "num" }, String(u.epoch)),
    el("td", { class: "num" }, String(u.batches)),
    el("td", { class: "num" }, String(u.takeovers)),
    el("td", { class: "num" }, u.lease_left_secs === null ? "" : duration(Math.round(u.lease_left_secs)))));
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No work unit (sluice enqueue, then sluice worker).")));
  replaceRows($("units-body"), rows);
}

async function loadPlugins() {
  const [plugins, reloads] = await Promise.all([getJson("/plugins"), getJson("/plugins/reloads")]);
  replaceRows($("plugins-body"), plugins.map((p) => el("tr", { "data-testid": "plugin-row" },
    el("td", {}, p.name),
    el("td", {}, p.version),
    el("td", {}, p.wit),
    el("td", { class: "hash", title: p.sha256 }, p.sha256.slice(0, 12) + "…"),
    el("td", {}, time(p.loaded_at)))));
  const items = reloads.slice(0, 20).map((r) => el("li", { "data-testid": "reload" },
    badge(r.published ? "published" : "refused"), " ", r.plugin, " ", el("span", { class: "muted" }, time(r.at)),
    r.error ? el("div", { class: "muted" }, r.error) : null));
  if (items.length === 0) items.push(el("li", { class: "muted" }, "No reload since the server started."));
  $("reloads").replaceChildren(...items);
}

async function loadAlerts() {
  const alerts = await getJson("/alerts");
  $("alerts").className = "card " + (alerts.length ? "firing" : "quiet");
  const items = alerts.map((a) => el("li", { "data-testid": "alert" },
    badge("firing", a.rule), " ", el("strong", {}, a.subject), " ", a.message, " ",
    el("span", { class: "muted" }, "since " + time(a.since))));
  if (items.length === 0) items.push(el("li", { class: "muted" }, "No alert is firing."));
  $("alerts-list").replaceChildren(...items);
}

async function loadQuality() {
  const grades = await getJson("/quality");
  const items = grades.map((g) => el("li", { "data-testid": "quality-grade" },
    badge("grade-" + g.grade.toLowerCase(), g.grade), " ", el("strong", {}, g.table), " ",
    el("span", { class: "muted" }, "score " + g.score.toFixed(3) + " · run " + g.run_id)));
  if (items.length === 0) items.push(el("li", { class: "muted" }, "No table graded yet ([quality] in the config)."));
  $("quality-list").replaceChildren(...items);
}

// ---- refreshing -------------------------------------------------------------

const LOADERS = { runs: loadRuns, quarantine: loadQuarantine, providers: loadProviders, streams: loadStreams, workers: loadWorkers, plugins: loadPlugins, alerts: loadAlerts, quality: loadQuality };

async function refresh(parts) {
  const results = await Promise.allSettled(parts.map((part) => LOADERS[part]()));
  const failed = results.find((r) => r.status === "rejected");
  showError(failed ? failed.reason : null);
  $("refreshed").textContent = "updated " + new Date().toLocaleTimeString();
}

/** What each event makes the page read again. */
function partsFor(event) {
  switch (event.type) {
    case "run_started": return ["runs"];
    case "run_finished": return ["runs", "quarantine", "streams", "providers", "alerts", "quality"];
    case "changed":
      if (event.what in LOADERS) return [event.what];
      return Object.keys(LOADERS);
    default: return [];
  }
}

function listen() {
  const live = $("live");
  const source = new EventSource("/events");
  source.addEventListener("open", () => {
    live.textContent = "live";
    live.className = "badge s-live";
    refresh(Object.keys(LOADERS));
  });
  source.addEventListener("error", () => {
    live.textContent = "reconnecting…";
    live.className = "badge s-reconnecting";
  });
  source.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch (_) {
      return;
    }
    const parts = partsFor(event);
    if (parts.length) refresh(parts);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("replay-button").addEventListener("click", () => replay().catch(showError));
  $("token-form").addEventListener("submit", (submit) => {
    submit.preventDefault();
    const token = $("token-input").value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token-input").value = "";
    $("token-form").hidden = true;
    replay().catch(showError);
  });
  refresh(Object.keys(LOADERS));
  listen();
  setInterval(() => refresh(Object.keys(LOADERS)), POLL_MS);
});
