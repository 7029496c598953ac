/**
 * The servers load the Redis client only for a Redis `--state`: statically, no server command
 * reaches `src/state/redis_store.ts` (loading it always was a third of a gateway's start-up),
 * while the dynamic import that `openState` makes keeps it in the graph `deno compile` embeds.
 * The Redis path itself runs in `tests/gateway/shared_state_test.ts` and `proxy_state_test.ts`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../support/cli_process.ts";

interface Dependency {
  readonly code?: { readonly specifier?: string };
  readonly isDynamic?: boolean;
}

interface ModuleGraph {
  readonly roots: readonly string[];
  readonly modules: readonly { specifier: string; dependencies?: readonly Dependency[] }[];
}

async function graphOf(path: string): Promise<ModuleGraph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", join(ROOT, path)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** The modules reached from the root, through static imports only or through every import. */
function reached(graph: ModuleGraph, dynamicToo: boolean): Set<string> {
  const deps = new Map(graph.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  const seen = new Set<string>();
  const todo = [...graph.roots];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    for (const d of deps.get(next) ?? []) {
      if (d.code?.specifier && (dynamicToo || !d.isDynamic)) todo.push(d.code.specifier);
    }
  }
  return seen;
}

const REDIS_STORE = pathToFileURL(join(ROOT, "src/state/redis_store.ts")).href;

for (const command of ["gateway", "proxy", "mcp"]) {
  Deno.test(`mirage ${command}: the Redis client is imported only for a Redis --state`, async () => {
    const graph = await graphOf(`src/cli/${command}.ts`);
    assert.equal(reached(graph, false).has(REDIS_STORE), false, "imported statically");
    assert.equal(reached(graph, true).has(REDIS_STORE), true, "not reachable at all");
  });
}
