/** Shorthands over node:assert/strict for the TUI tests. */
import assert from "node:assert/strict";

export { assert };
export const assertEquals: <T>(actual: unknown, expected: T, message?: string) => void =
  assert.deepStrictEqual;
