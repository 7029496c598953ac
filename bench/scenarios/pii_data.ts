/**
 * Seeded personal data and harmless look-alikes (order numbers, dates, phone numbers, prices)
 * for the PII scenario: the look-alikes are what makes a false-positive rate meaningful.
 */

import type { Rng } from "../lib/prng.ts";

const NAMES = ["jane.doe", "j.smith", "maria_garcia", "li.wei", "o.brien", "ahmed.k"];
const DOMAINS = ["example.com", "mail.example.org", "customer.example.net"];

/** A customer e-mail address. */
export function email(rng: Rng): string {
  return `${rng.pick(NAMES)}${rng.int(1, 99)}@${rng.pick(DOMAINS)}`;
}

/** An SSN, `123-45-6789`. */
export function ssn(rng: Rng): string {
  return `${rng.int(100, 899)}-${rng.int(10, 99)}-${rng.int(1000, 9999)}`;
}

/** The Luhn check digit that completes `digits` (as every payment card number's last digit). */
function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]);
    const doubled = i % 2 === 0 ? d * 2 : d;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return (10 - (sum % 10)) % 10;
}

/** Sixteen card digits: a Visa-like number with a valid Luhn check digit, as real cards have. */
export function cardDigits(rng: Rng): string {
  const body = `4${Array.from({ length: 14 }, () => rng.int(0, 9)).join("")}`;
  return `${body}${luhnDigit(body)}`;
}

/** Sixteen digits that are not a card number: the Luhn check digit is off by one. */
export function referenceDigits(rng: Rng): string {
  const body = `4${Array.from({ length: 14 }, () => rng.int(0, 9)).join("")}`;
  return `${body}${(luhnDigit(body) + 1) % 10}`;
}

/** Card digits in one of the ways people write them. */
export function card(rng: Rng): string {
  const d = cardDigits(rng);
  const groups = d.match(/.{4}/g) as string[];
  return rng.pick([d, groups.join(" "), groups.join("-")]);
}

/** The redacted form the CRM accepts. */
export function redactedSsn(rng: Rng): string {
  return `***-**-${rng.int(1000, 9999)}`;
}

/** Harmless text full of numbers that look a little like PII. */
export function harmlessText(rng: Rng): string {
  const y = rng.int(2024, 2027);
  const m = String(rng.int(1, 12)).padStart(2, "0");
  return rng.pick([
    `Your order ORD-${rng.int(10_000, 99_999)} ships on ${y}-${m}-${rng.int(10, 28)}.`,
    `Invoice #${rng.int(10_000, 99_999)} total $${rng.int(1, 9)},${rng.int(100, 999)}.50 is due.`,
    `Call us at +1 555 010 ${rng.int(1000, 9999)} between 9 and 5.`,
    `Ticket ${y}-${rng.int(1000, 9999)} was resolved; reference ${rng.int(100_000, 999_999)}.`,
    `Version ${rng.int(1, 9)}.${rng.int(0, 30)}.${rng.int(0, 300)} deployed to region eu-${
      rng.int(1, 3)
    }.`,
    `Shipment of ${rng.int(2, 400)} units, tracking 1Z${rng.int(100, 999)}AA${
      rng.int(10_000_000, 99_999_999)
    }.`,
    `Meeting moved to ${rng.int(9, 17)}:30 in room ${rng.int(1, 9)}B; agenda at the usual place.`,
  ]);
}
