import assert from "node:assert/strict";
import { parseYamlSource } from "../../src/config/yaml_source.ts";

const TEXT = [
  "policies:", //                           1
  "  - name: a", //                         2
  "    value: [1, {b: 2}]", //              3
  "    empty:", //                          4
  "  - {name: b, field: x}", //             5
].join("\n");

Deno.test("locate maps paths to key and value positions", () => {
  const src = parseYamlSource(TEXT, "p.yaml");
  assert.deepEqual(src.issues, []);
  const at = (path: (string | number)[], target: "key" | "value" = "value") => {
    const p = src.locate(path, target);
    return [p.line, p.col];
  };
  assert.deepEqual(at(["policies"], "key"), [1, 1]);
  assert.deepEqual(at(["policies", 0]), [2, 5]);
  assert.deepEqual(at(["policies", 0, "value"], "key"), [3, 5]);
  assert.deepEqual(at(["policies", 0, "value"]), [3, 12]);
  assert.deepEqual(at(["policies", 0, "value", 1, "b"]), [3, 20]);
  assert.deepEqual(at(["policies", 0, "empty"], "key"), [4, 5]);
  assert.deepEqual(at(["policies", 1, "field"]), [5, 22]);
  assert.deepEqual(at(["policies", 1, "field"], "key"), [5, 15]);
  // A path that is not in the file points at its nearest enclosing node.
  assert.deepEqual(at(["policies", 1, "message"]), [5, 5]);
  assert.equal(src.locate([], "value").file, "p.yaml");
});

Deno.test("syntax errors become positioned issues", () => {
  const src = parseYamlSource("a: 1\na: 2\n", "d.yaml");
  assert.deepEqual(src.issues, [{
    file: "d.yaml",
    line: 2,
    col: 1,
    message: "Map keys must be unique",
  }]);
  assert.equal(src.value, undefined);
  const unclosed = parseYamlSource('x: "open\n', "u.yaml");
  assert.equal(unclosed.issues[0]?.line, 2); // the parser notices at the end of input
  assert.match(unclosed.issues[0]?.message ?? "", /closing "quote/);
});

Deno.test("an unresolved alias is an issue, not a crash", () => {
  const src = parseYamlSource("a: *nope\n", "a.yaml");
  assert.equal(src.issues.length, 1);
  assert.match(src.issues[0]?.message ?? "", /^invalid YAML: /);
});
