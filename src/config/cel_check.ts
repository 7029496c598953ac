/**
 * CEL `expr:` rules checked when the file is loaded, against the fields an action has and the
 * functions CEL offers: a misspelt function or field would otherwise fail at run time and block
 * every action in the rule's scope. The evaluator (engine/condition.ts) runs the same standard
 * library, so what passes here is what it can run.
 *
 * @module
 */

import { Environment } from "@marcbachmann/cel-js";
import type { FieldRoot } from "./field_path.ts";

/** The CEL type of each field an expression can read; payloads and ports are dynamic. */
const FIELD_TYPES: Readonly<Record<FieldRoot, string>> = {
  method: "string",
  url: "string",
  scheme: "string",
  host: "string",
  port: "dyn",
  path: "string",
  query: "map",
  headers: "map",
  params: "map",
  payload: "dyn",
  run_id: "string",
  tool: "string",
};

const ENV = (Object.keys(FIELD_TYPES) as FieldRoot[]).reduce(
  (env, root) => env.registerVariable(root, FIELD_TYPES[root]),
  new Environment({ homogeneousAggregateLiterals: false }),
);

/** Where in the expression the problem is: a column, or a line and column when it spans lines. */
function place(expression: string, offset: number | undefined): string {
  if (offset === undefined) return "";
  const lines = expression.slice(0, offset).split("\n");
  const col = (lines.at(-1) ?? "").length + 1;
  return lines.length > 1
    ? ` (line ${lines.length}, column ${col} of the expression)`
    : ` (column ${col} of the expression)`;
}

function hint(summary: string): string {
  const unknown = /^Unknown variable: (\S+)$/.exec(summary);
  if (!unknown) return summary;
  return `unknown field '${unknown[1]}': an expression reads ${
    Object.keys(FIELD_TYPES).join(", ")
  } ` +
    `(a body field is payload.${unknown[1]})`;
}

/**
 * What is wrong with a CEL expression — its syntax, a function or field that does not exist, an
 * operator applied to the wrong types, a result that cannot be true or false — or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { celProblem } from "./cel_check.ts";
 * assert.equal(celProblem("payload.quantity > 10"), undefined);
 * assert.equal(celProblem("nosuchfn(payload.quantity)"), "CEL: found no matching overload for 'nosuchfn(dyn)' (column 1 of the expression)");
 * ```
 */
export function celProblem(expression: string): string | undefined {
  const result = ENV.check(expression);
  const error = result.valid ? undefined : result.error;
  if (error) {
    const summary = (error as { summary?: string }).summary ?? error.message.split("\n")[0];
    const kind = error.name === "ParseError" ? "CEL syntax error" : "CEL";
    return `${kind}: ${hint(summary ?? "")}${place(expression, error.range?.start)}`;
  }
  if (result.type !== "bool" && result.type !== "dyn") {
    return `CEL: the expression gives a ${result.type}, not true or false`;
  }
  return undefined;
}
