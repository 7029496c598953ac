/**
 * The policy and mock files the repository ships: the examples under policies/ and mocks/, and
 * each pack of the scenario library, so that tests over "every shipped file" miss none.
 */

import { fileURLToPath } from "node:url";

/** The repository root, as a URL. */
export const ROOT_URL: URL = new URL("../../", import.meta.url);

/** A policies file and the mocks file that goes with it, relative to the repository root. */
export interface ExamplePair {
  readonly name: string;
  readonly policies: string;
  readonly mocks: string;
}

/** The top-level examples (policies/<name>.yaml with mocks/<name>.yaml). */
const TOP_LEVEL = ["procurement", "outbound_data", "supplier_payments"];

/** The folders of the scenario library, sorted. */
export async function scenarioPacks(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(new URL("scenarios/", ROOT_URL))) {
    if (e.isDirectory) names.push(e.name);
  }
  return names.sort();
}

/** Every shipped pair of files. */
export async function examplePairs(): Promise<ExamplePair[]> {
  const packs = (await scenarioPacks()).map((name) => ({
    name,
    policies: `scenarios/${name}/policies.yaml`,
    mocks: `scenarios/${name}/mocks.yaml`,
  }));
  const top = TOP_LEVEL.map((name) => ({
    name,
    policies: `policies/${name}.yaml`,
    mocks: `mocks/${name}.yaml`,
  }));
  return [...top, ...packs];
}

/** A path relative to the repository root, as an absolute file path. */
export function fromRoot(path: string): string {
  return fileURLToPath(new URL(path, ROOT_URL));
}
