// Drives the dashboard in headless Chromium (playwright-core) against a
// running daemon; tests/e2e/dashboard.sh prepares the daemon and calls it.
// Every step prints what it checks; the first failure exits 1 with a
// screenshot of the page as it was. Screenshots go to $ARTIFACTS.
import { createRequire } from "node:module";
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import http from "node:http";

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const require = createRequire(`${env("GF_NODE_DIR")}/`);
const { chromium } = require("playwright-core");

const BASE = env("DASH_URL"); // http://127.0.0.1:PORT
const PORT = new URL(BASE).port;
const TOKEN = env("DASH_TOKEN");
const LB_PORT = Number(env("LB_PORT"));
const ARTIFACTS = env("ARTIFACTS");
const TIMEOUT = 60000;

const browser = await chromium.launch({
  executablePath: env("CHROMIUM"),
  // Root in a container has no user namespace for the sandbox. The
  // resolver rule gives us a non-loopback name for the same daemon.
  args: ["--no-sandbox", "--host-resolver-rules=MAP dashboard.test 127.0.0.1"],
});
const problems = [];
let page;

async function newPage(base) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 } });
  const p = await ctx.newPage();
  p.setDefaultTimeout(TIMEOUT);
  const host = new URL(base).host;
  p.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  p.on("console", (m) => {
    // The browser logs every 401 and 403 it gets; the login and read-only
    // steps expect some.
    if (m.type() === "error" && !/status of 40[13]/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  p.on("request", (r) => {
    const u = new URL(r.url());
    if (u.protocol !== "data:" && u.host !== host) problems.push(`request outside the daemon: ${r.url()}`);
  });
  return p;
}

async function step(name, fn) {
  process.stdout.write(`dashboard: ${name} ... `);
  try {
    await fn();
    console.log("ok");
  } catch (e) {
    console.log("FAILED");
    console.error(e.stack || String(e));
    if (page) await page.screenshot({ path: `${ARTIFACTS}/dashboard-failure.png`, fullPage: true }).catch(() => {});
    await browser.close();
    process.exit(1);
  }
}

const text = async (sel) => (await page.locator(sel).first().textContent()) || "";

// Sends `n` requests to the listener, a few at a time.
async function traffic(n) {
  let left = n;
  const one = () =>
    new Promise((res) => {
      const req = http.get({ host: "127.0.0.1", port: LB_PORT, path: "/", agent: false }, (r) => {
        r.resume();
        r.on("end", res);
      });
      req.on("error", res);
    });
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (left-- > 0) await one();
    }),
  );
}

await step("the overview renders with the listener's live traffic", async () => {
  page = await newPage(BASE);
  await page.goto(`${BASE}/`);
  await page.locator(".view-overview").waitFor();
  await page.locator('.tcard[data-listener="http"]').waitFor();
  // A rate needs two samples with requests between them: keep sending
  // until the card shows one above zero.
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    await traffic(150);
    const rps = parseFloat(await text('.tcard[data-listener="http"] .rps'));
    if (rps > 0) break;
    if (Date.now() > deadline) throw new Error("no request rate shown for listener http");
  }
  // A few more samples, so the sparkline has a line to draw.
  while ((await page.locator('.tcard[data-listener="http"] polyline.line').count()) === 0 ||
         ((await page.locator('.tcard[data-listener="http"] polyline.line').getAttribute("points")) || "").split(" ").length < 4) {
    await traffic(100);
    if (Date.now() > deadline) throw new Error("no sparkline for listener http");
  }
  const card = await text('.tcard[data-listener="http"]');
  if (!/p99/.test(card) || !/\d+(\.\d+)? (µs|ms)/.test(card)) throw new Error(`no latency on the card: ${card}`);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-overview.png`, fullPage: true });
});

await step("the infrastructure tree shows lb → listener → target group → group → instances", async () => {
  await page.goto(`${BASE}/#/infra`);
  await page.locator('[data-lb="web"] [data-listener="http"]').waitFor();
  const insts = page.locator('[data-listener="http"] .inst');
  await insts.nth(1).waitFor();
  if ((await insts.count()) !== 2) throw new Error(`expected 2 instances, got ${await insts.count()}`);
  for (let i = 0; i < 2; i++) {
    const t = await insts.nth(i).textContent();
    if (!/in service/.test(t) || !/healthy/.test(t) || !/v1/.test(t) || !/up /.test(t))
      throw new Error(`instance card lacks state, health, version or age: ${t}`);
  }
  const tree = await text(".view-infra");
  for (const want of ["web-tg", "converged", "2/2 healthy"]) if (!tree.includes(want)) throw new Error(`"${want}" not in the tree`);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-infra.png`, fullPage: true });
});

let before = [];
await step("the pipelines page lists the project and its first build", async () => {
  await page.goto(`${BASE}/#/pipelines`);
  await page.locator('[data-project="site"] tr.build').first().waitFor();
  before = await page.locator('[data-project="site"] tr.build').evaluateAll((rows) => rows.map((r) => r.dataset.build));
  const t = await text('[data-project="site"]');
  if (!/succeeded/.test(t)) throw new Error(`first build not shown as succeeded: ${t}`);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-pipelines.png`, fullPage: true });
});

await step("a push appears as a new build, and its log streams while it runs", async () => {
  execSync(env("PUSH_CMD"), { stdio: "inherit", shell: "/bin/bash" });
  const row = page.locator('[data-project="site"] tr.build').first();
  const deadline = Date.now() + TIMEOUT;
  while (before.includes(await row.getAttribute("data-build"))) {
    if (Date.now() > deadline) throw new Error("the pushed build never appeared");
    await page.waitForTimeout(100);
  }
  await row.click();
  await page.locator(".view-build").waitFor();
  // Live: the build waits for us (GATE_FILE) after its first line.
  await page.locator("#buildlog", { hasText: "dashboard step 1" }).waitFor();
  if ((await text("#buildlog")).includes("— build over")) throw new Error("the build ended before its gate opened");
  await page.locator("#buildtitle .badge.run", { hasText: "in progress" }).waitFor();
  writeFileSync(env("GATE_FILE"), "");
  for (;;) {
    const log = await text("#buildlog");
    if (log.includes("— build over")) break;
    if (Date.now() > deadline) throw new Error(`the build did not end: ${log}`);
    await page.waitForTimeout(100);
  }
  const log = await text("#buildlog");
  for (const want of ["dashboard step 5", "==> phase build SUCCEEDED", "build over: SUCCEEDED"])
    if (!log.includes(want)) throw new Error(`"${want}" not in the log: ${log}`);
  await page.locator("#buildtitle .badge.ok").waitFor();
  const facts = await text(".view-build");
  if (!facts.includes(env("PUSHED_COMMIT").slice(0, 8))) throw new Error(`commit not shown: ${facts}`);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-build.png`, fullPage: true });
});

await step("the events timeline shows the daemon's events and filters them", async () => {
  await page.goto(`${BASE}/#/events`);
  await page.locator(".view-events .ev").first().waitFor();
  const all = await page.locator(".view-events .ev").count();
  await page.locator("#evfilter").fill("in_service");
  const some = await page.locator(".view-events .ev").count();
  if (!(some > 0 && some < all)) throw new Error(`filter: ${some} of ${all} events`);
  const t = await text(".view-events");
  if (!t.includes("instance.state")) throw new Error("no instance.state event");
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-events.png`, fullPage: true });
});

await step("a dashboard session reads but cannot change anything", async () => {
  const codes = await page.evaluate(async () => {
    const h = { Authorization: `Bearer ${localStorage.getItem("gitfleet.session")}` };
    const get = await fetch("/v1/lbs", { headers: h });
    const put = await fetch("/v1/lbs/other", { method: "PUT", headers: h, body: "{}" });
    const state = await fetch("/v1/state/x", { headers: h });
    return [get.status, put.status, state.status];
  });
  if (codes.join() !== "200,403,403") throw new Error(`GET, PUT, state: ${codes}`);
});

await step("a client that is not on loopback must sign in with the API token", async () => {
  const remote = `http://dashboard.test:${PORT}`;
  page = await newPage(remote);
  await page.goto(`${remote}/`);
  await page.locator("#token").waitFor();
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-login.png` });
  await page.locator("#token").fill("0".repeat(64));
  await page.locator(".login button").click();
  await page.locator("#loginerror", { hasText: "not the daemon's API token" }).waitFor();
  await page.locator("#token").fill(TOKEN);
  await page.locator(".login button").click();
  await page.locator(".view-overview").waitFor();
  await page.locator("#logout").click();
  await page.locator("#token").waitFor();
});

await browser.close();
if (problems.length) {
  console.error(`dashboard: problems seen in the browser:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`dashboard: screenshots in ${ARTIFACTS}`);
