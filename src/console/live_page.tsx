/**
 * The live page: new events as the server records them, newest first, without reloading. The
 * server sends each event rendered (and escaped) as an `<li>`; the page's one script puts it
 * at the top. An exported console has no server to follow.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { PageLinks } from "./console_links.ts";

/**
 * The live page's body.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { LivePage } from "./live_page.tsx";
 * console.log(String(<LivePage links={servedLinks(0)} />).includes('data-stream="live/events"')); // true
 * ```
 */
export function LivePage(props: { links: PageLinks }): Child {
  const { links } = props;
  if (!links.served) {
    return (
      <>
        <h1>Live</h1>
        <p class="muted">
          This console was exported: there is no server to follow. Serve the trace directory with
          mirage console --traces DIR, or open /_mirage/console/live on a running proxy, gateway or
          mirage mcp.
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Live</h1>
      <p>
        <span id="live-status">connecting…</span> · events since this page opened:{" "}
        <b id="live-count">0</b>
      </p>
      <ol class="timeline" id="live" data-stream={links.liveStream()} data-state="connecting"></ol>
    </>
  );
}
