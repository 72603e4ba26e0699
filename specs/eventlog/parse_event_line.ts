/**
 * One line of a segment file: a JSON event envelope (specs/events.md).
 *
 * @module
 */
import type { AgentRunEvent } from "../events.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The event on one log line (without its newline), or a short reason why the line is not
 * one. Checks the envelope only (seq, type, runId, time, payload), by hand rather than with
 * zod: it runs once per replayed line.
 *
 * @example
 * ```ts
 * import { parseEventLine } from "./parse_event_line.ts";
 * const line = new TextEncoder().encode('{"seq":0,"type":"x","runId":"r","time":"t","payload":{}}');
 * const ev = parseEventLine(line);
 * if (typeof ev === "string") console.log("not an event:", ev);
 * ```
 */
export function parseEventLine(bytes: Uint8Array): AgentRunEvent | string {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    return `invalid JSON (${err instanceof Error ? err.message : String(err)})`;
  }
  if (!_isEnvelope(v)) return "not an event envelope";
  return v;
}

function _isEnvelope(v: unknown): v is AgentRunEvent {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return Number.isSafeInteger(o.seq) && (o.seq as number) >= 0 &&
    typeof o.type === "string" && typeof o.runId === "string" && typeof o.time === "string" &&
    typeof o.payload === "object" && o.payload !== null && !Array.isArray(o.payload);
}
