/**
 * The review console (`@mirage/core/console`): every run of a trace directory — CI runs and
 * gateway traffic alike — read in a browser. {@link startConsole} serves it (what
 * `mirage console --traces DIR` runs); {@link exportConsole} writes the same pages as static
 * HTML for a CI artifact (`mirage console --export DIR`). The proxy, the gateway and
 * `mirage mcp` serve it themselves at `/_mirage/console/`, behind their admin guard.
 *
 * @example
 * ```ts ignore
 * import { exportConsole, startConsole } from "@mirage/core/console";
 * await exportConsole({ traces: "artifacts/traces", out: "artifacts/console" });
 * const server = await startConsole({ traces: "artifacts/traces", policies: "policies.yaml" });
 * ```
 *
 * @module
 */

export {
  CONSOLE_PORT,
  type ConsoleHandle,
  type ConsoleOptions,
  startConsole,
} from "./console_server.ts";
export { exportConsole, type ExportOptions, type ExportReport } from "./export_site.ts";
