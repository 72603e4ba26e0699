import assert from "node:assert/strict";
import { settlesWithin } from "./settles_within.ts";

Deno.test("settlesWithin: true for a void promise that resolves in time", async () => {
  assert.equal(await settlesWithin(Promise.resolve(), 60_000), true);
});

Deno.test("settlesWithin: false when the time passes first", async () => {
  assert.equal(await settlesWithin(new Promise<void>(() => {}), 5), false);
});

Deno.test("settlesWithin: a rejection passes through", async () => {
  await assert.rejects(settlesWithin(Promise.reject(new Error("boom")), 60_000), /boom/);
});
