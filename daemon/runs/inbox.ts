/**
 * workspace/send: messages between the AgentRuns of a workspace. A message to an idle target
 * is delivered at once (as a prompt); to a busy one it waits in the target's durable inbox
 * (the store) and the supervisor delivers it, oldest first and one per turn, whenever the
 * target becomes idle again. This module is the message format; the delivery itself is the
 * supervisor's (inbox_delivery.ts).
 */
import type { ContentBlock } from "../../specs/events.ts";

export interface Envelope {
  from: string;
  needsReply?: boolean;
}

/** Escapes a value for a double-quoted XML-style attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  );
}

/** The text block appended to a delivered message (as in the original, plus escaping). */
export function envelopeBlock(env: Envelope): ContentBlock {
  const from = escapeAttribute(env.from);
  const attrs = env.needsReply
    ? `from="${from}" reply-to="${from}" reply-requested="true"`
    : `from="${from}"`;
  return { type: "text", text: `\n\n<workspace-message ${attrs} />` };
}

/** The prompt a target receives: the sender's blocks plus the envelope. */
export function messagePrompt(message: ContentBlock[], env: Envelope): ContentBlock[] {
  return [...message, envelopeBlock(env)];
}
