import assert from "node:assert/strict";
import { encodeFrame, FrameTooLargeError, LineDecoder } from "../../specs/wire/framing.ts";

const enc = new TextEncoder();

Deno.test("LineDecoder splits lines across arbitrary chunk boundaries", () => {
  const d = new LineDecoder(1024);
  const text = '{"a":1}\n{"b":"x\\ny"}\r\n{"c":3}\n';
  const bytes = enc.encode(text);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) out.push(...d.push(bytes.subarray(i, i + 3)));
  assert.deepEqual(out, ['{"a":1}', '{"b":"x\\ny"}', '{"c":3}']);
  assert.equal(d.pendingBytes, 0);
});

Deno.test("LineDecoder keeps multi-byte characters split between chunks intact", () => {
  const d = new LineDecoder(1024);
  const bytes = enc.encode('"héllo ✓"\n');
  const out = [...d.push(bytes.subarray(0, 3)), ...d.push(bytes.subarray(3))];
  assert.deepEqual(out, ['"héllo ✓"']);
});

Deno.test("LineDecoder rejects a frame over the limit without buffering it", () => {
  const d = new LineDecoder(16);
  assert.deepEqual(d.push(enc.encode("0123456789")), []);
  assert.throws(() => d.push(enc.encode("0123456789")), FrameTooLargeError);
  assert.equal(d.pendingBytes, 0);
});

Deno.test("LineDecoder accepts a frame exactly at the limit", () => {
  const d = new LineDecoder(4);
  assert.deepEqual(d.push(enc.encode("abcd\n")), ["abcd"]);
});

Deno.test("encodeFrame ends with exactly one newline", () => {
  const f = new TextDecoder().decode(encodeFrame({ s: "a\nb" }));
  assert.equal(f, '{"s":"a\\nb"}\n');
});
