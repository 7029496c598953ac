/**
 * The media type of a `content-type` value, the one reading the body readers and the MCP
 * upstream client share.
 *
 * @module
 */

/**
 * The media type of a `content-type` value: lower case, without parameters; `""` for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mediaType } from "./media_type.ts";
 * assert.equal(mediaType("Application/JSON; charset=utf-8"), "application/json");
 * assert.equal(mediaType(null), "");
 * ```
 */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}
