/**
 * Property tests of the wire framing (specs/wire/framing.ts): any bytes, cut anywhere, never
 * crash the decoder with anything but FrameTooLargeError, the buffered bytes never exceed the
 * cap, and the lines it yields are exactly the newline-separated frames of the input.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameTooLargeError, LineDecoder } from "../../specs/wire/framing.ts";
import { fuzzRuns } from "./fuzz_runs.ts";

const chunked = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 });

Deno.test("framing: any bytes in any chunking either decode or fail with FrameTooLargeError; memory stays under the cap", () => {
  fc.assert(
    fc.property(chunked, fc.integer({ min: 1, max: 512 }), (chunks, cap) => {
      const dec = new LineDecoder(cap);
      for (const c of chunks) {
        try {
          dec.push(c);
        } catch (err) {
          assert.ok(err instanceof FrameTooLargeError, `unexpected ${err}`);
        }
        assert.ok(dec.pendingBytes <= cap, `pending ${dec.pendingBytes} > cap ${cap}`);
      }
    }),
    { numRuns: fuzzRuns(2_000) },
  );
});

Deno.test("framing: under the cap, the decoded lines are the input's frames, however it is cut", () => {
  const text = fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 20 });
  fc.assert(
    fc.property(text, fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
      const clean = frames.map((f) => f.replace(/[\r\n]/g, ""));
      const bytes = new TextEncoder().encode(clean.map((f) => f + "\n").join(""));
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const dec = new LineDecoder(1 << 20);
      const out: string[] = [];
      let prev = 0;
      for (const p of [...points, bytes.length]) {
        out.push(...dec.push(bytes.subarray(prev, p)));
        prev = p;
      }
      assert.deepEqual(out, clean);
      assert.equal(dec.pendingBytes, 0);
    }),
    { numRuns: fuzzRuns(2_000) },
  );
});

Deno.test("framing: after a too-large frame the decoder recovers at the next newline", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 64 }), fc.string({ maxLength: 30 }), (cap, tail) => {
      const dec = new LineDecoder(cap);
      assert.throws(() => dec.push(new Uint8Array(cap + 1).fill(65)), FrameTooLargeError);
      assert.equal(dec.pendingBytes, 0);
      const line = tail.replace(/[\r\n]/g, "").slice(0, cap);
      const bytes = new TextEncoder().encode(`\n${line}\n`);
      if (bytes.length - 2 > cap) return; // multi-byte text over the cap: not this property
      const lines = dec.push(bytes);
      assert.equal(lines[lines.length - 1], line);
    }),
    { numRuns: fuzzRuns(1_000) },
  );
});
