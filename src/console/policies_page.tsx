/**
 * The policies page: each rule of the loaded policy file — what it applies to, what it checks,
 * what a failure does, its message — with how often it applied, failed and blocked in the
 * runs of the trace store; then the rules the traces name that the file does not have.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { PageLinks } from "./console_links.ts";
import type { PolicyListing } from "./policy_rules.ts";
import { RuleCountCells, RuleCountHeads, RuleCountsTable, RuleName } from "./rule_counts.tsx";

/**
 * The policies page's body.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { PoliciesPage } from "./policies_page.tsx";
 * console.log(String(<PoliciesPage listing={{ rules: [], others: [] }} links={servedLinks(0)} />).includes("No policy file"));
 * ```
 */
export function PoliciesPage(props: { listing: PolicyListing; links: PageLinks }): Child {
  const { listing, links } = props;
  const max = Math.max(
    1,
    ...listing.rules.map((r) => r.counts.failed),
    ...listing.others.map((r) => r.failed),
  );
  return (
    <>
      <h1>Policies</h1>
      {listing.file === undefined
        ? (
          <p class="muted">
            No policy file is loaded (give mirage console --policies P): these are the rules the
            traces name.
          </p>
        )
        : (
          <p>
            <span class="mono">{listing.file}</span>
            {listing.digest ? <span class="muted mono">{` · ${listing.digest}`}</span> : ""}
          </p>
        )}
      {listing.error ? <p class="warn">The policy file cannot be read: {listing.error}</p> : ""}
      {listing.rules.length > 0
        ? (
          <table id="rules">
            <thead>
              <tr>
                <th>rule</th>
                <th>applies to</th>
                <th>checks</th>
                <th>on failure</th>
                <RuleCountHeads />
              </tr>
            </thead>
            <tbody>
              {listing.rules.map((r) => (
                <tr data-rule={r.name}>
                  <td>
                    <div class="mono">
                      <RuleName name={r.name} links={links} />
                    </div>
                    {r.description ? <div class="facts">{r.description}</div> : ""}
                    {r.position
                      ? <div class="facts">{`${r.position.file}:${r.position.line}`}</div>
                      : ""}
                  </td>
                  <td class="mono">{r.scope}</td>
                  <td>
                    <div class="mono">{r.condition}</div>
                    <div class="facts">{r.message}</div>
                  </td>
                  <td>
                    {r.action}
                    <div class="facts">missing field: {r.onMissing}</div>
                  </td>
                  <RuleCountCells counts={r.counts} max={max} />
                </tr>
              ))}
            </tbody>
          </table>
        )
        : ""}
      {listing.file !== undefined && listing.others.length > 0
        ? <h2>Rules in the traces that the file does not have</h2>
        : ""}
      {listing.others.length > 0
        ? <RuleCountsTable id="other-rules" rules={listing.others} links={links} max={max} />
        : ""}
      {listing.rules.length === 0 && listing.others.length === 0
        ? <p class="muted">No rule has decided anything yet.</p>
        : ""}
    </>
  );
}
