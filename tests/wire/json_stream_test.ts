import assert from "node:assert/strict";
import { FrameTooLargeError } from "../../specs/wire/framing.ts";
import { type JsonFrame, JsonStreamDecoder } from "../../specs/wire/json_stream.ts";

const enc = new TextEncoder();

/** Feeds `text` in chunks of `step` bytes, then ends the stream. */
function decode(text: string, step = Infinity, max = 1024): JsonFrame[] {
  const d = new JsonStreamDecoder(max);
  const bytes = enc.encode(text);
  const out: JsonFrame[] = [];
  const n = Math.min(step, bytes.length || 1);
  for (let i = 0; i < bytes.length; i += n) out.push(...d.push(bytes.subarray(i, i + n)));
  out.push(...d.end());
  return out;
}

const values = (frames: JsonFrame[]) => frames.map((f) => (f.ok ? f.value : "<bad>"));

Deno.test("JsonStreamDecoder: values back to back, across lines, any whitespace", () => {
  const text = '{"a":1}{"b":[1,2]}\n{\n  "c": {\n    "d": "x\\"}{"\n  }\n}\r\n\t[ ]"s" 42 true\n' +
    'null{"e":-1.5e3}';
  const want = [{ a: 1 }, { b: [1, 2] }, { c: { d: 'x"}{' } }, [], "s", 42, true, null, {
    e: -1500,
  }];
  for (const step of [Infinity, 1, 2, 3, 7]) {
    assert.deepEqual(values(decode(text, step)), want, `chunks of ${step}`);
  }
});

Deno.test("JsonStreamDecoder: escapes and multi-byte characters split between chunks", () => {
  const text = '{"s":"a\\\\"}{"t":"\\\\\\"q"}"héllo ✓"';
  for (const step of [Infinity, 1, 2, 5]) {
    assert.deepEqual(values(decode(text, step)), [{ s: "a\\" }, { t: '\\"q' }, "héllo ✓"]);
  }
});

Deno.test("JsonStreamDecoder: a syntax error drops the rest of its line only", () => {
  for (const step of [Infinity, 1, 4]) {
    assert.deepEqual(
      values(decode('{not json\n{"a":1}\n{"b":}\n{"c":1} x {"d":1}\n[1]\n', step)),
      ["<bad>", { a: 1 }, "<bad>", { c: 1 }, "<bad>", [1]],
      `chunks of ${step}`,
    );
  }
});

Deno.test("JsonStreamDecoder: a message cut off before a newline does not swallow the next", () => {
  const next = '{"jsonrpc":"2.0","id":2}\n';
  for (
    const cut of [
      '{"jsonrpc":"2.0","id":1,"method":',
      '{"id":1,"method":"sys',
      '{"id":1,',
      '{"a":[1,',
    ]
  ) {
    for (const step of [Infinity, 1, 3]) {
      assert.deepEqual(
        values(decode(`${cut}\n${next}`, step)),
        ["<bad>", { jsonrpc: "2.0", id: 2 }],
        `${cut} in chunks of ${step}`,
      );
    }
  }
});

Deno.test("JsonStreamDecoder: objects opening lines inside a pretty-printed array stay in it", () => {
  const batch = '[\n{"id":1},\n{"id":2}\n]\n{\n"a": [\n{\n"b": 1\n}\n]\n}';
  assert.deepEqual(values(decode(batch, 1)), [[{ id: 1 }, { id: 2 }], { a: [{ b: 1 }] }]);
});

Deno.test("JsonStreamDecoder: the stream ending inside a value reports it once", () => {
  assert.deepEqual(values(decode('{"a":1}{"b":')), [{ a: 1 }, "<bad>"]);
  assert.deepEqual(values(decode('{"a":1}  \n')), [{ a: 1 }]);
});

Deno.test("JsonStreamDecoder: the cap applies to one value, not the stream", () => {
  const d = new JsonStreamDecoder(16);
  const small = '{"a":"0123456"}'; // 15 bytes
  assert.equal(d.push(enc.encode(small.repeat(10))).length, 10);
  assert.deepEqual(d.push(enc.encode('{"a":"0123')), []);
  assert.throws(() => d.push(enc.encode('456789"}')), FrameTooLargeError);
  assert.equal(d.pendingBytes, 0);
  // Garbage without a newline is bounded too.
  assert.throws(() => d.push(enc.encode("x".repeat(17))), FrameTooLargeError);
  // Exactly at the cap is fine.
  assert.deepEqual(values(decode('"' + "y".repeat(14) + '"', 3, 16)), ["y".repeat(14)]);
});

Deno.test("JsonStreamDecoder: a request with no newline is delivered without waiting for one", () => {
  const d = new JsonStreamDecoder(1024);
  assert.deepEqual(values(d.push(enc.encode('{"id":1,"m":"x'))), []);
  assert.deepEqual(values(d.push(enc.encode('"}'))), [{ id: 1, m: "x" }]);
  assert.deepEqual(values(d.push(enc.encode('{"id":2}{"id":3}'))), [{ id: 2 }, { id: 3 }]);
  assert.equal(d.pendingBytes, 0);
});

Deno.test("JsonStreamDecoder: nesting deeper than 10000 is refused, the next line is read", () => {
  const deep = "[".repeat(10_001) + "]".repeat(10_001);
  const ok = "[".repeat(10_000) + "]".repeat(10_000);
  // Split so the scanner (not the whole-line fast path) reads them.
  const frames = decode(`${deep}\n${ok}\n{"a":1}`, 4096, 64 * 1024);
  assert.equal(frames.length, 3);
  assert.deepEqual([frames[0].ok, frames[1].ok], [false, true]);
  assert.deepEqual(frames[2], { ok: true, value: { a: 1 } });
});
