/**
 * Loads Cedar's WebAssembly build. The package's `nodejs` entry is CommonJS that reads its
 * `.wasm` next to itself with `fs`, which Deno's npm support runs as is; the reason is recorded
 * when it cannot load, so the report can say why instead of leaving a blank.
 */

/** The part of the Cedar API the harness uses. */
export interface CedarApi {
  getCedarVersion(): string;
  preparsePolicySet(
    id: string,
    policies: { staticPolicies: string },
  ): { type: string; errors?: unknown };
  statefulIsAuthorized(call: CedarCall): CedarAnswer;
}

/** One stateful authorisation call. */
export interface CedarCall {
  principal: { type: string; id: string };
  action: { type: string; id: string };
  resource: { type: string; id: string };
  context: Record<string, unknown>;
  preparsedPolicySetId: string;
  entities: unknown[];
}

/** Cedar's answer. */
export type CedarAnswer =
  | { type: "success"; response: { decision: "allow" | "deny"; diagnostics: { reason: string[] } } }
  | { type: "failure"; errors: { message: string }[] };

/** The package specifier, pinned. */
export const CEDAR_PACKAGE = "npm:@cedar-policy/cedar-wasm@4.13.0/nodejs";

/** The loaded API, or the reason it did not load. */
export async function loadCedar(): Promise<{ api: CedarApi } | { error: string }> {
  try {
    const mod = await import(CEDAR_PACKAGE);
    return { api: (mod.default ?? mod) as CedarApi };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split("\n")[0] as string : String(e) };
  }
}
