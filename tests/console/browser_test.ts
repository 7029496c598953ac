/**
 * The review console in a real browser — Debian's Chromium driven by playwright-core — over
 * traces made by a real proxy (the demo's procurement run) and real gateways: what a reviewer
 * sees on each page, the live page showing an event recorded after it opened (on a running
 * gateway, and on `mirage console` following its directory), an XSS payload shown as text
 * that runs nothing, and the exported pages opened from file://. Screenshots go to
 * artifacts/console/.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { exportConsole } from "@mirage/core/console";
import { launchChromium } from "../../scripts/chromium.ts";
import { runFile } from "../../src/console/console_links.ts";
import { ROOT } from "../support/cli_process.ts";
import { tempDir } from "../support/fixtures.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";
import {
  consoleOver,
  post,
  PROCUREMENT_POLICIES,
  recordAll,
  recordGatewayRuns,
  RUNS,
  testGateway,
  XSS,
} from "./recorded_runs.ts";

const SHOTS = join(ROOT, "artifacts/console");

/** What must never happen on any page: a dialog (a payload ran), a script error, a CSP refusal. */
interface Incidents {
  readonly dialogs: string[];
  readonly errors: string[];
}

function watch(page: Page, incidents: Incidents): Page {
  page.on("dialog", (d) => {
    incidents.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => incidents.errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") incidents.errors.push(m.text());
  });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent())?.replace(/\s+/g, " ").trim() ?? "";
}

/** The cells of the first row matching `selector`, as text. */
async function cells(page: Page, selector: string): Promise<string[]> {
  const texts = await page.locator(selector).first().locator("td").allTextContents();
  return texts.map((t) => t.replace(/\s+/g, " ").trim());
}

function link(page: Page, within: string, name: string) {
  return page.locator(`${within} a`, { hasText: name }).first();
}

/**
 * Markup a payload would have made: scripts in the page's body, images, and any element with
 * an event-handler attribute (evaluated in the page, so written as text).
 */
function hostileElements(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const handlers = [...document.querySelectorAll("*")]
      .filter((el) => [...el.attributes].some((a) => a.name.startsWith("on")));
    return document.querySelectorAll("main script, img").length + handlers.length;
  })()`);
}

/**
 * Waits until the live list holds `n` events. (Not with `waitForFunction`: its predicate is
 * evaluated by the page's own `eval`, which the console's CSP rightly refuses.)
 */
async function liveEvents(page: Page, n: number): Promise<void> {
  await page.locator("#live li").nth(n - 1).waitFor({ state: "attached" });
  assert.equal(await page.locator("#live li").count(), n);
}

Deno.test("console in Chromium: every page, live events, XSS as text, the export", async (t) => {
  await Deno.mkdir(SHOTS, { recursive: true });
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await recordAll(traces);
  const server = await consoleOver(traces);
  const upstream = new TestUpstream();
  const gateway = await testGateway(upstream, "enforce", join(dir.path, "live"));
  const incidents: Incidents = { dialogs: [], errors: [] };
  try {
    await using browser = await launchChromium();
    const page = watch(await browser.context.newPage(), incidents);

    await t.step("overview: containment, latency, friction, modes side by side", async () => {
      await page.goto(server.url);
      assert.equal(await text(page, "#containment .value"), "66.7%");
      assert.match(await text(page, "#containment .detail"), /2 of 3 violations stopped/);
      assert.match(await text(page, "#time-to-decide .value"), /\d.*(µs|ms)/);
      assert.deepEqual(
        await page.locator("#modes tr[data-mode]").evaluateAll((rows) =>
          rows.map((r) => r.getAttribute("data-mode"))
        ),
        ["ci", "enforce", "passthrough"],
      );
      const friction = await cells(page, "#friction tbody tr:has-text('enforce_bid_limit')");
      assert.deepEqual(friction.slice(0, 5), ["enforce_bid_limit", "1", "1", "1", "100%"]);
      assert.equal(await page.locator("svg[role=img]").count() >= 3, true, "charts drawn");
      await shot(page, "overview");
    });

    await t.step("runs: the list, filtered by outcome", async () => {
      await page.click("nav >> text=Runs");
      assert.equal(await page.locator("#runs tbody tr").count(), 4);
      await page.click(".chips >> text=policy_violation");
      const outcomes = await page.locator("#runs tbody .badge").allTextContents();
      assert.deepEqual(outcomes, ["policy_violation", "policy_violation", "policy_violation"]);
      await shot(page, "runs");
    });

    await t.step(
      "run: the violation, its rule with expected and actual, headers, digest",
      async () => {
        await link(page, "#runs", RUNS.procurement).click();
        assert.equal(new URL(page.url()).pathname, `/runs/${RUNS.procurement}`);
        assert.equal(await text(page, "#side-effect-count"), "0");
        assert.match(await text(page, "#digest"), /^sha256:[0-9a-f]{64}$/);
        assert.equal(
          await text(page, "#gate-command"),
          `mirage gate-run --traces ${traces} --run-id ${RUNS.procurement}`,
        );
        const bid = page.locator("#event-3");
        assert.equal(await bid.locator(".badge").textContent(), "policy_violation");
        assert.match(await text(page, "#event-3 .what"), /POST \/v1\/submit_bid/);
        assert.deepEqual(
          await cells(page, "#event-3 tr.failed"),
          [
            "enforce_bid_limit",
            "failed · block",
            "amount",
            "max",
            "25000",
            "50000",
            "Bids above 25,000 need human approval.",
          ],
        );
        assert.match(await text(page, "#event-3 .response"), /status 403/);
        assert.deepEqual(await cells(page, "#event-3 table.pairs tr:has-text('content-type')"), [
          "content-type",
          "application/json",
        ]);
        await shot(page, "run");
        const href = await page.getAttribute("#raw-trace", "href") as string;
        const raw = await page.request.get(new URL(href, page.url()).href);
        assert.equal((await raw.json()).policy, "enforce_bid_limit");
      },
    );

    await t.step("a hostile run: the payload is text, nothing runs, secrets redacted", async () => {
      await page.goto(`${server.url}runs`);
      await link(page, "#runs", RUNS.xss).click();
      assert.match(await text(page, "h1"), /hostile <run> & 'id'/);
      assert.equal(await text(page, "#event-1 .what"), `GET ${XSS.path}`);
      assert.deepEqual(await cells(page, "#event-1 table.pairs tr:has-text('x-note')"), [
        "x-note",
        XSS.header,
      ]);
      assert.ok((await text(page, "#event-2 pre")).includes(JSON.stringify(XSS.body)));
      for (const secret of ["authorization", "x-buyer-token"]) {
        assert.deepEqual(await cells(page, `#event-2 table.pairs tr:has-text('${secret}')`), [
          secret,
          "[REDACTED]",
        ]);
      }
      assert.equal(await hostileElements(page), 0);
      assert.equal(await page.locator("text=sk-live-secret").count(), 0);
      await shot(page, "hostile-run");
    });

    await t.step("policies: each rule with how often it applied, failed and blocked", async () => {
      await page.click("nav >> text=Policies");
      const bid = page.locator('tr[data-rule="enforce_bid_limit"]');
      assert.equal(await bid.locator("td.applied").textContent(), "1");
      assert.equal(await bid.locator("td.blocked").textContent(), "1");
      assert.equal(await page.locator('#other-rules tr[data-rule="cap_amount"]').count(), 1);
      await shot(page, "policies");
    });

    await t.step("live on a running gateway: events recorded after the page opened", async () => {
      await page.goto(`${gateway.url}/_mirage/console/live`);
      await page.waitForSelector(`#live[data-state="live"]`, { state: "attached" });
      assert.equal(await page.locator("#live li").count(), 0);
      await post(gateway.url, "live-run", { amount: 500 });
      await post(`${gateway.url}/${XSS.path.slice(1)}`, "live-run", { note: XSS.body });
      await liveEvents(page, 2);
      assert.equal(await text(page, "#live-count"), "2");
      const rows = await page.locator("#live li .what").allTextContents();
      assert.deepEqual(rows, [`POST ${XSS.path}/echo`, "POST /echo"], "newest first");
      assert.deepEqual(
        (await cells(page, "#live li:nth-child(2) tr.failed")).slice(0, 6),
        ["cap_amount", "failed · block", "amount", "max", "100", "500"],
      );
      assert.equal(await hostileElements(page), 0);
      await shot(page, "live-gateway");
      await page.click("#live li:nth-child(2) a.mono");
      assert.equal(new URL(page.url()).pathname, "/_mirage/console/runs/live-run");
      assert.equal(await page.locator("#timeline > li").count(), 2);
    });

    await t.step("live on mirage console: a journal's new lines as they are written", async () => {
      await page.goto(`${server.url}live`);
      await page.waitForSelector(`#live[data-state="live"]`, { state: "attached" });
      await recordGatewayRuns(traces);
      await liveEvents(page, 6);
      assert.match(await text(page, "#live"), /gw-passthrough/);
      assert.match(await text(page, "#live"), /not enforced/);
    });

    await t.step("the export, opened from file://", async () => {
      const out = join(dir.path, "site");
      await exportConsole({ traces, out, policies: PROCUREMENT_POLICIES });
      await page.goto(pathToFileURL(join(out, "index.html")).href);
      assert.match(await text(page, "#containment .value"), /%$/);
      await page.click("nav >> text=Runs");
      await link(page, "#runs", RUNS.procurement).click();
      assert.match(page.url(), /\/runs\/procurement-run\.html$/);
      assert.deepEqual((await cells(page, "#event-3 tr.failed")).slice(4, 6), ["25000", "50000"]);
      await shot(page, "export-run");
      await page.click("#raw-trace");
      assert.match(await page.locator("body").textContent() ?? "", /"digest": "sha256:/);
      await page.goto(pathToFileURL(join(out, "runs", runFile(RUNS.xss))).href);
      assert.equal(await hostileElements(page), 0);
    });
  } finally {
    await gateway.close();
    await upstream.close();
    await server.close();
  }
  assert.deepEqual(incidents.dialogs, [], "no payload ran");
  assert.deepEqual(incidents.errors, [], "no script error, no CSP refusal");
});
