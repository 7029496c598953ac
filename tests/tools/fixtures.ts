/**
 * A support agent's tools, for the gate tests: a refund limit, a refund count, a flag on
 * emails outside the company, a redacted card number, and tool mocks for lookups and refunds.
 */

/** Policies over the agent's tools. */
export const TOOL_POLICIES = `redact:
  - payload.card.number
policies:
  - name: refund_limit
    tool: issue_refund
    field: amount
    operator: max
    value: 500
    message: Refunds above 500 need a supervisor.
  - name: refunds_per_run
    tool: issue_refund
    operator: count_lte
    value: 2
    message: At most two refunds per run.
  - name: card_is_not_amex
    tool: charge_card
    field: card.number
    operator: not_starts_with
    value: "34"
    message: Amex cards are not accepted.
  - name: email_inside
    tool: send_email
    field: to
    operator: ends_with
    value: "@acme.example"
    action: flag
    message: Emails outside acme.example are flagged for review.
`;

/** Tool mocks: a lookup, a refund, a failing charge. */
export function toolMocks(strict = false): string {
  return `strict_tools: ${strict}
tools:
  - name: lookup_order
    result:
      json: { order_id: "{{ args.order_id }}", status: shipped }
  - name: refund_issued
    tool: issue_refund
    result:
      text: "refund of {{ args.amount }} issued"
  - name: charge_declined
    tool: charge_card
    result:
      error: card declined
`;
}
