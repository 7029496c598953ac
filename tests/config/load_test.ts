import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { compilePolicies } from "../../src/engine/compile_policies.ts";
import { ConfigError, MirageError } from "../../src/errors.ts";
import {
  loadMocks,
  loadPolicies,
  parseMocks,
  parsePolicies,
  validateMocks,
  validatePolicies,
} from "../../src/config/load.ts";
import type { Loaded } from "../../src/config/types.ts";
import { examplePairs } from "../support/examples.ts";

const ROOT = new URL("../../", import.meta.url);
const POLICY_TEXT = "policies:\n  - name: a\n    field: x\n    operator: exists\n    message: m\n";

Deno.test("parse* default the file name and point positionOf at keys", () => {
  const loaded = parsePolicies(POLICY_TEXT);
  assert.equal(loaded.file, "<inline>");
  assert.deepEqual(loaded.positionOf(["policies", 0, "field"]), {
    file: "<inline>",
    line: 3,
    col: 5,
  });
  assert.deepEqual(loaded.positionOf(["policies", 0]), { file: "<inline>", line: 2, col: 5 });
  const mocks = parseMocks("mocks:\n  - name: ping\n    method: GET\n    path: /ping\n", "m.yaml");
  assert.deepEqual(mocks.positionOf(["mocks", 0, "path"]), { file: "m.yaml", line: 4, col: 5 });
});

Deno.test("validate* accept objects and have no positions", () => {
  const loaded = validatePolicies(
    { policies: [{ name: "a", expr: "true", message: "m" }] },
    "code",
  );
  assert.equal(loaded.file, "code");
  assert.equal(loaded.positionOf(["policies", 0]), undefined);
  assert.equal(validateMocks({ mocks: [] }).file, "<inline>");
});

Deno.test("load* read paths, URLs, text and objects", async () => {
  const byPath = await loadPolicies("policies/procurement.yaml");
  assert.equal(byPath.file, "policies/procurement.yaml");
  assert.equal(byPath.document.policies[0]?.name, "enforce_bid_limit");
  const url = new URL("mocks/procurement.yaml", ROOT);
  const byUrl = await loadMocks(url);
  assert.equal(byUrl.file, url.pathname);
  assert.equal(byUrl.document.mocks.length, 12);
  const byText = await loadPolicies(POLICY_TEXT);
  assert.equal(byText.file, "<inline>");
  const oneLine = await loadPolicies("policies: []");
  assert.deepEqual(oneLine.document, { policies: [] });
  const byObject = await loadMocks({ mocks: [{ name: "p", method: "GET", path: "/p" }] });
  assert.equal(byObject.positionOf(["mocks"]), undefined);
});

Deno.test("load* report a missing file by name", async () => {
  await assert.rejects(
    () => loadPolicies("does/not/exist.yaml"),
    (e) =>
      e instanceof MirageError && e.code === "file_not_found" &&
      e.message === "policies file not found: does/not/exist.yaml",
  );
  await assert.rejects(
    () => loadMocks(new URL("file:///no/such/mocks.yml")),
    (e) =>
      e instanceof MirageError && e.code === "file_not_found" &&
      e.message === "mocks file not found: /no/such/mocks.yml",
  );
  await assert.rejects(
    () => loadMocks(new URL("https://example.com/mocks.yaml")),
    (e) => e instanceof MirageError && e.code === "unsupported_url",
  );
});

Deno.test("load* report invalid files with the file name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/bad.yaml`;
    await Deno.writeTextFile(file, "policies:\n  - name: a\n    message: m\n");
    await assert.rejects(() => loadPolicies(file), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual([e.file, e.line, e.col], [file, 2, 5]);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every path of keys and indexes in a value. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap((
      [k, v],
    ) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  }
  return [];
}

function assertEveryNodePositioned<T>(loaded: Loaded<T>, text: string): void {
  const lines = text.split("\n");
  for (const path of pathsOf(loaded.document)) {
    const at = loaded.positionOf(path);
    assert.ok(at, `no position for ${path.join(".")}`);
    const rest = (lines[at.line - 1] ?? "").slice(at.col - 1);
    const last = path.at(-1);
    // A mapping entry points at its key (plain or quoted); a list item at its first character.
    if (typeof last === "string") {
      assert.match(rest, new RegExp(`^["']?${RegExp.escape(last)}`), path.join("."));
    } else assert.notEqual(rest.trim(), "", path.join("."));
  }
}

Deno.test("positionOf finds every node of the example files", async () => {
  for (const { name, policies, mocks } of await examplePairs()) {
    const policyText = await Deno.readTextFile(new URL(policies, ROOT));
    assertEveryNodePositioned(parsePolicies(policyText, name), policyText);
    const mockText = await Deno.readTextFile(new URL(mocks, ROOT));
    assertEveryNodePositioned(parseMocks(mockText, name), mockText);
  }
});

Deno.test("Python Mirage files load unchanged", async () => {
  const dir = new URL("tests/fixtures/python_mirage/", ROOT);
  const policies = await loadPolicies(new URL("policies.yaml", dir));
  assert.equal(policies.document.policies.length, 9);
  const counted = policies.document.policies.find((p) => p.operator === "count_lte");
  assert.equal(counted?.field, "");
  const mocks = await loadMocks(new URL("mocks.yaml", dir));
  assert.deepEqual(mocks.document.mocks[3], {
    name: "health",
    method: "GET",
    path: "/health",
    response: { status_code: 200, body: "ok" },
  });
});

Deno.test("JSON text loads too", () => {
  const loaded = parsePolicies(
    JSON.stringify(
      { policies: [{ name: "j", field: "a", operator: "eq", value: 1, message: "m" }] },
      null,
      2,
    ),
    "p.json",
  );
  assert.deepEqual(loaded.positionOf(["policies", 0, "operator"]), {
    file: "p.json",
    line: 6,
    col: 7,
  });
});

Deno.test("a loaded file's digest is the sha256 of its exact bytes, and the compiled set keeps it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A byte order mark and CRLF line ends: the digest is of the bytes, not of the decoded text.
    const bytes = new TextEncoder().encode(`\uFEFF${POLICY_TEXT.replaceAll("\n", "\r\n")}`);
    const path = `${dir}/policies.yaml`;
    await Deno.writeFile(path, bytes);
    const loaded = await loadPolicies(path);
    const expected = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    assert.equal(loaded.digest, expected);
    assert.equal(compilePolicies(loaded).digest, expected);
    const text = parsePolicies(POLICY_TEXT);
    assert.equal(text.digest, `sha256:${createHash("sha256").update(POLICY_TEXT).digest("hex")}`);
    assert.equal(validatePolicies({ policies: [] }).digest, undefined);
    assert.equal(compilePolicies({ policies: [] }).digest, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
