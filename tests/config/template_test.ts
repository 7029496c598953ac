import assert from "node:assert/strict";
import { MirageError } from "../../src/errors.ts";
import { parseTemplate } from "../../src/config/template.ts";

Deno.test("parseTemplate splits text and field paths", () => {
  const parts = parseTemplate("Q-{{ params.id }}/{{query.page}}!");
  assert.equal(parts.length, 5);
  assert.equal(parts[0], "Q-");
  const field = parts[1];
  assert.ok(field !== undefined && typeof field !== "string");
  assert.equal(field.root, "params");
  assert.deepEqual(field.steps, [{ kind: "key", key: "id" }]);
  assert.equal(parts[2], "/");
  assert.equal(parts[4], "!");
  assert.deepEqual(parseTemplate("plain } text }}"), ["plain } text }}"]);
  assert.deepEqual(parseTemplate(""), []);
});

Deno.test("parseTemplate reads a bare path as payload and keeps header names lower-case", () => {
  const [bare] = parseTemplate("{{amount}}");
  assert.ok(bare !== undefined && typeof bare !== "string");
  assert.equal(bare.root, "payload");
  const [header] = parseTemplate("{{ headers.X-Id }}");
  assert.ok(header !== undefined && typeof header !== "string");
  assert.deepEqual(header.steps, [{ kind: "key", key: "x-id" }]);
});

Deno.test("parseTemplate rejects broken templates", async (t) => {
  const cases: [string, string][] = [
    ["a {{ params.id", `invalid template "a {{ params.id": unclosed '{{'`],
    ["{{ }}", `invalid template "{{ }}": empty '{{ }}'`],
    [
      "{{ a..b }}",
      `invalid template "{{ a..b }}": invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)`,
    ],
    [
      "{{ url }}",
      `invalid template "{{ url }}": 'url' is not available (use params, query, headers, payload, method, path, host, run_id)`,
    ],
  ];
  for (const [template, message] of cases) {
    await t.step(template, () => {
      assert.throws(
        () => parseTemplate(template),
        (e) => e instanceof MirageError && e.message === message,
      );
    });
  }
});

Deno.test("parseTemplate for tool mocks: args reads as payload, route-only roots are refused", () => {
  const paths = (t: string) =>
    parseTemplate(t, "tool").map((p) => typeof p === "string" ? p : [p.root, p.steps]);
  assert.deepEqual(paths("{{ args.order_id }}"), [["payload", [{ kind: "key", key: "order_id" }]]]);
  assert.deepEqual(paths("{{args}}"), [["payload", []]]);
  assert.deepEqual(paths("{{ args[0] }}"), [["payload", [{ kind: "index", index: 0 }]]]);
  assert.deepEqual(paths("{{ argsx }}"), [["payload", [{ kind: "key", key: "argsx" }]]]);
  assert.deepEqual(paths("{{ tool }}@{{ run_id }}"), [["tool", []], "@", ["run_id", []]]);
  assert.deepEqual(
    parseTemplate("{{ args.x }}").map((p) => typeof p === "string" ? p : p.steps),
    [[{ kind: "key", key: "args" }, { kind: "key", key: "x" }]],
    "a route's template reads a payload field called args",
  );
  assert.throws(
    () => parseTemplate("{{ params.id }}", "tool"),
    /'params' is not available \(use args, payload, tool, run_id\)/,
  );
});
