import assert from "node:assert/strict";
import { isInside } from "./is_inside.ts";

Deno.test("isInside: the root itself and paths below it are inside", () => {
  assert.equal(isInside("/ws", "/ws"), true);
  assert.equal(isInside("/ws", "/ws/a/b"), true);
});

Deno.test("isInside: a folder whose name starts with two dots is inside", () => {
  assert.equal(isInside("/ws", "/ws/..foo"), true);
  assert.equal(isInside("/ws", "/ws/..foo/bar"), true);
  assert.equal(isInside("/ws", "/ws/..."), true);
});

Deno.test("isInside: parents, siblings sharing a prefix and escapes are outside", () => {
  assert.equal(isInside("/ws", "/"), false);
  assert.equal(isInside("/ws/a", "/ws"), false);
  assert.equal(isInside("/ws", "/ws2/a"), false);
  assert.equal(isInside("/ws", "/ws/../etc"), false);
  assert.equal(isInside("/ws", "/etc/passwd"), false);
});
