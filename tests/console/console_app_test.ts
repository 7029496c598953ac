/**
 * The review console over traces recorded by the real proxy and gateways, read over HTTP as a
 * browser would fetch it (what a reviewer sees in Chromium is tests/console/browser_test.ts):
 * security headers on every answer, read-only, trace data only ever as text, redacted values
 * still redacted, the figures, run ids that are no path segment, the export, and the console
 * mounted on each server behind the admin guard.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { TraceStore } from "@mirage/core";
import { exportConsole, startConsole } from "@mirage/core/console";
import { startProxy } from "../../src/ci/proxy.ts";
import { startGateway } from "../../src/gateway/gateway.ts";
import { startMcp } from "../../src/mcp/mcp.ts";
import { CliProcess, ROOT, runCli } from "../support/cli_process.ts";
import { tempDir } from "../support/fixtures.ts";
import { allowed, violation, writeRun } from "../support/trace_events.ts";
import { rawRequest } from "../gateway/raw_client.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";
import { FIXTURES as MCP_FIXTURES } from "../mcp/helpers.ts";
import {
  consoleOver,
  GATEWAY_POLICIES,
  PROCUREMENT_POLICIES,
  recordAll,
  recordProxyRuns,
  RUNS,
  testGateway,
  XSS,
} from "./recorded_runs.ts";

const quiet = () => {};

async function page(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; html: string; headers: Headers }> {
  const answer = await fetch(url, { redirect: "manual", ...init });
  return { status: answer.status, html: await answer.text(), headers: answer.headers };
}

/** Text as hono/jsx escapes it. */
function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const ENTITIES: Record<string, string> = { amp: "&", "#39": "'", quot: '"', lt: "<", gt: ">" };

/** The links of a page, as the browser reads the attribute. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) =>
    (m[1] as string).replace(/&(amp|#39|quot|lt|gt);/g, (_, e: string) => ENTITIES[e] as string)
  );
}

/** A console over a directory holding the recorded proxy and gateway runs. */
async function recordedConsole(fn: (url: string, traces: string) => Promise<void>) {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await recordAll(traces);
  const server = await consoleOver(traces);
  try {
    await fn(server.url, traces);
  } finally {
    await server.close();
  }
}

Deno.test("console: every answer carries the security headers; it only reads", async () => {
  await recordedConsole(async (url) => {
    const paths = [
      "",
      "runs",
      `runs/${encodeURIComponent(RUNS.procurement)}`,
      `runs/${encodeURIComponent(RUNS.procurement)}/trace.json`,
      "live",
      "policies",
      "?mode=enforce",
    ];
    for (const path of paths) {
      const p = await page(`${url}${path}`);
      assert.equal(p.status, 200, path);
      const csp = p.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'sha256-[^']+'(;|$)/, `${path}: only the hashed live script`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(p.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(p.headers.get("referrer-policy"), "no-referrer", path);
    }
    const trace = await page(`${url}runs/${encodeURIComponent(RUNS.procurement)}/trace.json`);
    assert.equal(JSON.parse(trace.html).outcome, "policy_violation");
    for (const method of ["POST", "PUT", "DELETE"]) {
      const p = await page(`${url}runs`, { method });
      assert.equal(p.status, 405, method);
      assert.equal(p.headers.get("allow"), "GET, HEAD");
    }
    assert.equal((await page(`${url}nope`)).status, 404);
    assert.equal((await page(`${url}runs?outcome=bogus`)).status, 400);
    assert.equal((await page(`${url}runs?page=0`)).status, 400);
    assert.equal((await page(`${url}runs/no-such-run`)).status, 404);
    for (const path of ["", "runs", "policies", `runs/${encodeURIComponent(RUNS.xss)}`]) {
      const { html } = await page(`${url}${path}`);
      assert.doesNotMatch(
        html,
        /<form[^>]*method="post"/i,
        `${path}: no form that changes anything`,
      );
    }
  });
});

Deno.test("console: what an agent sent is shown as text, and secrets stay redacted", async () => {
  await recordedConsole(async (url) => {
    const pages = await Promise.all(
      ["", "runs", `runs/${encodeURIComponent(RUNS.xss)}`, "policies"].map((p) =>
        page(`${url}${p}`)
      ),
    );
    for (const { html } of pages) {
      assert.doesNotMatch(html, /<script/i, "no script on these pages at all");
      assert.doesNotMatch(html, /<img|<svg onload/i);
      assert.doesNotMatch(html, /<[^>]*\s(onerror|onload)=/i, "no event-handler attribute");
      assert.doesNotMatch(html, /sk-live-secret|buyer-secret|gw-secret/);
    }
    const run = pages[2]?.html ?? "";
    assert.ok(run.includes(escaped(XSS.path)), "the path, as text");
    assert.ok(run.includes(escaped(XSS.header)), "a header, as text");
    assert.ok(run.includes(escaped(JSON.stringify(XSS.body))), "the body, as text");
    assert.ok(run.includes(escaped(RUNS.xss)), "the run id, as text");
    assert.match(run, /authorization<\/td><td class="mono">\[REDACTED\]/);
    assert.match(run, /x-buyer-token<\/td><td class="mono">\[REDACTED\]/);
    assert.ok(
      hrefs(pages[1]?.html ?? "").includes(`runs/${encodeURIComponent(RUNS.xss)}`),
      "the runs page links the hostile run by its percent-encoded id",
    );
    for (const href of pages.flatMap((p) => hrefs(p.html)).filter((h) => h !== "data:,")) {
      assert.doesNotMatch(href, /^[a-z]+:|^\/\//i, `${href}: only relative links`);
    }
  });
});

Deno.test("console: containment, latency, friction and each mode's figures", async () => {
  await recordedConsole(async (url) => {
    const { html } = await page(url);
    const card = (id: string) => html.match(new RegExp(`id="${id}">(.*?)</div></div>`))?.[1] ?? "";
    assert.match(card("containment"), /66\.7%/);
    assert.match(
      card("containment"),
      /2 of 3 violations stopped before a side effect · 1 side effects landed/,
    );
    assert.match(card("time-to-decide"), /\d+ timed/);
    const modes = [...html.matchAll(/<tr data-mode="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(modes, ["ci", "enforce", "passthrough"]);
    const friction = html.match(/<table id="friction">(.*?)<\/table>/)?.[1] ?? "";
    assert.match(friction, /cap_amount/);
    assert.match(friction, /enforce_bid_limit/);
    const enforce = (await page(`${url}?mode=enforce`)).html;
    assert.match(enforce.match(/id="containment">(.*?)<\/div><\/div>/)?.[1] ?? "", /100%/);
    const policies = (await page(`${url}policies`)).html;
    const bid = policies.match(/<tr data-rule="enforce_bid_limit">(.*?)<\/tr>/)?.[1] ?? "";
    assert.match(bid, /class="num applied">1<.*class="num failed">1<.*class="num blocked">1</);
    assert.match(policies, /Rules in the traces that the file does not have/);
    assert.match(policies, /data-rule="cap_amount"/);
  });
});

Deno.test("console: the runs page filters, pages newest first, links every run", async () => {
  await using dir = await tempDir();
  {
    await using store = new TraceStore({ dir: dir.path, mode: "ci", reset: true });
    for (let i = 0; i < 60; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      const id = `run-${String(i).padStart(2, "0")}`;
      await store.record(id, i % 3 ? allowed : violation, {
        at,
        evaluate_us: 1,
        decide_us: 2,
        total_us: 3,
      });
    }
    for (const id of ["..", ".", "a/b c", "ünï"]) {
      await store.record(id, violation, {
        at: "2027-01-01T00:00:00.000Z",
        evaluate_us: 1,
        decide_us: 2,
        total_us: 3,
      });
    }
  }
  const server = await startConsole({ traces: dir.path, port: 0, log: quiet });
  try {
    const first = (await page(`${server.url}runs`)).html;
    assert.match(first, /Runs · 64/);
    const ids = [...first.matchAll(/<tr data-run="([^"]+)">/g)].map((m) => m[1]);
    assert.equal(ids.length, 50);
    assert.deepEqual(ids.slice(4, 6), ["run-59", "run-58"], "newest first");
    const second = (await page(`${server.url}runs?page=2`)).html;
    assert.equal([...second.matchAll(/<tr data-run=/g)].length, 14);
    const failing = (await page(`${server.url}runs?outcome=policy_violation&search=run-`)).html;
    assert.match(failing, /Runs · 20/);
    const byPolicy = (await page(`${server.url}runs?policy=enforce_bid_limit`)).html;
    assert.match(byPolicy, /Runs · 24/);
    for (const id of ["..", ".", "a/b c", "ünï"]) {
      const runsPage = new URL("runs", server.url);
      const link = hrefs(first).find((h) =>
        h.startsWith("runs/") && decodeURIComponent(h.replace(/^runs\/(\?id=)?/, "")) === id
      );
      assert.ok(link, `a link to run '${id}'`);
      const target = new URL(link, runsPage);
      const run = await page(target.href);
      assert.equal(run.status, 200, `${id} at ${target.href}`);
      const back = new URL(hrefs(run.html).find((h) => h.endsWith("runs")) as string, target);
      assert.equal(back.pathname, "/runs", `from ${id}'s page, links lead back into the console`);
      const raw = new URL(
        hrefs(run.html).find((h) => h.includes("trace.json") || h.includes("raw=1")) as string,
        target,
      );
      assert.equal(JSON.parse((await page(raw.href)).html).run_id, id);
    }
  } finally {
    await server.close();
  }
});

Deno.test("console: exported pages are files with relative links, the same pages", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await recordAll(traces);
  const out = join(dir.path, "console");
  const report = await exportConsole({ traces, out, policies: PROCUREMENT_POLICIES });
  assert.equal(report.runs, 4);
  const files: string[] = [];
  for await (const e of Deno.readDir(out)) if (e.isFile) files.push(e.name);
  for await (const e of Deno.readDir(join(out, "runs"))) files.push(`runs/${e.name}`);
  for (const file of files.filter((f) => f.endsWith(".html"))) {
    const html = await Deno.readTextFile(join(out, file));
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/,
    );
    assert.doesNotMatch(html, /<script/i, file);
    for (const href of hrefs(html)) {
      if (href === "data:,") continue;
      assert.doesNotMatch(href, /^[a-z]+:|^\//i, `${file}: ${href}`);
      const target = decodeURIComponent(new URL(href, `file:///x/${file}`).pathname.slice(3));
      assert.ok(files.includes(target), `${file} links ${href}: ${target} was written`);
    }
  }
  const overview = await Deno.readTextFile(join(out, "index.html"));
  assert.match(overview, /66\.7%/);
  const run = await Deno.readTextFile(join(out, "runs", "procurement-run.html"));
  assert.match(run, /enforce_bid_limit/);
  assert.match(run, /class="mono expected">25000<\/td><td class="mono actual">50000/);
  const copied = JSON.parse(await Deno.readTextFile(join(out, "runs", "procurement-run.json")));
  assert.match(run, new RegExp(copied.digest));
  await exportConsole({ traces, out });
  await assert.rejects(
    exportConsole({ traces, out: traces }),
    /not empty and holds no earlier export/,
  );
});

Deno.test("console: an exported run's later page never takes another run's file", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await writeRun(traces, "r1", Array.from({ length: 101 }, () => allowed));
  await writeRun(traces, "r1-2", [violation]);
  const out = join(dir.path, "console");
  const report = await exportConsole({ traces, out });
  const runs: string[] = [];
  for await (const e of Deno.readDir(join(out, "runs"))) runs.push(e.name);
  assert.deepEqual(runs.filter((f) => f.endsWith(".html")).sort(), [
    "r1-2.html",
    "r1.html",
    "r1~2.html",
  ]);
  assert.match(
    await Deno.readTextFile(join(out, "runs", "r1~2.html")),
    /Run <span class="mono">r1<\/span>/,
  );
  assert.match(
    await Deno.readTextFile(join(out, "runs", "r1-2.html")),
    /Run <span class="mono">r1-2<\/span>/,
  );
  let files = 0;
  // The export's marker (.mirage-console) is not one of its pages.
  for await (const e of Deno.readDir(out)) files += e.isFile && !e.name.startsWith(".") ? 1 : 0;
  assert.equal(report.files, files + runs.length, "every file written is there");
});

Deno.test("console: mounted at /_mirage/console/ on proxy, gateway and mcp, behind the admin guard", async () => {
  await using dir = await tempDir();
  const upstream = new TestUpstream();
  const common = { port: 0, traces: dir.path, log: quiet, adminToken: "tok" };
  const proxy = await startProxy({
    ...common,
    policies: PROCUREMENT_POLICIES,
    mocks: join(ROOT, "mocks/procurement.yaml"),
    reloadOnSignal: false,
    watchFiles: false,
  });
  const gateway = await startGateway({
    ...common,
    upstream: new URL(upstream.url),
    mode: "enforce",
    policies: GATEWAY_POLICIES,
    watch: false,
  });
  const mcp = await startMcp({
    ...common,
    mocks: MCP_FIXTURES.mocks,
    policies: MCP_FIXTURES.policies,
    watch: false,
  });
  try {
    for (const base of [proxy.url, gateway.url, mcp.url]) {
      const root = `${base}/_mirage/console/`;
      const refused = await page(root);
      assert.equal(refused.status, 401, base);
      assert.equal(refused.headers.get("www-authenticate"), 'Basic realm="mirage"');
      const basic = `Basic ${btoa("reviewer:tok")}`;
      const opened = await page(root, { headers: { authorization: basic } });
      assert.equal(opened.status, 200, base);
      assert.match(opened.html, /Mirage console/);
      assert.equal(opened.headers.get("x-content-type-options"), "nosniff");
      const bearer = await page(`${root}runs`, { headers: { authorization: "Bearer tok" } });
      assert.equal(bearer.status, 200);
      const wrong = await page(root, {
        headers: { authorization: `Basic ${btoa("reviewer:nope")}` },
      });
      assert.equal(wrong.status, 401);
      const moved = await page(`${base}/_mirage/console?mode=ci`, {
        headers: { authorization: "Bearer tok" },
      });
      assert.equal(moved.status, 308);
      assert.equal(moved.headers.get("location"), "console/?mode=ci");
      const runs = await page(`${base}/_mirage/v1/runs`, { headers: { authorization: basic } });
      assert.equal(runs.status, 401, "Basic opens the console alone, not the admin API");
    }
  } finally {
    await Promise.all([proxy.close(), gateway.close(), mcp.close()]);
    await upstream.close();
  }
});

Deno.test("console: without a token, only a loopback client at a loopback host (no DNS rebinding)", async () => {
  await using dir = await tempDir();
  const upstream = new TestUpstream();
  const gateway = await testGateway(upstream, "enforce", dir.path);
  const server = await startConsole({ traces: dir.path, port: 0, log: quiet });
  try {
    for (const url of [`${gateway.url}/_mirage/console/`, server.url]) {
      const port = new URL(url).port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
        const ok = await rawRequest(url, { headers: [["host", host]] });
        assert.equal(ok.status, 200, `${url} as ${host}`);
      }
      const rebound = await rawRequest(url, { headers: [["host", `attacker.example:${port}`]] });
      assert.equal(rebound.status, 403, url);
      assert.match(new TextDecoder().decode(rebound.body), /loopback host/);
    }
    const api = await rawRequest(`${gateway.url}/_mirage/v1/runs`, {
      headers: [["host", "attacker.example"]],
    });
    assert.equal(api.status, 200, "the JSON admin routes keep their rules");
  } finally {
    await server.close();
    await gateway.close();
    await upstream.close();
  }
});

Deno.test("console CLI: --export writes the pages; served until SIGTERM", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await recordProxyRuns(traces);
  const out = join(dir.path, "site");
  const exported = await runCli(["console", "--traces", traces, "--export", out]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /^exported 2 runs \(\d+ files\) to .*: open .*index\.html$/m);
  assert.ok((await Deno.stat(join(out, "runs", "procurement-run.html"))).isFile);
  assert.doesNotMatch(exported.stderr, /no trace directory/);
  const typo = join(dir.path, "tarces");
  const empty = await runCli(["console", "--traces", typo, "--export", join(dir.path, "empty")]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stderr, /no trace directory at .*tarces: the export holds no runs/);
  const bad = await runCli(["console", "--port", "99999"]);
  assert.equal(bad.code, 2);
  const served = new CliProcess([
    "console",
    "--traces",
    traces,
    "--port",
    "0",
    "--policies",
    PROCUREMENT_POLICIES,
  ]);
  try {
    const url = (await served.waitFor(/console on (http:\S+)/))[1] as string;
    const overview = await page(url);
    assert.equal(overview.status, 200);
    assert.match(overview.html, /procurement-run/);
  } finally {
    served.kill("SIGTERM");
    const end = await served.finished();
    assert.equal(end.code, 0, end.stderr);
  }
});
