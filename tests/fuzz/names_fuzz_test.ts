/**
 * Property tests of name validation (specs/names.ts): any value gets an answer without a
 * throw, a valid name is safe as one path segment, and assertName agrees with nameProblem.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { join, normalize } from "node:path";
import { InvalidParamsError } from "../../specs/errors.ts";
import { assertName, isValidName, MAX_NAME_LENGTH, nameProblem } from "../../specs/names.ts";
import { fuzzRuns } from "./fuzz_runs.ts";

const nameLike = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(..."abz09.-_/\\ ."), maxLength: 70 }),
  fc.anything(),
);

Deno.test("names: any value is either a valid name or has a one-line problem", () => {
  fc.assert(
    fc.property(nameLike, (v) => {
      const problem = nameProblem(v);
      assert.equal(isValidName(v), problem === undefined);
      if (problem !== undefined) {
        assert.equal(typeof problem, "string");
        assert.throws(() => assertName(v, "metadata.name"), InvalidParamsError);
        return;
      }
      const name = v as string;
      assert.equal(assertName(name), name);
      assert.ok(name.length >= 1 && name.length <= MAX_NAME_LENGTH);
      // Safe as one path segment: no separator, no traversal, no hidden file.
      assert.ok(!name.includes("/") && !name.includes("\\") && !name.includes(".."));
      assert.ok(!name.startsWith("."));
      assert.equal(normalize(join("/root", name)), `/root/${name}`);
    }),
    { numRuns: fuzzRuns(5_000) },
  );
});

Deno.test("names: every string of the allowed alphabet and length that starts alphanumeric and has no '..' is valid", () => {
  const head = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");
  const rest = fc.string({
    unit: fc.constantFrom(..."abcxyz019._-"),
    maxLength: MAX_NAME_LENGTH - 1,
  });
  fc.assert(
    fc.property(head, rest, (h, r) => {
      const name = h + r;
      assert.equal(isValidName(name), !name.includes(".."));
    }),
    { numRuns: fuzzRuns(3_000) },
  );
});
