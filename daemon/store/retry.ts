/**
 * The CAS loop: an attempt reads, checks its preconditions (throwing when they fail) and
 * commits; a commit lost to a concurrent write returns {@link RETRY} and is tried again.
 */
import { ConflictError } from "../../specs/errors.ts";

const MAX_ATTEMPTS = 100;

/** Returned by an attempt whose commit lost a versionstamp race. */
export const RETRY: unique symbol = Symbol("retry");

/** An attempt's result: the value, or {@link RETRY}. */
export type Attempt<T> = T | typeof RETRY;

/**
 * Runs `attempt` until it returns something other than {@link RETRY}; after 100 lost races
 * throws ConflictError (-32001) "`what`: too many concurrent writes, try again".
 */
export async function retry<T>(what: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const res = await attempt();
    if (res !== RETRY) return res;
  }
  throw new ConflictError(`${what}: too many concurrent writes, try again`);
}
