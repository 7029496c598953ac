/**
 * ANSI colour for what Mirage prints, with one rule everywhere: only for a terminal, and never
 * when `NO_COLOR` is set (https://no-color.org).
 *
 * @module
 */

const CODES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;

/** A colour or style name. */
export type Colour = keyof typeof CODES;

/** A colour, or none. */
export type Paint = (colour: Colour, text: string) => string;

/**
 * A paint function that colours, or one that leaves text alone.
 *
 * @example
 * ```ts
 * import { painter } from "./colour.ts";
 * console.log(painter(false)("red", "✗")); // ✗
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
 * import { wantsColour } from "./colour.ts";
 * console.log(wantsColour(Deno.stdout));
 * ```
 */
export function wantsColour(stream: { isTerminal(): boolean }): boolean {
  return !Deno.noColor && stream.isTerminal();
}
