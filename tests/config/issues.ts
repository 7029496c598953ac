/**
 * A file's config issues as `line:col message`, for tests that expect each mistake at its place.
 */

import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { parseMocks } from "../../src/config/load.ts";

/** The issues of a mocks file (named `m.yaml`); fails when the file is valid. */
export function mockIssues(text: string): string[] {
  try {
    parseMocks(text, "m.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.line}:${i.col} ${i.message}`);
    throw e;
  }
  assert.fail("expected a ConfigError");
}
