/*
 * gitfleet dashboard: a read-only view of the daemon, built from its JSON
 * API (/v1/...) and event streams like any other client (docs/dashboard.md).
 *
 * - Auth: a dashboard session (a read-only bearer token) from POST
 *   /ui/session: given at once to trusted clients (loopback, unix socket),
 *   after a login with the API token to others. Kept in localStorage.
 * - Streams (events, build logs) are read with fetch() so that they carry
 *   the Authorization header, which EventSource cannot send.
 * - Everything is built with DOM calls and textContent: no data is ever
 *   parsed as HTML.
 */
"use strict";

const POLL_MS = 2000;
const SPARK_POINTS = 60;

/* ---- small helpers -------------------------------------------------------- */

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

function ago(ms) {
  if (!ms) return "—";
  const d = Math.max(0, (Date.now() - ms) / 1000);
  if (d < 5) return "just now";
  if (d < 60) return `${Math.floor(d)} s ago`;
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86400) return `${Math.floor(d / 3600)} h ago`;
  return `${Math.floor(d / 86400)} d ago`;
}

function dur(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60), r = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${r} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function ms(seconds) {
  if (seconds === null || !isFinite(seconds)) return "—";
  if (seconds < 0.001) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`;
  return `${seconds.toFixed(2)} s`;
}

function clock(msTime) {
  const d = new Date(msTime);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
}

function rate(n) {
  if (n === null || !isFinite(n)) return "—";
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const short = (sha) => (sha && /^[0-9a-f]{12,}$/.test(sha) ? sha.slice(0, 8) : sha || "");

/* Build, instance, health and phase words → badge colour. */
function tone(word) {
  switch (String(word || "").toLowerCase()) {
    case "succeeded": case "in_service": case "healthy": case "converged": case "bound": case "ok":
      return "ok";
    case "failed": case "fault": case "timed_out": case "unhealthy": case "rolling_back": case "error":
      return "bad";
    case "in_progress": case "starting": case "refreshing": case "scaling": case "pending": case "initial":
      return "run";
    case "queued": case "draining": case "terminating": case "deleting": case "stopped":
      return "warn";
    default:
      return "";
  }
}

const badge = (word, label) => h("span", { class: `badge ${tone(word)}` }, label || String(word || "?").toLowerCase().replace(/_/g, " "));

/* ---- the session and the API ---------------------------------------------- */

const auth = {
  session: localStorage.getItem("gitfleet.session"),
  trusted: localStorage.getItem("gitfleet.trusted") === "1",
};

function saveSession(s, trusted) {
  auth.session = s;
  auth.trusted = !!trusted;
  if (s) {
    localStorage.setItem("gitfleet.session", s);
    localStorage.setItem("gitfleet.trusted", trusted ? "1" : "0");
  } else {
    localStorage.removeItem("gitfleet.session");
    localStorage.removeItem("gitfleet.trusted");
  }
  document.getElementById("logout").hidden = !s || auth.trusted;
}

class LoginNeeded extends Error {}

/* A session without a login, when this client is trusted. */
async function trySession(token) {
  const init = { method: "POST", headers: {} };
  if (token !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify({ token });
  }
  const r = await fetch("/ui/session", init);
  const body = await r.json().catch(() => ({}));
  if (r.status === 201) {
    saveSession(body.session, body.trusted);
    return { ok: true };
  }
  return { ok: false, message: body.error ? body.error.message : `HTTP ${r.status}` };
}

async function authedFetch(path, init) {
  init = init || {};
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!auth.session && !(await trySession()).ok) throw new LoginNeeded();
    const headers = Object.assign({}, init.headers, { Authorization: `Bearer ${auth.session}` });
    const r = await fetch(path, Object.assign({}, init, { headers }));
    if (r.status !== 401) return r;
    saveSession(null); /* expired, or the daemon restarted: ask again */
  }
  throw new LoginNeeded();
}

async function api(path) {
  const r = await authedFetch(path);
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    throw new Error(body.error ? body.error.message : `${path}: HTTP ${r.status}`);
  }
  return r.json();
}

/*
 * A server-sent event stream over fetch. onEvent(name, data, id) per event;
 * returns a stop function. Reconnects (with the last id) until stopped or
 * until onEnd says the stream is over.
 */
function stream(pathFn, onEvent, opts) {
  opts = opts || {};
  const ctl = { stopped: false, abort: null, lastId: null };
  (async () => {
    let backoff = 500, first = true;
    while (!ctl.stopped) {
      if (!first && opts.onRestart) opts.onRestart();
      first = false;
      const ac = new AbortController();
      ctl.abort = ac;
      let ended = false;
      try {
        const r = await authedFetch(pathFn(ctl.lastId), { headers: { Accept: "text/event-stream" }, signal: ac.signal });
        if (r.status === 404 && opts.onMissing) {
          opts.onMissing();
          return;
        }
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        backoff = 500;
        const reader = r.body.getReader();
        const dec = new TextDecoder();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let cut;
          while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut).replace(/^\r?\n\r?\n/, "");
            let name = "message", id = null;
            const data = [];
            for (const line of block.split(/\r?\n/)) {
              if (line.startsWith(":")) continue;
              const i = line.indexOf(":");
              const field = i < 0 ? line : line.slice(0, i);
              let val = i < 0 ? "" : line.slice(i + 1);
              if (val.startsWith(" ")) val = val.slice(1);
              if (field === "event") name = val;
              else if (field === "data") data.push(val);
              else if (field === "id") id = val;
            }
            if (id !== null) ctl.lastId = id;
            if (data.length || name !== "message") {
              if (onEvent(name, data.join("\n"), id) === false) ended = true;
            }
          }
        }
      } catch (e) {
        if (e instanceof LoginNeeded) { showLogin(); return; }
        if (ctl.stopped) return;
      }
      if (ended || ctl.stopped) return;
      await new Promise((res) => setTimeout(res, backoff));
      backoff = Math.min(backoff * 2, 10000);
    }
  })();
  return () => { ctl.stopped = true; if (ctl.abort) ctl.abort.abort(); };
}

/* ---- shared state: polled resources, traffic history, events ---------------- */

const state = {
  lbs: [], listeners: [], tgs: [], groups: [], templates: [], instances: [], projects: [], builds: [],
  events: [], // newest first, at most 300
  traffic: {}, // listener → {samples: [{t, requests, latency buckets, sum}], series: [...]}
  loaded: false,
  version: "",
};

let connected = null;
function setLive(ok, text) {
  const el = document.getElementById("live");
  if (connected === ok && el.textContent === text) return;
  connected = ok;
  el.className = `live ${ok ? "ok" : "bad"}`;
  el.textContent = text;
}

/* Quantile q of the requests counted in `buckets` (non-cumulative, the last one
 * above every bound), interpolated inside its bucket as Prometheus does. */
function quantile(q, bounds, buckets) {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < buckets.length; i++) {
    if (cum + buckets[i] >= rank && buckets[i] > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lo = i === 0 ? 0 : bounds[i - 1];
      return lo + (bounds[i] - lo) * ((rank - cum) / buckets[i]);
    }
    cum += buckets[i];
  }
  return bounds[bounds.length - 1];
}

function recordTraffic(now) {
  for (const l of state.listeners) {
    const st = l.status || {};
    if (!st.bound || !st.latency) continue;
    const t = state.traffic[l.name] || (state.traffic[l.name] = { last: null, series: [] });
    const cur = { t: now, requests: st.requests, buckets: st.latency.buckets, sum: st.latency.sum_seconds, r5: st.responses_5xx };
    if (t.last && cur.requests >= t.last.requests) {
      const dt = (cur.t - t.last.t) / 1000;
      const dreq = cur.requests - t.last.requests;
      const db = cur.buckets.map((b, i) => Math.max(0, b - (t.last.buckets[i] || 0)));
      const answered = db.reduce((a, b) => a + b, 0);
      t.series.push({
        t: now,
        rps: dt > 0 ? dreq / dt : 0,
        p50: quantile(0.5, st.latency.bounds, db),
        p99: quantile(0.99, st.latency.bounds, db),
        mean: answered ? (cur.sum - t.last.sum) / answered : null,
        err: dt > 0 ? Math.max(0, cur.r5 - t.last.r5) / dt : 0,
      });
      if (t.series.length > SPARK_POINTS) t.series.shift();
    }
    t.last = cur; /* a smaller count means the listener was replaced: start again */
  }
}

async function poll() {
  const now = Date.now();
  try {
    const [lbs, listeners, tgs, groups, templates, instances, projects, builds] = await Promise.all([
      api("/v1/lbs"), api("/v1/listeners"), api("/v1/target-groups"), api("/v1/autoscaling-groups"),
      api("/v1/launch-templates"), api("/v1/instances"), api("/v1/projects"), api("/v1/builds"),
    ]);
    Object.assign(state, {
      lbs: lbs.items, listeners: listeners.items, tgs: tgs.items, groups: groups.items,
      templates: templates.items, instances: instances.items, projects: projects.items,
      builds: builds.builds, loaded: true,
    });
    recordTraffic(now);
    setLive(true, "live");
    render();
  } catch (e) {
    if (e instanceof LoginNeeded) return showLogin();
    setLive(false, "daemon unreachable");
  }
}

let pollTimer = null;
let eventsStop = null;
function startData() {
  if (pollTimer) return;
  poll();
  pollTimer = setInterval(poll, POLL_MS);
  eventsStop = stream(
    (last) => (last ? `/v1/events?after=${encodeURIComponent(last)}` : "/v1/events?last=300"),
    (name, data) => {
      if (name !== "event") return;
      let ev;
      try { ev = JSON.parse(data); } catch (e) { return; }
      ev._new = state.loaded;
      state.events.unshift(ev);
      if (state.events.length > 300) state.events.pop();
      scheduleRender();
    },
  );
}

function stopData() {
  clearInterval(pollTimer);
  pollTimer = null;
  if (eventsStop) eventsStop();
  eventsStop = null;
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => { renderPending = false; render(); });
}

/* ---- views -------------------------------------------------------------- */

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const parts = hash.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "builds" && parts[1]) return { view: "build", id: parts.slice(1).join("/") };
  if (["pipelines", "infra", "events"].includes(parts[0])) return { view: parts[0] };
  return { view: "overview" };
}

const main = () => document.getElementById("main");
let currentView = null;
let buildView = null; /* the open build page: its log stream survives renders */

function render() {
  if (document.body.dataset.login === "1") return;
  const r = route();
  for (const a of document.querySelectorAll("#nav a"))
    a.classList.toggle("on", a.dataset.view === r.view || (r.view === "build" && a.dataset.view === "pipelines"));
  if (r.view === "build") return renderBuild(r.id);
  if (buildView) { buildView.close(); buildView = null; }
  const view = { overview: viewOverview, pipelines: viewPipelines, infra: viewInfra, events: viewEvents }[r.view];
  const scroll = window.scrollY;
  const focus = document.activeElement && document.activeElement.id;
  const caret = focus === "evfilter" ? document.activeElement.selectionStart : null;
  main().replaceChildren(state.loaded ? view() : h("p", { class: "empty" }, "Loading…"));
  if (currentView === r.view) window.scrollTo(0, scroll);
  currentView = r.view;
  if (focus === "evfilter") {
    const el = document.getElementById("evfilter");
    el.focus();
    el.setSelectionRange(caret, caret);
  }
  for (const ev of state.events) ev._new = false;
}

function panel(title, right, body, flush) {
  return h("section", { class: "panel" },
    h("div", { class: "ph" }, typeof title === "string" ? h("h2", {}, title) : title, right || null),
    h("div", { class: `pb${flush ? " flush" : ""}` }, body));
}

function stat(k, v, n) {
  return h("div", { class: "stat" }, h("div", { class: "k" }, k), h("div", { class: "v" }, v), n ? h("div", { class: "n" }, n) : null);
}

function sparkline(series) {
  const W = 300, H = 46;
  const svg = s("svg", { class: "spark", viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img" });
  if (series.length < 2) return svg;
  const max = Math.max(1, ...series.map((p) => p.rps));
  /* The window fills the width from the first samples on, up to SPARK_POINTS. */
  const span = Math.max(series.length, 12);
  const x = (i) => (i / (span - 1)) * W;
  const pts = series.map((p, i) => `${x(i).toFixed(1)},${(H - 2 - (p.rps / max) * (H - 6)).toFixed(1)}`);
  svg.append(s("path", { class: "area", d: `M0,${H} L${pts.join(" L")} L${x(series.length - 1).toFixed(1)},${H} Z` }));
  svg.append(s("polyline", { class: "line", points: pts.join(" ") }));
  const lats = series.map((p) => p.p99).filter((v) => v !== null);
  if (lats.length > 1) {
    const lmax = Math.max(...lats) || 1;
    const lp = series.map((p, i) => (p.p99 === null ? null : `${x(i).toFixed(1)},${(H - 2 - (p.p99 / lmax) * (H - 6)).toFixed(1)}`)).filter(Boolean);
    svg.append(s("polyline", { class: "lat", points: lp.join(" ") }));
  }
  const title = s("title");
  title.textContent = `requests/s, last ${series.length} samples (solid); p99 latency (dashed)`;
  svg.append(title);
  return svg;
}

function trafficCards() {
  if (!state.listeners.length) return h("p", { class: "empty" }, "No listener yet. Apply infrastructure with a fleet_lb_listener to see traffic here.");
  return h("div", { class: "traffic" }, state.listeners.map((l) => {
    const st = l.status || {};
    const t = state.traffic[l.name] || { series: [] };
    const last = t.series[t.series.length - 1];
    const tg = (l.default_action || {}).target_group_id;
    return h("div", { class: "tcard", "data-listener": l.name },
      h("div", { class: "top" },
        h("div", {}, h("span", { class: "name" }, l.name), " ", h("span", { class: "meta" }, st.address || `${l.address}:${l.port}`)),
        st.bound ? badge("ok", "listening") : badge("failed", "not bound")),
      h("div", { class: "nums" },
        h("div", {}, h("b", { class: "rps" }, last ? rate(last.rps) : "—"), h("span", {}, "req/s")),
        h("div", {}, h("b", {}, last && last.p50 !== null ? ms(last.p50) : "—"), h("span", {}, "p50")),
        h("div", {}, h("b", {}, last && last.p99 !== null ? ms(last.p99) : "—"), h("span", {}, "p99")),
        h("div", {}, h("b", {}, last ? rate(last.err) : "—"), h("span", {}, "5xx/s"))),
      sparkline(t.series),
      h("div", { class: "meta" }, `→ ${tg} · ${plural(st.requests || 0, "request")} · ${plural(st.active_connections || 0, "connection")}`));
  }));
}

/* withProject: the overview's short form (a project column, no trigger). */
function buildRows(builds, withProject) {
  if (!builds.length) return h("p", { class: "empty" }, "No build yet: push a commit to the project's repository.");
  return h("table", {},
    h("thead", {}, h("tr", {}, withProject ? h("th", {}, "Project") : null, h("th", {}, "#"), h("th", {}, "Status"), h("th", {}, "Commit"), withProject ? null : h("th", {}, "Trigger"), h("th", {}, "Started"), h("th", { class: "num" }, "Duration"))),
    h("tbody", {}, builds.map((b) => {
      const end = b.end_ms || (b.status === "IN_PROGRESS" ? Date.now() : 0);
      const d = b.start_ms && end ? (end - b.start_ms) / 1000 : null;
      const commit = b.resolved_source_version || b.commit || b.source_version;
      return h("tr", { class: "click build", "data-build": b.id, onclick: () => { location.hash = `#/builds/${encodeURIComponent(b.id)}`; } },
        withProject ? h("td", {}, h("b", {}, b.project)) : null,
        h("td", { class: "mono" }, h("a", { href: `#/builds/${encodeURIComponent(b.id)}` }, `#${b.number}`)),
        h("td", {}, badge(b.status)),
        h("td", {}, h("span", { class: "chip" }, short(commit) || "—"), " ", h("span", { class: "msg" }, (b.message || "").split("\n")[0])),
        withProject ? null : h("td", { class: "meta" }, b.initiator || "", b.head_ref ? ` · ${b.head_ref.replace(/^refs\/heads\//, "")}` : ""),
        h("td", { class: "meta", title: b.queued_ms ? new Date(b.queued_ms).toLocaleString() : "" }, ago(b.start_ms || b.queued_ms)),
        h("td", { class: "num" }, dur(d)));
    })));
}

function eventList(events, limit) {
  if (!events.length) return h("p", { class: "empty" }, "No event yet.");
  return h("ul", { class: "events" }, events.slice(0, limit).map((ev) => {
    const t = ev.type || "";
    const cls = /failed|error|unhealthy|stopped$/.test(t) || ev.state === "failed" || ev.state === "unhealthy" ? "bad"
      : ev.state === "in_service" || ev.phase === "converged" || /created$/.test(t) ? "ok"
      : /phase|state|deleting|uploaded/.test(t) ? "run" : "";
    return h("li", { class: `ev${ev._new ? " new" : ""}` },
      h("time", { title: new Date(ev.time_ms).toLocaleString() }, clock(ev.time_ms)),
      h("span", { class: `type ${cls}` }, t),
      h("span", { class: "res" }, ev.resource || ""),
      h("span", { class: "msg", title: ev.message || "" }, ev.message || ""));
  }));
}

function viewOverview() {
  const live = state.instances.filter((i) => !["terminated", "failed"].includes(i.state));
  const serving = live.filter((i) => i.state === "in_service").length;
  const recent = state.builds.filter((b) => b.queued_ms > Date.now() - 86400000);
  const ok = recent.filter((b) => b.status === "SUCCEEDED").length;
  const done = recent.filter((b) => !["QUEUED", "IN_PROGRESS"].includes(b.status)).length;
  let rps = 0;
  for (const t of Object.values(state.traffic)) if (t.series.length) rps += t.series[t.series.length - 1].rps;
  return h("div", { class: "view-overview" },
    h("div", { class: "head" }, h("div", {}, h("h1", {}, "Overview"), h("div", { class: "sub" }, "Your pipelines, your fleet and its traffic, live."))),
    h("div", { class: "stats" },
      stat("Projects", state.projects.length, `${plural(state.builds.length, "build")} in history`),
      stat("Builds today", recent.length, done ? `${Math.round((ok / done) * 100)}% succeeded` : "none finished"),
      stat("Instances", `${serving}/${live.length}`, "in service / live"),
      stat("Listeners", state.listeners.length, plural(state.groups.length, "autoscaling group")),
      stat("Requests/s", rate(rps), "all listeners")),
    panel("Traffic", h("span", { class: "meta" }, "requests per second and latency, sampled every 2 s"), trafficCards()),
    h("div", { class: "grid g2" },
      panel("Latest builds", h("a", { href: "#/pipelines" }, "All pipelines →"), buildRows(state.builds.slice(0, 6), true), true),
      panel("Latest events", h("a", { href: "#/events" }, "Timeline →"), eventList(state.events, 8), true)));
}

function viewPipelines() {
  const byProject = {};
  for (const b of state.builds) (byProject[b.project] = byProject[b.project] || []).push(b);
  const names = state.projects.map((p) => p.name);
  for (const n of Object.keys(byProject)) if (!names.includes(n)) names.push(n);
  return h("div", { class: "view-pipelines" },
    h("div", { class: "head" }, h("div", {}, h("h1", {}, "Pipelines"), h("div", { class: "sub" }, "Every push runs the project's buildspec.yaml. Click a build for its log."))),
    names.length ? names.map((name) => {
      const p = state.projects.find((x) => x.name === name) || {};
      const builds = byProject[name] || [];
      const src = p.source || {};
      const title = h("div", {}, h("h2", {}, name), h("div", { class: "meta" }, src.type ? `${src.type}${src.location ? ` · ${src.location}` : ""}` : "deleted project", p.repo_url ? ` · ${p.repo_url}` : ""));
      return h("div", { class: "project", "data-project": name }, panel(title, builds[0] ? badge(builds[0].status) : null, buildRows(builds.slice(0, 15), false), true));
    }) : h("p", { class: "empty" }, "No project yet. Create one with fleet_build_project, or PUT /v1/projects/NAME."));
}

function targetFor(tgName, inst) {
  const tg = state.tgs.find((t) => t.name === tgName);
  if (!tg || !tg.status) return null;
  return (tg.status.targets || []).find((t) => t.instance === inst.id || t.address.endsWith(`:${inst.port}`));
}

function instanceCard(inst, tgNames) {
  const health = tgNames.map((n) => targetFor(n, inst)).filter(Boolean);
  const worst = health.find((t) => t.state === "unhealthy") || health.find((t) => t.state !== "healthy") || health[0];
  return h("div", { class: "inst", "data-instance": inst.id },
    h("div", { class: "row" }, h("span", { class: "name mono" }, inst.id), badge(inst.state)),
    h("div", { class: "row meta" },
      h("span", {}, `v${inst.version} · :${inst.port}${inst.pid ? ` · pid ${inst.pid}` : ""}`),
      worst ? h("span", { class: `badge ${tone(worst.state)}`, title: worst.reason || "" }, worst.state) : h("span", { class: "meta" }, "not registered")),
    h("div", { class: "meta" }, `up ${dur(inst.age_seconds)}`, inst.reason ? ` · ${inst.reason}` : ""));
}

function groupNode(g) {
  const st = g.status || {};
  const insts = st.instances || [];
  return h("li", {},
    h("div", { class: "node" }, h("span", { class: "kind" }, "group"), h("span", { class: "name" }, g.name), badge(st.phase || "pending"),
      h("span", { class: "meta" }, `${st.in_service || 0}/${g.desired_capacity} in service · min ${g.min_size} max ${g.max_size} · template ${g.launch_template} v${st.version || "?"}`),
      st.reason ? h("span", { class: "meta", title: st.reason }, `· ${st.reason}`) : null),
    h("div", { class: "insts" }, insts.length ? insts.map((i) => instanceCard(i, g.target_group_ids || [])) : h("span", { class: "meta" }, "no instance")));
}

function tgNode(tg) {
  const hc = tg.health_check || {};
  const groups = state.groups.filter((g) => (g.target_group_ids || []).includes(tg.name));
  const targets = (tg.status || {}).targets || [];
  const healthy = targets.filter((t) => t.state === "healthy").length;
  return h("li", {},
    h("div", { class: "node" }, h("span", { class: "kind" }, "target group"), h("span", { class: "name" }, tg.name),
      h("span", { class: `badge ${healthy ? "ok" : targets.length ? "bad" : ""}` }, `${healthy}/${targets.length} healthy`),
      h("span", { class: "meta" }, `GET ${hc.path || "—"} → ${hc.matcher || ""} every ${hc.interval}s · ${tg.algorithm}`)),
    groups.length ? h("ul", { class: "tree" }, groups.map(groupNode)) : null);
}

function viewInfra() {
  const used = new Set();
  const lbNodes = state.lbs.map((lb) => {
    const ls = state.listeners.filter((l) => l.load_balancer_id === lb.name);
    return h("li", { "data-lb": lb.name },
      h("div", { class: "node" }, h("span", { class: "kind" }, "load balancer"), h("span", { class: "name" }, lb.name), h("span", { class: "meta" }, plural(ls.length, "listener"))),
      h("ul", { class: "tree" }, ls.map((l) => {
        const tgName = (l.default_action || {}).target_group_id;
        const tg = state.tgs.find((t) => t.name === tgName);
        if (tg) used.add(tg.name);
        const st = l.status || {};
        return h("li", { "data-listener": l.name },
          h("div", { class: "node" }, h("span", { class: "kind" }, "listener"), h("span", { class: "name" }, l.name),
            st.bound ? badge("ok", "listening") : badge("failed", "not bound"),
            h("span", { class: "meta" }, `${st.address || `${l.address}:${l.port}`} → forward to ${tgName}`)),
          tg ? h("ul", { class: "tree" }, tgNode(tg)) : null);
      })));
  });
  const loose = state.tgs.filter((t) => !used.has(t.name));
  const orphanGroups = state.groups.filter((g) => !(g.target_group_ids || []).length);
  const empty = !state.lbs.length && !state.tgs.length && !state.groups.length;
  return h("div", { class: "view-infra" },
    h("div", { class: "head" }, h("div", {}, h("h1", {}, "Infrastructure"), h("div", { class: "sub" }, "Load balancers → listeners → target groups → autoscaling groups → instances."))),
    empty ? h("p", { class: "empty" }, "Nothing deployed yet.") : panel("Fleet", h("span", { class: "meta" }, `${plural(state.instances.filter((i) => i.state === "in_service").length, "instance")} in service`),
      h("ul", { class: "tree" }, lbNodes,
        loose.map((tg) => tgNode(tg)),
        orphanGroups.map(groupNode))),
    state.templates.length ? panel("Launch templates", null, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Latest version"), h("th", {}, "Release"), h("th", {}, "Command"))),
      h("tbody", {}, state.templates.map((t) => h("tr", {},
        h("td", {}, h("b", {}, t.name)), h("td", {}, `v${t.latest_version}`),
        h("td", {}, h("span", { class: "chip", title: t.release }, short(t.release))),
        h("td", { class: "mono" }, t.command ? t.command.join(" ") : "gitfleet www (built-in)"))))), true) : null);
}

let eventFilter = "";
function viewEvents() {
  const f = eventFilter.toLowerCase();
  const list = f ? state.events.filter((e) => `${e.type} ${e.resource} ${e.message}`.toLowerCase().includes(f)) : state.events;
  const input = h("input", { id: "evfilter", class: "filter", type: "search", placeholder: "Filter: type, resource, text", value: eventFilter,
    oninput: (e) => { eventFilter = e.target.value; render(); } });
  return h("div", { class: "view-events" },
    h("div", { class: "head" }, h("div", {}, h("h1", {}, "Events"), h("div", { class: "sub" }, "What the daemon did, newest first, as it happens.")), input),
    panel(plural(list.length, "event"), h("span", { class: "meta" }, "from /v1/events"), eventList(list, 300), true));
}

/* ---- one build: facts, phases, live log ---------------------------------- */

function logLine(text) {
  const m = /^(\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)\.\d+Z) (.*)$/.exec(text);
  const body = m ? m[3] : text;
  const cls = body.startsWith("==>") ? "mark" : /^(error|fatal|FAIL)|failed/i.test(body) ? "err" : "";
  return h("div", { class: "l" }, m ? h("span", { class: "t", title: m[1] }, m[2]) : null, h("span", { class: cls }, body));
}

function renderBuild(id) {
  if (buildView && buildView.id === id) return buildView.update();
  if (buildView) buildView.close();
  const log = h("div", { class: "log", id: "buildlog" });
  const factsBox = h("div");
  main().replaceChildren(h("div", { class: "view-build" },
    h("div", { class: "head" }, h("div", {}, h("a", { href: "#/pipelines" }, "← Pipelines"), h("h1", { id: "buildtitle" }, id))),
    factsBox,
    h("section", { class: "panel" }, h("div", { class: "ph" }, h("h2", {}, "Log"), h("span", { class: "meta", id: "logstate" }, "streaming…")), log)));
  currentView = "build";
  let follow = true;
  log.addEventListener("scroll", () => { follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 30; });
  const stop = stream(() => `/v1/builds/${encodeURIComponent(id)}/log`, (name, data) => {
    if (name === "line") {
      log.append(logLine(data));
      if (follow) log.scrollTop = log.scrollHeight;
    } else if (name === "end") {
      log.append(h("div", { class: "end" }, `— build over: ${data} —`));
      document.getElementById("logstate").textContent = `ended ${data.toLowerCase()}`;
      poll();
      return false;
    }
  }, {
    onRestart: () => log.replaceChildren(),
    onMissing: () => {
      factsBox.replaceChildren(h("p", { class: "empty" }, `There is no build ${id}.`));
      document.getElementById("logstate").textContent = "no such build";
      buildView.missing = true;
    },
  });
  buildView = {
    id,
    close: stop,
    update() {
      /* The list holds the 200 newest builds; an older one is fetched once. */
      const b = state.builds.find((x) => x.id === id) || this.own;
      if (!b && !this.fetching && !this.missing) {
        this.fetching = true;
        api(`/v1/builds/${encodeURIComponent(id)}`).then((own) => { this.own = own; this.update(); }).catch(() => {});
      }
      if (!b) {
        if (!this.missing) factsBox.replaceChildren(h("p", { class: "empty" }, "Loading the build…"));
        return;
      }
      document.getElementById("buildtitle").replaceChildren(`${b.project} #${b.number} `, badge(b.status));
      const end = b.end_ms || (b.status === "IN_PROGRESS" ? Date.now() : 0);
      const phases = ["install", "pre_build", "build", "post_build"].map((name) => {
        const p = (b.phases || []).find((x) => x.phase === name);
        const running = !p && b.status === "IN_PROGRESS";
        const cls = p ? tone(p.status) : "";
        return h("div", { class: `phase ${cls}` }, h("b", {}, name.replace("_", " ")), p ? `${p.status.toLowerCase()} · ${dur(p.duration)}` : running ? "…" : "not run");
      });
      factsBox.replaceChildren(panel("Build", null, [
        h("div", { class: "facts" },
          h("div", {}, h("span", {}, "Commit"), h("code", { title: b.resolved_source_version || "" }, short(b.resolved_source_version || b.commit) || "—")),
          h("div", {}, h("span", {}, "Ref"), b.head_ref || b.source_version || "—"),
          h("div", {}, h("span", {}, "Trigger"), `${b.initiator || "—"}${b.event ? ` (${b.event})` : ""}`),
          h("div", {}, h("span", {}, "Queued"), ago(b.queued_ms)),
          h("div", {}, h("span", {}, "Duration"), dur(b.start_ms && end ? (end - b.start_ms) / 1000 : null))),
        b.message ? h("p", { class: "meta" }, b.message.split("\n")[0]) : null,
        b.reason ? h("p", { class: "error", style: null }, badge("failed", "reason"), " ", b.reason) : null,
        h("div", { class: "phases" }, phases)]));
    },
  };
  buildView.update();
}

/* ---- login --------------------------------------------------------------- */

function showLogin() {
  stopData();
  saveSession(null);
  document.body.dataset.login = "1";
  document.getElementById("nav").hidden = true;
  setLive(false, "signed out");
  const err = h("div", { class: "error", id: "loginerror" });
  const input = h("input", { id: "token", type: "password", autocomplete: "current-password", placeholder: "64 hex digits", required: true });
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = "";
    const r = await trySession(input.value.trim()).catch(() => ({ ok: false, message: "the daemon is unreachable" }));
    if (r.ok) start();
    else err.textContent = r.message;
  } },
  h("label", { for: "token" }, "API token"), input, h("button", { type: "submit" }, "Sign in"), err);
  main().replaceChildren(h("section", { class: "panel login" }, h("div", { class: "pb" },
    h("h1", {}, "Sign in to gitfleet"),
    h("p", {}, "This dashboard is read-only. From a machine other than the daemon's, sign in with the daemon's API token: ", h("code", {}, "cat $GITFLEET_HOME/api-token"), "."),
    form)));
  input.focus();
}

function start() {
  delete document.body.dataset.login;
  document.getElementById("nav").hidden = false;
  document.getElementById("logout").hidden = !auth.session || auth.trusted;
  state.loaded = false;
  render();
  startData();
}

document.getElementById("logout").addEventListener("click", async () => {
  try { await authedFetch("/ui/session", { method: "DELETE" }); } catch (e) { /* signed out anyway */ }
  showLogin();
});
window.addEventListener("hashchange", render);
/* Relative times age even when nothing changes. */
setInterval(() => { if (state.loaded && route().view !== "build") scheduleRender(); }, 10000);

(async () => {
  try {
    if (!auth.session && !(await trySession()).ok) return showLogin();
  } catch (e) {
    setLive(false, "daemon unreachable");
  }
  start();
})();
