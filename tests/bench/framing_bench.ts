/**
 * Reading frames off the wire: the JSON stream decoder against the old newline split +
 * JSON.parse, on small requests (the ARI hot path) and on large event notifications.
 * `deno bench -A tests/bench/framing_bench.ts`.
 */
import { LineDecoder } from "../../specs/wire/framing.ts";
import { JsonStreamDecoder } from "../../specs/wire/json_stream.ts";

const enc = new TextEncoder();

function chunked(text: string, size = 64 * 1024): Uint8Array[] {
  const bytes = enc.encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

const small = chunked(
  Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({
      jsonrpc: "2.0",
      id: i,
      method: "agentrun/get",
      params: { workspace: "ws", name: "agent-1" },
    }) + "\n").join(""),
);
const event = {
  jsonrpc: "2.0",
  method: "runtime/event",
  params: {
    seq: 1,
    type: "agent_message_chunk",
    content: { type: "text", text: 'some "quoted" output\\n\n'.repeat(2000) },
  },
};
const large = chunked(Array.from({ length: 50 }, () => JSON.stringify(event) + "\n").join(""));
// No newlines: every byte goes through the scanner (the slow path).
const backToBack = chunked(Array.from({ length: 50 }, () => JSON.stringify(event)).join(""));

function lines(chunks: Uint8Array[]): number {
  const d = new LineDecoder();
  let n = 0;
  for (const c of chunks) for (const l of d.push(c)) n += JSON.parse(l) ? 1 : 0;
  return n;
}

function stream(chunks: Uint8Array[]): number {
  const d = new JsonStreamDecoder();
  let n = 0;
  for (const c of chunks) for (const f of d.push(c)) n += f.ok ? 1 : 0;
  return n;
}

Deno.bench("1000 small requests, newline split", { group: "small", baseline: true }, () => {
  lines(small);
});
Deno.bench("1000 small requests, JSON stream", { group: "small" }, () => {
  stream(small);
});
Deno.bench("50 x 50 KB events, newline split", { group: "large", baseline: true }, () => {
  lines(large);
});
Deno.bench("50 x 50 KB events, JSON stream", { group: "large" }, () => {
  stream(large);
});
Deno.bench("50 x 50 KB events back to back, JSON stream", { group: "large" }, () => {
  stream(backToBack);
});
