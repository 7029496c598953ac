/**
 * Strict JSON syntax (RFC 8259) for `.json` configuration files, which are JSON and not YAML: a
 * trailing comma, a comment or a single quote is an error at its line and column, as an editor
 * reports it. Only the syntax is checked here; the YAML reader (JSON is YAML) then gives the
 * values and their positions.
 *
 * @module
 */

/**
 * The first syntax error of a JSON text: where, and what is wrong.
 *
 * @example
 * ```ts
 * import type { JsonSyntaxError } from "./json_syntax.ts";
 * const e: JsonSyntaxError = { offset: 15, message: "a trailing comma before '}' (JSON allows none)" };
 * ```
 */
export interface JsonSyntaxError {
  /** Offset in the text (UTF-16 code units). */
  readonly offset: number;
  /** What is wrong. */
  readonly message: string;
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const LITERALS = ["true", "false", "null"] as const;

/** What the scanner expects next. */
type Expect = "value" | "key" | "colon" | "after-member" | "after-element" | "end";

class Scanner {
  readonly #text: string;
  #at = 0;
  /** `{` or `[` for each open container. */
  readonly #open: string[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  #skip(): void {
    while (this.#at < this.#text.length && WS.has(this.#text[this.#at] as string)) this.#at++;
  }

  #fail(message: string, at = this.#at): JsonSyntaxError {
    return { offset: at, message };
  }

  #found(): string {
    const c = this.#text[this.#at];
    if (c === undefined) return "the end of the file";
    if (c === "/" || c === "#") return "a comment (JSON has none)";
    if (c === "'") return "a single quote (JSON strings use double quotes)";
    return `'${c}'`;
  }

  #string(): JsonSyntaxError | undefined {
    const start = this.#at++;
    while (this.#at < this.#text.length) {
      const c = this.#text[this.#at] as string;
      if (c === '"') {
        this.#at++;
        return undefined;
      }
      if (c === "\\") {
        ESCAPE.lastIndex = this.#at;
        if (!ESCAPE.test(this.#text)) return this.#fail("invalid escape in a string");
        this.#at = ESCAPE.lastIndex;
      } else if (c < " ") {
        return this.#fail("a control character (a tab or line break) inside a string");
      } else this.#at++;
    }
    return this.#fail("a string that is never closed", start);
  }

  #scalar(): JsonSyntaxError | undefined {
    const c = this.#text[this.#at] as string;
    if (c === '"') return this.#string();
    for (const word of LITERALS) {
      if (this.#text.startsWith(word, this.#at)) {
        this.#at += word.length;
        return undefined;
      }
    }
    NUMBER.lastIndex = this.#at;
    if (/[-\d]/.test(c) && NUMBER.test(this.#text)) {
      this.#at = NUMBER.lastIndex;
      return undefined;
    }
    return this.#fail(`expected a value, found ${this.#found()}`);
  }

  /** After a value: what the enclosing container (or the end of the text) expects. */
  #afterValue(): Expect {
    const top = this.#open.at(-1);
    return top === undefined ? "end" : top === "{" ? "after-member" : "after-element";
  }

  #close(): void {
    this.#open.pop();
    this.#at++;
  }

  #value(): Expect | JsonSyntaxError {
    const c = this.#text[this.#at];
    if (c === "{" || c === "[") {
      this.#open.push(c);
      this.#at++;
      this.#skip();
      const closing = c === "{" ? "}" : "]";
      if (this.#text[this.#at] === closing) {
        this.#close();
        return this.#afterValue();
      }
      return c === "{" ? "key" : "value";
    }
    return this.#scalar() ?? this.#afterValue();
  }

  #separator(closing: "}" | "]", next: Expect): Expect | JsonSyntaxError {
    const c = this.#text[this.#at];
    if (c === closing) {
      this.#close();
      return this.#afterValue();
    }
    if (c !== ",") return this.#fail(`expected ',' or '${closing}', found ${this.#found()}`);
    const comma = this.#at++;
    this.#skip();
    if (this.#text[this.#at] === closing) {
      return this.#fail(`a trailing comma before '${closing}' (JSON allows none)`, comma);
    }
    return next;
  }

  #step(expect: Expect): Expect | JsonSyntaxError {
    switch (expect) {
      case "value":
        return this.#value();
      case "key":
        if (this.#text[this.#at] !== '"') {
          return this.#fail(`expected a "quoted" key, found ${this.#found()}`);
        }
        return this.#string() ?? "colon";
      case "colon":
        if (this.#text[this.#at] !== ":") return this.#fail(`expected ':', found ${this.#found()}`);
        this.#at++;
        return "value";
      case "after-member":
        return this.#separator("}", "key");
      case "after-element":
        return this.#separator("]", "value");
      case "end":
        return this.#fail(`expected the end of the file, found ${this.#found()}`);
    }
  }

  scan(): JsonSyntaxError | undefined {
    let expect: Expect = "value";
    for (;;) {
      this.#skip();
      if (expect === "end" && this.#at === this.#text.length) return undefined;
      if (this.#at === this.#text.length && expect !== "end") {
        return this.#fail(
          this.#open.length ? `'${this.#open.at(-1)}' is never closed` : "the file is empty",
        );
      }
      const next = this.#step(expect);
      if (typeof next !== "string") return next;
      expect = next;
    }
  }
}

/**
 * The first syntax error of a JSON text, or `undefined` when it is JSON. Iterative: a deeply
 * nested text cannot exhaust the stack.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonSyntaxError } from "./json_syntax.ts";
 * assert.deepEqual(jsonSyntaxError('{"policies": [],}'), { offset: 15, message: "a trailing comma before '}' (JSON allows none)" });
 * ```
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  return new Scanner(text).scan();
}
