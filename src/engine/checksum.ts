/**
 * Checksums a regex match's digits can be asked to pass (`checksum:` on a regex condition), so
 * that a card-number pattern stops card numbers and not every long reference number.
 */

/**
 * Whether the digits of `text` (anything else ignored) pass the Luhn check, as every payment
 * card number does. Fewer than two digits never pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passesLuhn } from "./checksum.ts";
 * assert.equal(passesLuhn("4111 1111 1111 1111"), true);
 * assert.equal(passesLuhn("4111 1111 1111 1112"), false);
 * assert.equal(passesLuhn("0"), false);
 * ```
 */
export function passesLuhn(text: string): boolean {
  let sum = 0;
  let count = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    const doubled = count % 2 === 1 ? d * 2 : d;
    sum += doubled > 9 ? doubled - 9 : doubled;
    count++;
  }
  return count > 1 && sum % 10 === 0;
}
