/**
 * ANSI colour for what Mirage prints, with one rule everywhere: only for a terminal, and never
 * when `NO_COLOR` is set (https://no-color.org).
 *
 * @module
 */

const CODES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;

/**
 * A colour or style name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Colour, painter } from "./colour.ts";
 * const mark: Colour = "red";
 * assert.equal(painter(true)(mark, "✗"), "\x1b[31m✗\x1b[0m");
 * ```
 */
export type Colour = keyof typeof CODES;

/**
 * A colour, or none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Paint, painter } from "./colour.ts";
 * const paint: Paint = painter(false);
 * assert.equal(paint("bold", "mirage"), "mirage");
 * ```
 */
export type Paint = (colour: Colour, text: string) => string;

/**
 * A paint function that colours, or one that leaves text alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { painter } from "./colour.ts";
 * assert.equal(painter(false)("red", "✗"), "✗");
 * assert.equal(painter(true)("red", "✗"), "\x1b[31m✗\x1b[0m");
 * ```
 */
export function painter(colour: boolean): Paint {
  return colour ? (c, text) => `\x1b[${CODES[c]}m${text}\x1b[0m` : (_c, text) => text;
}

/**
 * Whether to colour what goes to a stream: only a terminal, and not with `NO_COLOR` set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wantsColour } from "./colour.ts";
 * const colour = wantsColour(Deno.stderr); // true on a terminal, unless NO_COLOR is set
 * assert.equal(wantsColour({ isTerminal: () => false }), false); // a pipe or a file
 * ```
 */
export function wantsColour(stream: { isTerminal(): boolean }): boolean {
  return !Deno.noColor && stream.isTerminal();
}
