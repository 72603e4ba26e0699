import assert from "node:assert/strict";
import { delay } from "./delay.ts";

Deno.test("delay: resolves after the time passes", async () => {
  let done = false;
  const p = delay(5).then(() => done = true);
  assert.equal(done, false);
  await p;
  assert.equal(done, true);
});

Deno.test("delay: an abort wakes it early, without error", async () => {
  const stop = new AbortController();
  const p = delay(600_000, { signal: stop.signal });
  stop.abort();
  await p; // a leaked 10-minute timer would fail Deno's op sanitizer
});

Deno.test("delay: an already aborted signal returns at once", async () => {
  await delay(600_000, { signal: AbortSignal.abort() });
});

Deno.test("delay: a settling wake promise ends it, even a rejected one", async () => {
  await delay(600_000, { wake: Promise.resolve() });
  await delay(600_000, { wake: Promise.reject(new Error("ignored")) });
});
