// The Requestflow console: reads /api/* of the console server, which asks the running instances' admin
// ports and sends requests through the edge. No framework; everything is drawn with DOM calls (no
// innerHTML), so nothing an instance or a response says can run as markup.
"use strict";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 2000;
const COLUMNS = [
  ["dns", ["dns"]], ["edge", ["edge"]], ["firewall", ["firewall"]], ["balancer", ["balancer"]],
  ["gateways", ["gateway"]], ["services", ["auth", "catalog", "inventory", "reviews", "recommendations", "orders", "page"]],
  ["queue", ["queue"]],
];
const PRESETS = [
  ["a product", "GET", "/api/products/42"],
  ["the product page (fan-out)", "GET", "/api/pages/products/42"],
  ["search", "GET", "/api/products/search?q=lamp"],
  ["me without a token (401)", "GET", "/api/me"],
  ["log in as demo", "POST", "/api/login", '{"username":"demo","password":"demo"}'],
  ["me (with the token)", "GET", "/api/me"],
  ["an injection (403)", "GET", "/api/products/search?q=1%27%20OR%20%271%27%3D%271"],
];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!response.ok) {
    const detail = json && (json.detail || json.title) ? json.detail || json.title : text || response.statusText;
    throw new Error(`${response.status}: ${detail}`);
  }
  return json;
}

function faultText(f) {
  if (!f) return "";
  const parts = [];
  if (f.errorStatus) parts.push(`${f.errorPercent}% → ${f.errorStatus}`);
  if (f.resetPercent) parts.push(`${f.resetPercent}% reset`);
  if (f.latencyMs || f.jitterMs) parts.push(`+${f.latencyMs} ms${f.jitterMs ? ` ±${f.jitterMs}` : ""}`);
  if (f.unready) parts.push("unready");
  parts.push(`${f.secondsLeft}s left`);
  return "broken: " + parts.join(", ");
}

async function heal(name) {
  try {
    await api("DELETE", "/api/faults?instance=" + encodeURIComponent(name));
    $("break-result").textContent = `${name} healed.`;
  } catch (e) {
    $("break-result").textContent = `healing ${name} failed: ${e.message}`;
  }
  refresh();
}

function card(i) {
  const cls = i.state === "ready" ? "ready" : i.state === "down" ? "down" : "not-ready";
  const node = el("div", { class: `card ${cls}${i.fault ? " faulted" : ""}`, role: "listitem", "data-instance": i.name },
    el("div", { class: "name" }, i.name),
    el("div", { class: "state" }, el("span", { class: "dot", "aria-hidden": "true" }), i.state),
    el("div", { class: "muted" }, "admin " + i.admin));
  if (i.reason) node.append(el("div", { class: "muted" }, i.reason));
  if (i.traffic) {
    const t = i.traffic;
    node.append(el("div", { class: "traffic" }, `${t.perSecond.toFixed(1)} req/s` + (t.p99Ms === null ? "" : ` · p99 ${fmt(t.p99Ms)} ms`)));
    if (t.serverErrorsPerSecond > 0) node.append(el("div", { class: "fault" }, `5xx ${t.serverErrorsPerSecond.toFixed(1)}/s`));
  }
  if (i.fault) {
    node.append(el("div", { class: "fault" }, faultText(i.fault)),
      el("button", { type: "button", onclick: () => heal(i.name) }, "heal"));
  }
  return node;
}

let breakable = [];

function drawPath(state) {
  $("edge").textContent = state.edge;
  $("dns").textContent = state.dns;
  const path = $("path");
  path.replaceChildren();
  for (const [title, roles] of COLUMNS) {
    const members = state.instances.filter((i) => roles.includes(i.role));
    if (members.length === 0) continue;
    path.append(el("div", { class: "column" }, el("h4", {}, title), ...members.map(card)));
  }
  const stores = $("stores");
  stores.replaceChildren();
  for (const [name, s] of Object.entries(state.stores || {})) {
    const fine = s === "ok" || s === "none" || s === "external";
    const node = el("div", { class: `card ${fine ? "ready" : "down"}${fine ? "" : " faulted"}`, role: "listitem", "data-instance": name },
      el("div", { class: "name" }, name),
      el("div", { class: "state" }, el("span", { class: "dot", "aria-hidden": "true" }), String(s)));
    if (!fine) node.append(el("button", { type: "button", onclick: () => heal(name) }, "heal"));
    stores.append(node);
  }
  const names = state.instances.filter((i) => i.breakable).map((i) => i.name)
    .concat(Object.keys(state.stores || {}).filter((s) => state.stores[s] !== "external"));
  if (names.join() !== breakable.join()) {
    breakable = names;
    const select = $("break-instance");
    const chosen = select.value;
    select.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
    if (names.includes(chosen)) select.value = chosen;
  }
}

function drawTargets(targets) {
  const table = $("targets");
  if (!Array.isArray(targets) || targets.length === 0) {
    table.tHead.replaceChildren();
    table.tBodies[0].replaceChildren(el("tr", {}, el("td", {}, "no targets")));
    return;
  }
  const keys = Object.keys(targets[0]);
  table.tHead.replaceChildren(el("tr", {}, ...keys.map((k) => el("th", {}, k))));
  table.tBodies[0].replaceChildren(...targets.map((t) =>
    el("tr", {}, ...keys.map((k) => el("td", {}, typeof t[k] === "object" ? JSON.stringify(t[k]) : String(t[k]))))));
}

function drawTraffic(t) {
  const last = t.last;
  let text = t.running ? `running: ${t.elapsedSeconds} of ${t.seconds} s at ${t.rate} req/s` : "not running";
  if (t.completed > 0) {
    text += ` · last ${last.seconds} s: ${last.requests} answered, ${last.ok} ok, ${last.clientErrors} 4xx,`
      + ` ${last.serverErrors} 5xx, ${last.noAnswer} without an answer`;
    if (last.p99Ms !== null) text += ` · p50 ${fmt(last.p50Ms)} ms, p99 ${fmt(last.p99Ms)} ms`;
    text += ` · ${t.completed} in all, ${t.completedOk} ok`;
  }
  if (t.error) text += ` · stopped: ${t.error}`;
  $("traffic-status").textContent = text;
}

async function startTraffic(event) {
  event.preventDefault();
  try {
    drawTraffic(await api("POST", "/api/traffic", { rate: Number($("traffic-rate").value), seconds: Number($("traffic-seconds").value) }));
  } catch (e) {
    $("traffic-status").textContent = "cannot start: " + e.message;
  }
}

async function stopTraffic() {
  try {
    drawTraffic(await api("DELETE", "/api/traffic"));
  } catch (e) {
    $("traffic-status").textContent = "cannot stop: " + e.message;
  }
}

async function refresh() {
  try {
    const [state, targets, traffic] = await Promise.all([api("GET", "/api/path"), api("GET", "/api/targets"),
      api("GET", "/api/traffic")]);
    drawPath(state);
    drawTargets(targets);
    drawTraffic(traffic);
    $("path-error").hidden = true;
    $("refreshed").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("path-error").textContent = "cannot read the path: " + e.message;
    $("path-error").hidden = false;
  }
}

function track(startFraction, wholeFraction, selfFraction, error) {
  const pct = (f) => `${Math.max(0, Math.min(100, f * 100)).toFixed(2)}%`;
  const whole = el("span", { class: "whole" + (error ? " error" : "") });
  whole.style.left = pct(startFraction);
  whole.style.width = pct(Math.max(wholeFraction, 0.004));
  const node = el("div", { class: "track" }, whole);
  if (selfFraction !== null) {
    const self = el("span", { class: "self" });
    self.style.left = pct(startFraction);
    self.style.width = pct(Math.max(selfFraction, 0.004));
    node.append(self);
  }
  return node;
}

function fmt(ms) {
  return ms === null || ms === undefined ? "–" : ms >= 100 ? ms.toFixed(1) : ms.toFixed(2);
}

let lastTraceId = null;

function drawResult(r) {
  const status = $("status");
  status.className = `status s${String(r.status)[0]}`;
  status.textContent = `${r.status} ${r.reason || ""} · ${r.method} ${r.url}`;
  const hops = r.hops || [];
  const total = Math.max(...hops.map((h) => (h.start || 0) + (h.dur || 0)), 0.001);
  $("waterfall").tBodies[0].replaceChildren(...hops.map((h) => el("tr", { "data-hop": h.name },
    el("td", {}, h.call ? "  " + h.name : h.name), el("td", { class: "num" }, fmt(h.dur)), el("td", { class: "num" }, fmt(h.self)),
    el("td", { class: "muted" }, h.desc || ""),
    el("td", {}, track((h.start || 0) / total, (h.dur || 0) / total, h.self === null ? null : (h.self || 0) / total, false)))));
  if (hops.length === 0) {
    $("waterfall").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: "5" }, "no Server-Timing in the response")));
  }
  const t = r.timings;
  $("timings").textContent = `client: dns ${fmt(t.dns)} ms · connect ${fmt(t.connect)} ms · first byte ${fmt(t.ttfb)} ms · total ${fmt(t.total)} ms`;
  lastTraceId = r.traceId;
  const token = r.json && r.json.access_token;
  $("use-token").hidden = !token;
  $("use-token").dataset.token = token || "";
  $("use-token").textContent = "Use this token for the next requests";
  $("show-trace").hidden = !r.traceId;
  $("trace").hidden = true;
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`).join("\n");
  $("response-body").textContent = headers + "\n\n" + (r.body || "");
  $("result").hidden = false;
}

async function showTrace() {
  if (!lastTraceId) return;
  try {
    const trace = await api("GET", "/api/traces/" + lastTraceId);
    const spans = trace.spans;
    $("trace-id").textContent = trace.traceId;
    const byId = new Map(spans.map((s) => [s.id, s]));
    const children = new Map();
    const roots = [];
    for (const s of spans) {
      if (s.parent && byId.has(s.parent)) {
        if (!children.has(s.parent)) children.set(s.parent, []);
        children.get(s.parent).push(s);
      } else roots.push(s);
    }
    const t0 = Math.min(...spans.map((s) => s.startNanos));
    const end = Math.max(...spans.map((s) => (s.startNanos - t0) / 1e6 + s.durMs), 0.001);
    const rows = [];
    const walk = (s, depth) => {
      const start = (s.startNanos - t0) / 1e6;
      rows.push(el("tr", { "data-span": s.name },
        el("td", {}, "\u00a0\u00a0".repeat(depth) + s.name), el("td", { class: "muted" }, s.service),
        el("td", { class: "num" }, fmt(start)), el("td", { class: "num" }, fmt(s.durMs)),
        el("td", {}, track(start / end, s.durMs / end, null, s.status === "ERROR"))));
      (children.get(s.id) || []).sort((a, b) => a.startNanos - b.startNanos).forEach((c) => walk(c, depth + 1));
    };
    roots.sort((a, b) => a.startNanos - b.startNanos).forEach((s) => walk(s, 0));
    $("spans").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "5" },
      "no spans recorded for this request (with tracing.sampleRatio below 1 it may not have been sampled)"))]));
    $("trace").hidden = false;
  } catch (e) {
    $("send-error").textContent = "cannot read the trace: " + e.message;
    $("send-error").hidden = false;
  }
}

function parseHeaders(text) {
  const headers = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`header line "${line}" is not Name: value`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

async function send(event) {
  event.preventDefault();
  $("send-error").hidden = true;
  const button = $("send");
  button.disabled = true;
  button.textContent = "Sending…";
  try {
    const body = { method: $("method").value, path: $("target").value, headers: parseHeaders($("headers").value) };
    if ($("body").value) body.body = $("body").value;
    if ($("from").value.trim()) body.from = $("from").value.trim();
    drawResult(await api("POST", "/api/request", body));
  } catch (e) {
    $("send-error").textContent = e.message;
    $("send-error").hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = "Send";
  }
}

function showBreakFields() {
  const kind = $("break-kind").value;
  $("break-status-label").hidden = kind !== "error";
  $("break-percent-label").hidden = kind !== "error" && kind !== "reset";
  $("break-latency-label").hidden = kind !== "latency";
}

async function breakIt(event) {
  event.preventDefault();
  const instance = $("break-instance").value;
  const kind = $("break-kind").value;
  const spec = { instance, forSeconds: Number($("break-for").value) };
  const store = ["postgres", "redis", "kafka", "replica"].includes(instance);
  if (store !== (kind === "stop")) {
    $("break-result").textContent = store ? `${instance} can only be stopped: choose "stop (data store)"`
      : `"stop" is for the data stores (postgres, redis, kafka, replica); ${instance} can fail, slow down or fail readiness`;
    return;
  }
  if (kind === "error") { spec.errorStatus = Number($("break-status").value); spec.percent = Number($("break-percent").value); }
  if (kind === "latency") spec.latencyMs = Number($("break-latency").value);
  if (kind === "reset") spec.resetPercent = Number($("break-percent").value);
  if (kind === "unready") spec.unready = true;
  try {
    await api("POST", "/api/faults", spec);
    $("break-result").textContent = `${instance} broken for ${spec.forSeconds} s. Send requests above to watch the path cope.`;
  } catch (e) {
    $("break-result").textContent = `breaking ${instance} failed: ${e.message}`;
  }
  refresh();
}

function start() {
  const presets = $("presets");
  for (const [label, method, path, body] of PRESETS) {
    presets.append(el("button", { type: "button", onclick: () => {
      $("method").value = method;
      $("target").value = path;
      $("body").value = body || "";
    } }, label));
  }
  $("send-form").addEventListener("submit", send);
  $("show-trace").addEventListener("click", showTrace);
  $("use-token").addEventListener("click", () => {
    const kept = $("headers").value.split("\n").filter((l) => l.trim() && !/^authorization\s*:/i.test(l));
    $("headers").value = kept.concat("Authorization: Bearer " + $("use-token").dataset.token).join("\n");
    $("use-token").textContent = "The token is in the headers below";
  });
  $("break-form").addEventListener("submit", breakIt);
  $("traffic-form").addEventListener("submit", startTraffic);
  $("traffic-stop").addEventListener("click", stopTraffic);
  $("break-kind").addEventListener("change", showBreakFields);
  showBreakFields();
  refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener("DOMContentLoaded", start);
