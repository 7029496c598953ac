/**
 * The reference tables of `docs/language.md`, rendered from the operator table
 * (`src/config/operators.ts`), the field table (`src/config/fields.ts`) and the normalisation
 * step table (`src/config/normalize_steps.ts`). They stand between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` comments; the rest of the page is
 * written by hand and kept as it is.
 *
 * The tables are laid out as `deno fmt` lays out Markdown tables, so that the generated page
 * passes `deno fmt --check` unchanged.
 *
 * @module
 */

import { stringify } from "yaml";
import { type ActionKind, FIELDS } from "../src/config/fields.ts";
import {
  canonicalOperator,
  OPERATOR_NAMES,
  type OperatorName,
  operatorSpec,
} from "../src/config/operators.ts";
import { TEMPLATE_ROOTS } from "../src/config/template.ts";
import {
  NORMALIZE_STEP_NAMES,
  NORMALIZE_STEPS,
  type NormalizeStep,
} from "../src/config/normalize_steps.ts";
import { MirageError } from "../src/errors.ts";
import type { FieldRoot } from "../src/config/field_path.ts";

type Row = readonly string[];

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

function code(text: string): string {
  return `\`${text}\``;
}

/** Braces, brackets and `*.suffix` as code, so that Markdown shows them as written. */
function literals(text: string): string {
  return text.replace(/\{[^}]*\}|\[[^\]]*\]|\*\.\w+/g, code);
}

/** East Asian wide and full-width characters, which `deno fmt` counts as two columns. */
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/gu;

/** The columns a cell takes, as `deno fmt` measures them. */
function columns(text: string): number {
  return [...text].length + (text.match(WIDE)?.length ?? 0);
}

/** A Markdown table, padded as `deno fmt` pads it. */
function table(header: Row, rows: readonly Row[]): string {
  const cells = [header, ...rows].map((r) => r.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => columns(r[i] ?? ""))));
  const pad = (c: string, w: number) => c + " ".repeat(w - columns(c));
  const line = (r: Row) => `| ${r.map((c, i) => pad(c, widths[i] as number)).join(" | ")} |`;
  const rule = widths.map((w) => "-".repeat(w));
  return [cells[0] as Row, rule, ...cells.slice(1)].map(line).join("\n");
}

/**
 * The example of an operator as a rule (or condition) writes it, in YAML flow style.
 *
 * @example
 * ```ts
 * import { operatorExample } from "./language_tables.ts";
 * operatorExample("max"); // "{ field: payload.amount, operator: max, value: 25000 }"
 * ```
 */
export function operatorExample(op: OperatorName): string {
  const { field, value } = operatorSpec(op).example;
  const example = {
    ...(field === undefined ? {} : { field }),
    operator: op,
    ...(value === undefined ? {} : { value }),
  };
  return stringify(example, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

function operatorRow(op: OperatorName): Row {
  const spec = operatorSpec(op);
  const canonical = canonicalOperator(op);
  const doc = canonical === op ? spec.doc : `Alias of ${code(canonical)}.`;
  return [code(op), spec.group, literals(spec.takes), doc, code(operatorExample(op))];
}

/**
 * The operator table in Markdown: one row per name, aliases included.
 *
 * @example
 * ```ts
 * import { operatorTable } from "./language_tables.ts";
 * operatorTable().split("\n")[0]?.startsWith("| operator "); // true
 * ```
 */
export function operatorTable(): string {
  return table(
    ["operator", "group", "value", "meaning", "example"],
    OPERATOR_NAMES.map(operatorRow),
  );
}

function yesNo(on: boolean): string {
  return on ? "yes" : "no";
}

function fieldRow([root, spec]: [FieldRoot, (typeof FIELDS)[FieldRoot]]): Row {
  const on = (kind: ActionKind) => yesNo((spec.kinds as readonly ActionKind[]).includes(kind));
  const template = yesNo(TEMPLATE_ROOTS.includes(root));
  return [code(spec.path), on("http"), on("tool"), template, spec.doc, code(spec.example)];
}

/**
 * The field table in Markdown: what a rule can read on each kind of action, and what a mock
 * response template can insert.
 *
 * @example
 * ```ts
 * import { fieldTable } from "./language_tables.ts";
 * fieldTable().includes("`query.<name>`"); // true
 * ```
 */
export function fieldTable(): string {
  const rows = (Object.entries(FIELDS) as [FieldRoot, (typeof FIELDS)[FieldRoot]][]).map(fieldRow);
  return table(["field", "HTTP", "tool call", "mock template", "meaning", "example"], rows);
}

/** Invisible and space-like characters as `\u` escapes, so that an example shows them. */
function visible(text: string): string {
  return JSON.stringify(text).replace(
    /[\p{Default_Ignorable_Code_Point}\p{Zs}]/gu,
    (c) => c === " " ? c : `\\u${c.codePointAt(0)?.toString(16).padStart(4, "0")}`,
  );
}

function stepRow(name: NormalizeStep): Row {
  const spec = NORMALIZE_STEPS[name];
  const arrow = spec.kind === "candidates" ? "also reads" : "→";
  const example = `${code(visible(spec.example.input))} ${arrow} ${
    code(visible(spec.example.output))
  }`;
  return [code(name), spec.doc, example, spec.like];
}

/**
 * The normalisation step table in Markdown: one row per step, in table order.
 *
 * @example
 * ```ts
 * import { normalizeTable } from "./language_tables.ts";
 * normalizeTable().includes("| `nfkc` "); // true
 * ```
 */
export function normalizeTable(): string {
  return table(["step", "what it does", "example", "like"], NORMALIZE_STEP_NAMES.map(stepRow));
}

function replaceBlock(page: string, file: string, name: string, body: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = page.indexOf(open);
  const end = page.indexOf(close, start);
  if (start === -1 || end === -1) {
    throw new MirageError("generated_block_missing", `${file} has no ${open} … ${close} block`);
  }
  return `${page.slice(0, start)}${open}\n\n${body}\n\n${page.slice(end)}`;
}

/**
 * `docs/language.md` with its generated blocks (`fields`, `operators`, `normalize`) rendered
 * afresh. Throws a `MirageError` (`generated_block_missing`) when the page lacks one of them.
 *
 * @example
 * ```ts
 * import { generateLanguageDoc } from "./language_tables.ts";
 * const page = "# L\n\n<!-- generated:fields -->\n<!-- /generated:fields -->\n\n" +
 *   "<!-- generated:operators -->\n<!-- /generated:operators -->\n\n" +
 *   "<!-- generated:normalize -->\n<!-- /generated:normalize -->\n";
 * generateLanguageDoc(page).includes("| `max` "); // true
 * ```
 */
export function generateLanguageDoc(page: string, file = "docs/language.md"): string {
  const withFields = replaceBlock(page, file, "fields", fieldTable());
  const withOperators = replaceBlock(withFields, file, "operators", operatorTable());
  return replaceBlock(withOperators, file, "normalize", normalizeTable());
}
