/**
 * Loading `policies.yaml` and `mocks.yaml`: from text, from a file, or from an object built in
 * code. Every path ends in one validation that reports all mistakes at once as a
 * {@link ConfigError}.
 *
 * @module
 */

import { ConfigError, MirageError } from "../errors.ts";
import { configDigest, readConfigFile } from "./config_file.ts";
import { mocksDocumentSchema } from "./mocks_schema.ts";
import { policyDocumentSchema } from "./policy_schema.ts";
import type { Schema } from "./schema_parts.ts";
import type { Loaded, MocksDocument, PolicyDocument } from "./types.ts";
import { type Locator, type Precheck, type UniqueNames, validateDocument } from "./validate.ts";
import { conditionsTooDeep, MAX_NESTING, nestingTooDeep } from "./nesting.ts";
import { parseYamlSource } from "./yaml_source.ts";

const INLINE = "<inline>";

/**
 * A kind of YAML document: its schema, the lists whose names must be unique, and what a file of
 * it is called in messages.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import type { DocumentKind } from "./load.ts";
 * const kind: DocumentKind = { schema: v.unknown(), unique: [], noun: "notes" };
 * ```
 */
export interface DocumentKind {
  /** The document's schema. */
  readonly schema: Schema;
  /** Lists whose items' names must be unique. */
  readonly unique: readonly UniqueNames[];
  /** What a file of this kind is called ("policies file"). */
  readonly noun: string;
  /** A check run before the schema, whose problems are reported alone (a tree too deep). */
  readonly precheck?: Precheck;
}

const POLICIES: DocumentKind = {
  schema: policyDocumentSchema(),
  unique: [{ list: "policies", noun: "policy" }],
  noun: "policies",
  precheck: conditionsTooDeep,
};
const MOCKS: DocumentKind = {
  schema: mocksDocumentSchema(),
  unique: [{ list: "mocks", noun: "mock" }, { list: "tools", noun: "tool mock" }],
  noun: "mocks",
};

/**
 * Parses YAML (or JSON) text of a kind of document and validates it; throws a
 * {@link ConfigError} listing every mistake with its line and column. Every YAML file Mirage
 * reads goes through here, so that they all report mistakes alike. `digest` is that of the
 * file's bytes when the text came from one (default: of the text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { parseDocumentText } from "./load.ts";
 * const loaded = parseDocumentText<unknown>({ schema: v.unknown(), unique: [], noun: "notes" }, "a: 1\n", "n.yaml");
 * assert.deepEqual(loaded.positionOf(["a"]), { file: "n.yaml", line: 1, col: 1 });
 * ```
 */
export function parseDocumentText<T>(
  kind: DocumentKind,
  text: string,
  file: string,
  digest: string = configDigest(text),
): Loaded<T> {
  const deep = nestingTooDeep(text);
  if (deep) {
    const message =
      `nested more than ${MAX_NESTING} levels deep; Mirage reads at most ${MAX_NESTING}`;
    throw new ConfigError([{ file, ...deep, message }]);
  }
  const source = parseYamlSource(text, file, { noun: kind.noun });
  if (source.issues.length > 0) throw new ConfigError(source.issues);
  const document = validateDocument<T>(
    kind.schema,
    source.value,
    source,
    kind.unique,
    kind.precheck,
  );
  return { file, document, positionOf: (path) => source.locate(path, "key"), digest };
}

function validateValue<T>(kind: DocumentKind, value: unknown, file: string): Loaded<T> {
  const where: Locator = { file, locate: () => undefined };
  const document = validateDocument<T>(kind.schema, value, where, kind.unique, kind.precheck);
  return { file, document, positionOf: () => undefined };
}

/**
 * Parses and validates the text of a `policies.yaml` (or JSON). Throws a {@link ConfigError}
 * listing every mistake with its line and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePolicies } from "@mirage/core";
 * const loaded = parsePolicies(
 *   "policies:\n  - name: cap\n    field: amount\n    operator: max\n    value: 25000\n    message: too much\n",
 *   "policies.yaml",
 * );
 * assert.equal(loaded.document.policies[0]?.operator, "max");
 * ```
 */
export function parsePolicies(text: string, file: string = INLINE): Loaded<PolicyDocument> {
  return parseDocumentText<PolicyDocument>(POLICIES, text, file);
}

/**
 * Parses and validates the text of a `mocks.yaml` (or JSON). Throws a {@link ConfigError}
 * listing every mistake with its line and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMocks } from "@mirage/core";
 * const loaded = parseMocks("mocks:\n  - name: ping\n    method: GET\n    path: /ping\n", "mocks.yaml");
 * assert.deepEqual(loaded.positionOf(["mocks", 0, "path"]), { file: "mocks.yaml", line: 4, col: 5 });
 * ```
 */
export function parseMocks(text: string, file: string = INLINE): Loaded<MocksDocument> {
  return parseDocumentText<MocksDocument>(MOCKS, text, file);
}

/**
 * Validates a policy document given as an object. Issues have no position (line 1, column 1)
 * and name the node instead: `policies[0].operator: unknown operator 'maxx' …`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validatePolicies } from "@mirage/core";
 * const loaded = validatePolicies({
 *   policies: [{ name: "cap", field: "amount", operator: "max", value: 25000, message: "too much" }],
 * });
 * assert.equal(loaded.positionOf(["policies", 0]), undefined);
 * ```
 */
export function validatePolicies(value: unknown, file: string = INLINE): Loaded<PolicyDocument> {
  return validateValue<PolicyDocument>(POLICIES, value, file);
}

/**
 * Validates a mocks document given as an object; issues name the node as in
 * {@link validatePolicies}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateMocks } from "@mirage/core";
 * const loaded = validateMocks({ mocks: [{ name: "ping", method: "GET", path: "/ping" }] });
 * assert.equal(loaded.document.mocks.length, 1);
 * ```
 */
export function validateMocks(value: unknown, file: string = INLINE): Loaded<MocksDocument> {
  return validateValue<MocksDocument>(MOCKS, value, file);
}

const FILE_NAME = /\.(ya?ml|json)$/i;

/** Whether `path` names something on disk (a file, or `/dev/zero`, which is then refused by
 * name); a string that cannot even be looked up (no read permission, a character no file name
 * can hold) is not a file name, so it is read as YAML text. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a string input names a file rather than holding YAML text. */
async function namesFile(input: string): Promise<boolean> {
  return !input.includes("\n") && (FILE_NAME.test(input) || await exists(input));
}

function fileName(url: URL): string {
  if (url.protocol !== "file:") {
    throw new MirageError("unsupported_url", `only file: URLs can be loaded, got ${url.href}`);
  }
  return decodeURIComponent(url.pathname);
}

/**
 * Reads and parses a file of a kind of document (bounded, regular files only, UTF-8 checked:
 * `config_file.ts`); a missing or unreadable file is a {@link MirageError}, mistakes in it a
 * {@link ConfigError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { loadDocumentFile } from "./load.ts";
 * const loaded = await loadDocumentFile<{ name: string }>({ schema: v.unknown(), unique: [], noun: "notes" }, "deno.json");
 * assert.equal(loaded.document.name, "@mirage/core");
 * assert.deepEqual(loaded.positionOf(["name"]), { file: "deno.json", line: 2, col: 3 });
 * ```
 */
export async function loadDocumentFile<T>(kind: DocumentKind, path: string): Promise<Loaded<T>> {
  const { text, digest } = await readConfigFile(path, kind.noun);
  return parseDocumentText<T>(kind, text, path, digest);
}

async function load<T>(kind: DocumentKind, input: string | URL | T): Promise<Loaded<T>> {
  if (input instanceof URL || (typeof input === "string" && await namesFile(input))) {
    const file = typeof input === "string" ? input : fileName(input as URL);
    return loadDocumentFile<T>(kind, file);
  }
  if (typeof input === "string") return parseDocumentText<T>(kind, input, INLINE);
  return validateValue<T>(kind, input, INLINE);
}

/**
 * Loads policies from a file path or `file:` URL, from YAML text, or from an object. A string
 * without a line break that names an existing file, or ends in `.yaml`/`.yml`/`.json`, is read
 * from disk (a missing file is a {@link MirageError} `file_not_found`); any other string is YAML.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPolicies } from "@mirage/core";
 * const fromFile = await loadPolicies("policies/procurement.yaml");
 * const fromText = await loadPolicies("policies: []\n");
 * assert.equal(fromFile.file, "policies/procurement.yaml");
 * assert.equal(fromFile.document.policies.length, 4);
 * assert.equal(fromText.file, "<inline>");
 * assert.deepEqual(fromText.document.policies, []);
 * ```
 */
export function loadPolicies(
  input: string | URL | PolicyDocument,
): Promise<Loaded<PolicyDocument>> {
  return load<PolicyDocument>(POLICIES, input);
}

/**
 * Loads mocks from a file path or `file:` URL, from YAML text, or from an object, with the same
 * rules as {@link loadPolicies}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMocks } from "@mirage/core";
 * const loaded = await loadMocks({ mocks: [{ name: "ping", method: "GET", path: "/ping" }] });
 * assert.equal(loaded.file, "<inline>");
 * ```
 */
export function loadMocks(input: string | URL | MocksDocument): Promise<Loaded<MocksDocument>> {
  return load<MocksDocument>(MOCKS, input);
}

/**
 * Waits for a policies load and a mocks load started together, and only then throws the first
 * one's error: a failing file must not leave the other file's read running.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMocks, loadPolicies } from "@mirage/core";
 * import { loadedTogether } from "./load.ts";
 * const [policies, mocks] = await loadedTogether(
 *   loadPolicies("policies/procurement.yaml"),
 *   loadMocks("mocks/procurement.yaml"),
 * );
 * assert.equal(policies.document.policies.length, 4);
 * assert.equal(mocks.document.mocks.length, 12);
 * ```
 */
export async function loadedTogether<P, M>(
  policies: Promise<P>,
  mocks: Promise<M>,
): Promise<[P, M]> {
  const [p, m] = await Promise.allSettled([policies, mocks]);
  if (p.status === "rejected") throw p.reason;
  if (m.status === "rejected") throw m.reason;
  return [p.value, m.value];
}
