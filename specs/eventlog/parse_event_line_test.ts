import assert from "node:assert/strict";
import { parseEventLine } from "./parse_event_line.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const envelope = { seq: 3, type: "notice", runId: "r", time: "t", payload: {} };

Deno.test("parseEventLine: an envelope is an event", () => {
  assert.deepEqual(parseEventLine(bytes(JSON.stringify(envelope))), envelope);
});

Deno.test("parseEventLine: bad JSON and bad envelopes give a reason", () => {
  assert.match(parseEventLine(bytes('{"seq":')) as string, /^invalid JSON/);
  assert.match(parseEventLine(new Uint8Array([0xff, 0xfe])) as string, /^invalid JSON/);
  for (
    const bad of [
      [],
      null,
      { ...envelope, seq: -1 },
      { ...envelope, seq: 1.5 },
      { ...envelope, type: 1 },
      { ...envelope, payload: [] },
      { ...envelope, runId: undefined },
    ]
  ) {
    assert.equal(parseEventLine(bytes(JSON.stringify(bad))), "not an event envelope");
  }
});
