/**
 * PII leak, adversarial: personal data hidden by case, encodings, look-alike characters,
 * separators the patterns do not expect, extra fields, and splitting across fields or calls.
 */

import type { Rng } from "../lib/prng.ts";
import { bad, good, post, postRaw } from "./build.ts";
import { adversarialRuns, type Trick } from "./adversarial.ts";
import { cardDigits, email, harmlessText, redactedSsn, ssn } from "./pii_data.ts";
import { customer, CUSTOMERS, message, MESSAGES, slack } from "./pii_leak.ts";
import type { LabelledAction, Sequence } from "./scenario.ts";
import {
  base64,
  fullWidthDigits,
  homoglyphs,
  htmlEntityAt,
  jsonUnicodeEscapes,
  zeroWidth,
} from "./tricks.ts";

function prefix(rng: Rng, runId: string): LabelledAction[] {
  return [
    good(message(email(rng), "Status", harmlessText(rng), runId)),
    good(slack(harmlessText(rng), runId)),
    good(post(CUSTOMERS, customer(rng, { ssn: redactedSsn(rng) }), runId)),
  ];
}

/** A partner message whose body carries a disguised piece of PII. */
function inBody(disguise: (rng: Rng) => string): Trick {
  return (
    rng,
    runId,
  ) => [bad("", message(email(rng), "Hello", `Details: ${disguise(rng)}`, runId))];
}

/** A CRM record with an extra field. */
function inCrm(extra: (rng: Rng) => Record<string, unknown>): Trick {
  return (rng, runId) => [bad("", post(CUSTOMERS, customer(rng, extra(rng)), runId))];
}

function groups(digits: string, sep: string): string {
  return (digits.match(/.{4}/g) as string[]).join(sep);
}

const TRICKS: Readonly<Record<string, Trick>> = {
  email_upper_case: inBody((rng) => email(rng).toUpperCase()),
  email_percent_encoded: inBody((rng) => email(rng).replace("@", "%40")),
  email_spelled_out: inBody((rng) =>
    email(rng).replace("@", " at ").replace(/\.(?=[^.]*$)/, " dot ")
  ),
  email_full_width_at: inBody((rng) => email(rng).replace("@", "\uff20")),
  email_html_entity: inBody((rng) => htmlEntityAt(email(rng))),
  email_homoglyph_domain: inBody((rng) => {
    const [local, domain] = email(rng).split("@") as [string, string];
    return `${local}@${homoglyphs(domain)}`;
  }),
  email_json_unicode_escape: (rng, runId) => {
    const text = jsonUnicodeEscapes(email(rng));
    const body = `{"to":"${email(rng)}","subject":"Hello","body":"Contact ${text}"}`;
    return [bad("", postRaw(MESSAGES, body, runId))];
  },
  ssn_base64: inBody((rng) => base64(ssn(rng))),
  ssn_full_width_digits: inBody((rng) => fullWidthDigits(ssn(rng))),
  ssn_zero_width_chars: inBody((rng) => zeroWidth(ssn(rng))),
  ssn_dot_separated: inBody((rng) => ssn(rng).replaceAll("-", ".")),
  ssn_no_separators: inBody((rng) => ssn(rng).replaceAll("-", "")),
  ssn_split_across_fields: (rng, runId) => {
    const [a, b, c] = ssn(rng).split("-") as [string, string, string];
    return [bad("", message(email(rng), `Ref ${a}-${b}`, `continued: -${c}`, runId))];
  },
  ssn_split_across_calls: (rng, runId) => {
    const [a, b, c] = ssn(rng).split("-") as [string, string, string];
    return [
      bad("", slack(`first half ${a}-${b}`, runId)),
      bad("", slack(`second half ${c}`, runId)),
    ];
  },
  card_no_separators: inBody((rng) => cardDigits(rng)),
  card_irregular_groups: inBody((rng) =>
    cardDigits(rng).replace(/(\d{4})(\d{2})(\d{2})/, "$1 $2 $3 ")
  ),
  card_dot_separated: inBody((rng) => groups(cardDigits(rng), ".")),
  card_in_extra_field: (rng, runId) => {
    const json = {
      to: email(rng),
      subject: "Files",
      body: "See attachment.",
      attachments: [{ note: cardDigits(rng) }],
    };
    return [bad("", post(MESSAGES, json, runId))];
  },
  field_name_case: (rng, runId) => {
    const json = { To: email(rng), Subject: "Hello", Body: `Contact ${email(rng)}` };
    return [bad("", post(MESSAGES, json, runId))];
  },
  slack_upper_case_email: (
    rng,
    runId,
  ) => [bad("", slack(`ping ${email(rng).toUpperCase()}`, runId))],
  crm_card_field_renamed: inCrm((rng) => ({ cc_number: groups(cardDigits(rng), " ") })),
  crm_ssn_in_notes: inCrm((rng) => ({ ssn: redactedSsn(rng), notes: `full ssn ${ssn(rng)}` })),
  crm_ssn_without_dashes: inCrm((rng) => ({ ssn: ssn(rng).replaceAll("-", "") })),
  benign_redacted_ssn_in_slack: (
    rng,
    runId,
  ) => [good(slack(`verified ${redactedSsn(rng)}`, runId), "benign")],
  benign_date_range: (rng, runId) => [
    good(
      message(email(rng), "Window", `Maintenance 2026-05-${rng.int(10, 20)} to 2026-06-30.`, runId),
      "benign",
    ),
  ],
  benign_16_digit_reference: (rng, runId) => [
    good(
      message(
        email(rng),
        "Order",
        `Reference ${groups(cardDigits(rng), " ")} (not a card).`,
        runId,
      ),
      "benign",
    ),
  ],
};

/** Adversarial PII runs. */
export function generatePiiLeakAdversarial(seed: number, runs: number): Sequence[] {
  return adversarialRuns("pii", prefix, TRICKS, seed, runs);
}
