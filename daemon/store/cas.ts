/** Check-and-set building blocks shared by the aggregates: mutators and phase preconditions. */
import { KIND_WORDS, PhaseConflictError } from "./errors.ts";
import type { ObjectKind } from "./selectors.ts";

/** Mutators may edit the copy they get in place (return nothing) or return a new object. */
export type Mutator<T> = (current: T) => T | void;

/** Options of the phase-checked writes. */
export interface CasOptions {
  /** Message for the PhaseConflictError (default: "<kind> <key> is <phase>, expected a|b"). */
  message?: (actualPhase: string) => string;
}

/** Applies `mutate` to a copy of `cur` and returns the new value (a copy either way). */
export function applyMutator<T>(cur: T, mutate: Mutator<T>): T {
  const copy = structuredClone(cur);
  const res = mutate(copy);
  return res === undefined ? copy : structuredClone(res);
}

/** Throws {@link PhaseConflictError} (-32001) unless `actual` is one of `expected`. */
export function checkPhase(
  kind: ObjectKind,
  key: string,
  actual: string,
  expected: readonly string[],
  opts: CasOptions,
): void {
  if (expected.includes(actual)) return;
  const message = opts.message?.(actual) ??
    `${KIND_WORDS[kind]} ${key} is ${actual}, expected ${expected.join("|")}`;
  throw new PhaseConflictError(message, actual, expected);
}
