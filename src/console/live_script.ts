/**
 * The one script the console runs: on the live page, it listens to the server's event stream
 * and puts each new event, rendered (and escaped) by the server, at the top of the list. It
 * never builds markup from data itself. The Content-Security-Policy allows it by its hash.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * The live page's script: reads the stream's URL from `#live[data-stream]`, marks the list
 * `data-state="live"` once the server is following, keeps the newest 500 events.
 *
 * @example
 * ```ts
 * import { LIVE_SCRIPT } from "./live_script.ts";
 * console.log(LIVE_SCRIPT.includes("EventSource")); // true
 * ```
 */
export const LIVE_SCRIPT = `
(() => {
  const list = document.getElementById("live");
  const status = document.getElementById("live-status");
  const counter = document.getElementById("live-count");
  if (!list || !list.dataset.stream) return;
  let seen = 0;
  const source = new EventSource(list.dataset.stream);
  source.addEventListener("ready", () => {
    list.dataset.state = "live";
    status.textContent = "following: new events appear at the top";
  });
  source.addEventListener("event", (message) => {
    const row = document.createElement("template");
    row.innerHTML = message.data;
    list.prepend(row.content);
    while (list.children.length > 500) list.lastElementChild.remove();
    seen += 1;
    counter.textContent = String(seen);
  });
  source.addEventListener("error", () => {
    list.dataset.state = "reconnecting";
    status.textContent = "connection lost: reconnecting…";
  });
})();
`;

/**
 * The script's CSP source, `'sha256-…'`.
 *
 * @example
 * ```ts
 * import { SCRIPT_HASH } from "./live_script.ts";
 * console.log(SCRIPT_HASH.startsWith("'sha256-")); // true
 * ```
 */
export const SCRIPT_HASH = `'sha256-${createHash("sha256").update(LIVE_SCRIPT).digest("base64")}'`;
