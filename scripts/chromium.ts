/**
 * Chromium from Debian's packages (`/usr/bin/chromium`, installed by `.ci/run`), driven by
 * playwright-core: headless, in a fresh profile, with nothing reaching the network on its own.
 * Playwright never downloads a browser here (`PLAYWRIGHT_BROWSERS_PATH=0`, and the executable
 * is given).
 *
 * @module
 */

import { type BrowserContext, chromium } from "playwright-core";

/**
 * Debian's Chromium.
 *
 * @example
 * ```ts
 * import { CHROMIUM } from "./chromium.ts";
 * console.log(CHROMIUM); // /usr/bin/chromium
 * ```
 */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * The flags every run of it gets.
 *
 * @example
 * ```ts
 * import { CHROMIUM_ARGS } from "./chromium.ts";
 * console.log(CHROMIUM_ARGS.includes("--headless")); // true
 * ```
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A browser in a profile of its own; disposing closes it and removes the profile.
 *
 * @example
 * ```ts ignore
 * import { type Chromium, launchChromium } from "./chromium.ts";
 * await using browser: Chromium = await launchChromium();
 * ```
 */
export interface Chromium extends AsyncDisposable {
  /** The browser's one context. */
  readonly context: BrowserContext;
}

/**
 * Launches Chromium headless in a fresh `--user-data-dir`.
 *
 * @example
 * ```ts ignore
 * import { launchChromium } from "./chromium.ts";
 * await using browser = await launchChromium();
 * const page = await browser.context.newPage();
 * ```
 */
export async function launchChromium(): Promise<Chromium> {
  Deno.env.set("PLAYWRIGHT_BROWSERS_PATH", "0");
  const profile = await Deno.makeTempDir({ prefix: "mirage-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async [Symbol.asyncDispose]() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
