/**
 * Reading configuration files: bounded in size, regular files only, UTF-8 with the position of
 * a bad byte, `.json` as strict JSON, one YAML document, each parser error once.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, loadMocks, loadPolicies, MirageError, parsePolicies } from "@mirage/core";
import { MAX_CONFIG_BYTES, readConfigFile } from "../../src/config/config_file.ts";
import { tempDir } from "../support/fixtures.ts";

const RULE = "policies:\n  - name: a\n    field: amount\n    operator: exists\n    message: m\n";

async function rejection(p: Promise<unknown>): Promise<MirageError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MirageError, String(e));
    return e;
  }
  assert.fail("expected a MirageError");
}

function issues(e: MirageError): string[] {
  assert.ok(e instanceof ConfigError);
  return e.issues.map((i) => `${i.file}:${i.line}:${i.col}: ${i.message}`);
}

Deno.test("config files: /dev/zero and a directory are refused by name, never read", async () => {
  const zero = await rejection(loadPolicies("/dev/zero"));
  assert.equal(zero.code, "file_not_regular");
  assert.equal(
    zero.message,
    "policies file /dev/zero is not a regular file (a device, pipe or socket)",
  );
  await using dir = await tempDir();
  const folder = await rejection(loadMocks(dir.path));
  assert.equal(folder.code, "file_not_regular");
  assert.equal(folder.message, `mocks file ${dir.path} is a directory`);
  assert.equal(
    (await rejection(readConfigFile("/dev/urandom", "policies"))).code,
    "file_not_regular",
  );
});

Deno.test("config files: a file over 10 MiB is refused with its name", async () => {
  await using dir = await tempDir();
  const big = join(dir.path, "big.yaml");
  await Deno.writeTextFile(big, `${RULE}#${"x".repeat(MAX_CONFIG_BYTES)}\n`);
  const e = await rejection(loadPolicies(big));
  assert.equal(e.code, "file_too_large");
  assert.equal(e.message, `policies file ${big} is larger than 10 MiB; is it the right file?`);
  const fits = join(dir.path, "fits.yaml");
  await Deno.writeTextFile(fits, `${RULE}#${"x".repeat(MAX_CONFIG_BYTES - RULE.length - 2)}\n`);
  assert.equal((await loadPolicies(fits)).document.policies.length, 1);
});

Deno.test("config files: a byte that is not UTF-8 is reported at its line and column", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "p.yaml");
  const bytes = new TextEncoder().encode(RULE.replace("name: a", "name: aé\u0000"));
  const at = bytes.indexOf(0);
  bytes[at] = 0xff;
  await Deno.writeFile(file, bytes);
  assert.deepEqual(issues(await rejection(loadPolicies(file))), [
    `${file}:2:13: invalid UTF-8: byte 0xFF at offset ${at}; save the file as UTF-8`,
  ]);
  const utf16 = join(dir.path, "u.yaml");
  await Deno.writeFile(utf16, new Uint8Array([0xff, 0xfe, 0x70, 0x00]));
  assert.deepEqual(issues(await rejection(loadPolicies(utf16))), [
    `${utf16}:1:1: invalid UTF-8: byte 0xFF at offset 0; the file looks like UTF-16: save it as UTF-8`,
  ]);
  const truncated = join(dir.path, "t.yaml");
  await Deno.writeFile(
    truncated,
    new Uint8Array([...new TextEncoder().encode("a: b\nc: "), 0xe2, 0x82]),
  );
  assert.deepEqual(issues(await rejection(loadPolicies(truncated))), [
    `${truncated}:2:4: invalid UTF-8: byte 0xE2 at offset 8; save the file as UTF-8`,
  ]);
});

Deno.test("config files: a .json file is strict JSON, with the position of its first mistake", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "p.json");
  const rule = '{"name": "a", "field": "amount", "operator": "exists", "message": "m"}';
  await Deno.writeTextFile(file, `{\n  "policies": [\n    ${rule},\n  ]\n}\n`);
  assert.deepEqual(issues(await rejection(loadPolicies(file))), [
    `${file}:3:${rule.length + 5}: invalid JSON: a trailing comma before ']' (JSON allows none)`,
  ]);
  const cases: [string, string][] = [
    [
      `{"policies": [${rule}]} // done`,
      `1:${
        rule.length + 18
      }: invalid JSON: expected the end of the file, found a comment (JSON has none)`,
    ],
    [
      `{'policies': []}`,
      `1:2: invalid JSON: expected a "quoted" key, found a single quote (JSON strings use double quotes)`,
    ],
    [`{"policies": [], "policies": []}`, "1:18: Map keys must be unique"],
    [`{"policies": [`, "1:15: invalid JSON: '[' is never closed"],
  ];
  for (const [text, expected] of cases) {
    await Deno.writeTextFile(file, text);
    assert.deepEqual(issues(await rejection(loadPolicies(file))), [`${file}:${expected}`], text);
  }
  await Deno.writeTextFile(file, `{"policies": [${rule}]}`);
  const loaded = await loadPolicies(file);
  assert.deepEqual(loaded.positionOf(["policies", 0, "field"]), { file, line: 1, col: 29 });
  // The same text in a .yaml file is YAML, which allows what JSON does not.
  const yaml = join(dir.path, "p.yaml");
  await Deno.writeTextFile(yaml, `{"policies": [${rule},]}`);
  assert.equal((await loadPolicies(yaml)).document.policies.length, 1);
});

Deno.test("config files: a second YAML document is named as such, at its position", () => {
  try {
    parsePolicies(`${RULE}---\n${RULE}---\n${RULE}`, "p.yaml");
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.deepEqual(issues(e as MirageError), [
      "p.yaml:6:1: a policies file holds one YAML document; found 3 (remove the '---' lines)",
    ]);
  }
});

Deno.test("config files: the parser's mistakes are reported once each", () => {
  const text = [
    "mocks:",
    "  - name: list",
    "    method: GET",
    "    path: /v1/orders",
    "    response:",
    "      json: { orders: [{ order_id:",
    " ORD-9, status: pending }] }",
    "",
  ].join("\n");
  try {
    parsePolicies(text.replace("mocks:", "policies:"), "p.yaml");
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.deepEqual(issues(e as MirageError), [
      "p.yaml:6:35: Flow map in block collection must be sufficiently indented and end with a }",
      "p.yaml:6:35: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "p.yaml:6:35: All mapping items must start at the same column",
    ]);
  }
});

Deno.test("config files: a mapping used as a key is an error, not a warning on stderr", () => {
  try {
    parsePolicies("policies: []\n? {a: 1}\n: x\n", "p.yaml");
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.deepEqual(issues(e as MirageError), [
      "p.yaml:2:3: a key must be text or a number, not a mapping or list",
    ]);
  }
});
