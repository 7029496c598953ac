/**
 * Small constructors the generators share, so that each generator reads as a story of what the
 * agent does rather than as action plumbing.
 */

import { httpAction, toolAction } from "@mirage/core";
import type { Action } from "@mirage/core";
import type { LabelledAction } from "./scenario.ts";

/** A good action: a correct policy lets it through. */
export function good(action: Action, kind = "good"): LabelledAction {
  return { action, bad: false, kind };
}

/** A bad action of some violation kind (or adversarial trick). */
export function bad(kind: string, action: Action): LabelledAction {
  return { action, bad: true, kind };
}

/** An HTTP request with a JSON body. */
export function post(url: string, json: unknown, runId: string, method = "POST"): Action {
  return httpAction({ method, url, json, runId });
}

/** An HTTP request whose body is raw text (parsed the way the gateway parses it). */
export function postRaw(url: string, body: string, runId: string): Action {
  return httpAction({ method: "POST", url, body, runId });
}

/** An HTTP GET. */
export function get(url: string, runId: string): Action {
  return httpAction({ method: "GET", url, runId });
}

/** A tool call. */
export function tool(name: string, args: unknown, runId: string): Action {
  return toolAction({ tool: name, args, runId });
}

/** The header that names the agent: set by the platform from its credential, not by the agent. */
export const AGENT_HEADER = "x-agent-id";

/**
 * The actions as one agent sends them: each carries the agent's id, whatever run id it uses
 * (an action that already names an agent keeps it). Rules keyed on it
 * (`per: headers.x-agent-id`) hold across run-id rotation.
 */
export function byAgent(agent: string, actions: readonly LabelledAction[]): LabelledAction[] {
  return actions.map((a) => ({
    ...a,
    action: { ...a.action, headers: { [AGENT_HEADER]: agent, ...a.action.headers } },
  }));
}
