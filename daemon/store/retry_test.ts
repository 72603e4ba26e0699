import assert from "node:assert/strict";
import { ConflictError, ErrorCode } from "../../specs/errors.ts";
import { RETRY, retry } from "./retry.ts";

Deno.test("retry: returns the first non-RETRY result", async () => {
  let n = 0;
  const res = await retry("thing", () => Promise.resolve(++n < 3 ? RETRY : n));
  assert.equal(res, 3);
});

Deno.test("retry: gives up with -32001 naming what after 100 lost races", async () => {
  let n = 0;
  const err = await retry("agentrun w/a", () => {
    n++;
    return Promise.resolve(RETRY);
  }).catch((e) => e);
  assert.ok(err instanceof ConflictError);
  assert.equal(err.code, ErrorCode.Conflict);
  assert.equal(err.message, "agentrun w/a: too many concurrent writes, try again");
  assert.equal(n, 100);
});

Deno.test("retry: an attempt's error ends the loop", async () => {
  let n = 0;
  await assert.rejects(
    retry("x", () => {
      n++;
      return Promise.reject(new Error("precondition"));
    }),
    /precondition/,
  );
  assert.equal(n, 1);
});
