/**
 * The field table says what each kind of action carries: every row is a property of the actions
 * of its kinds and of no other, every property of an action is a row, and every row is a root a
 * field path can start with.
 */

import assert from "node:assert/strict";
import { type Action, httpAction, toolAction } from "@mirage/core";
import { type ActionKind, FIELDS } from "../../src/config/fields.ts";
import { parseFieldPath } from "../../src/config/field_path.ts";

const ACTIONS: Record<ActionKind, Action> = {
  http: httpAction({ method: "GET", url: "http://api.test/x?q=1", runId: "r" }),
  tool: toolAction({ tool: "search", args: { q: "x" }, runId: "r" }),
};

Deno.test("each field of the table is carried by the actions of its kinds, and only by them", () => {
  for (const [root, spec] of Object.entries(FIELDS)) {
    for (const [kind, action] of Object.entries(ACTIONS)) {
      const carried = (spec.kinds as readonly string[]).includes(kind);
      assert.equal(root in action, carried, `${root} on a ${kind} action`);
    }
  }
});

Deno.test("every property a rule can read on an action is a row of the field table", () => {
  for (const [kind, action] of Object.entries(ACTIONS)) {
    for (const key of Object.keys(action).filter((k) => k !== "kind")) {
      assert.ok(key in FIELDS, `${kind} action property '${key}' is not in the field table`);
    }
  }
});

Deno.test("every row of the field table is a root of field paths; other names read payload", () => {
  for (const root of Object.keys(FIELDS)) {
    assert.equal(parseFieldPath(`${root}.x`).root, root);
  }
  assert.equal(parseFieldPath("amount").root, "payload");
  assert.equal(parseFieldPath("kind").root, "payload");
});
