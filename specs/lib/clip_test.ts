import assert from "node:assert/strict";
import { clip } from "./clip.ts";

Deno.test("clip leaves short values alone", () => {
  assert.equal(clip("abc"), "abc");
  assert.equal(clip("x".repeat(80)), "x".repeat(80));
});

Deno.test("clip cuts long values and says how long they were", () => {
  assert.equal(clip("x".repeat(4_000_000)), "x".repeat(80) + "… (4000000 chars)");
  assert.equal(clip("abcdef", 3), "abc… (6 chars)");
});

Deno.test("clip never splits a surrogate pair", () => {
  const out = clip("ab😀cd", 3);
  assert.equal(out, "ab… (6 chars)");
});
