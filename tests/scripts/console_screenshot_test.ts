/**
 * scripts/console_screenshot.ts, which makes the README's docs/console.png from a real run:
 * here it writes into a temp dir, and the picture is a PNG of a whole page.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { consoleScreenshot } from "../../scripts/console_screenshot.ts";
import { tempDir } from "../support/fixtures.ts";

Deno.test("console screenshot: a PNG of the procurement run's page", async () => {
  await using dir = await tempDir();
  const out = join(dir.path, "console.png");
  await consoleScreenshot({ out, page: "run", traces: join(dir.path, "traces") });
  const png = await Deno.readFile(out);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
  const view = new DataView(png.buffer, png.byteOffset);
  const [width, height] = [view.getUint32(16), view.getUint32(20)];
  assert.equal(width, 1280);
  assert.ok(height > 900, `the whole page: ${height}px high`);
});
