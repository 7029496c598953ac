/**
 * The frame of every console page: the document head (stylesheet embedded; an exported page's
 * Content-Security-Policy as a `<meta>`), the navigation, and where the traces come from.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { PageLinks } from "./console_links.ts";
import { LIVE_SCRIPT } from "./live_script.ts";
import { EXPORTED_CSP } from "./page_headers.ts";
import { CONSOLE_CSS } from "./styles.ts";

/**
 * The pages of the navigation.
 *
 * @example
 * ```ts
 * import type { Section } from "./layout.tsx";
 * const s: Section = "runs";
 * ```
 */
export type Section = "overview" | "runs" | "live" | "policies";

/**
 * What a page's frame shows besides its body.
 *
 * @example
 * ```ts
 * import { servedLinks } from "./console_links.ts";
 * import type { Frame } from "./layout.tsx";
 * const f: Frame = { title: "Runs", section: "runs", links: servedLinks(0), source: "artifacts/traces" };
 * ```
 */
export interface Frame {
  /** The page's title. */
  readonly title: string;
  /** The section it belongs to. */
  readonly section: Section;
  /** Its links. */
  readonly links: PageLinks;
  /** Where the traces come from, for the header. */
  readonly source: string;
  /** Whether the page runs the live script. */
  readonly live?: boolean;
}

function NavLink(props: { href: string; on: boolean; children: Child }): Child {
  return props.on
    ? <a href={props.href} aria-current="page">{props.children}</a>
    : <a href={props.href}>{props.children}</a>;
}

/**
 * A whole page as HTML text.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { renderPage } from "./layout.tsx";
 * const html = renderPage(
 *   { title: "Runs", section: "runs", links: servedLinks(0), source: "artifacts/traces" },
 *   <p>none yet</p>,
 * );
 * console.log(html.startsWith("<!doctype html>")); // true
 * ```
 */
export function renderPage(frame: Frame, body: Child): string {
  const { links, section } = frame;
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        {links.served ? "" : <meta http-equiv="Content-Security-Policy" content={EXPORTED_CSP} />}
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <link rel="icon" href="data:," />
        <title>{`${frame.title} · Mirage console`}</title>
        <style>{raw(CONSOLE_CSS)}</style>
      </head>
      <body>
        <header>
          <span class="brand">Mirage console</span>
          <nav>
            <NavLink href={links.overview()} on={section === "overview"}>Overview</NavLink>
            <NavLink href={links.runs()} on={section === "runs"}>Runs</NavLink>
            <NavLink href={links.live()} on={section === "live"}>Live</NavLink>
            <NavLink href={links.policies()} on={section === "policies"}>Policies</NavLink>
          </nav>
          <span class="source">
            {frame.source} · read-only{links.served ? "" : " · exported"}
          </span>
        </header>
        <main>{body}</main>
        {frame.live && links.served ? <script>{raw(LIVE_SCRIPT)}</script> : ""}
      </body>
    </html>
  );
  return `<!doctype html>\n${String(page)}`;
}
