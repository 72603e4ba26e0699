/**
 * Typed errors the store throws, on top of specs/errors.ts. All are RpcErrors, so the ARI
 * layer can pass them straight through or re-wrap them with a method-specific message.
 */
import { ConflictError, ErrorKind, KindError } from "../../specs/errors.ts";
import type { ObjectKind } from "./selectors.ts";

/**
 * `create` found the key taken. The original MASS answers a duplicate Workspace or Agent
 * with -32602 (kind already_exists) but a duplicate AgentRun with -32001, so that one is of
 * kind conflict.
 */
export class AlreadyExistsError extends KindError {
  readonly kind: ObjectKind;
  /** "name" or "workspace/name". */
  readonly key: string;
  constructor(kind: ObjectKind, key: string) {
    super(
      kind === "AgentRun" ? ErrorKind.Conflict : ErrorKind.AlreadyExists,
      `${KIND_WORDS[kind]} ${key} already exists`,
    );
    this.name = "AlreadyExistsError";
    this.kind = kind;
    this.key = key;
  }
}

/** A check-and-set precondition failed: the object is in `actualPhase`, not one of `expected`. */
export class PhaseConflictError extends ConflictError {
  readonly actualPhase: string;
  readonly expected: readonly string[];
  constructor(message: string, actualPhase: string, expected: readonly string[]) {
    super(message);
    this.name = "PhaseConflictError";
    this.actualPhase = actualPhase;
    this.expected = expected;
  }
}

/**
 * agent deletion refused: `count` AgentRuns name the agent in `spec.agent` (counted in the same
 * atomic operation as the delete). -32001.
 */
export class AgentInUseError extends ConflictError {
  readonly agent: string;
  readonly count: number;
  constructor(agent: string, count: number) {
    super(`agent ${agent} is used by ${count} agent run(s) and cannot be deleted`);
    this.name = "AgentInUseError";
    this.agent = agent;
    this.count = count;
  }
}

/** Lower-case words used in messages, matching the original's wording. */
export const KIND_WORDS: Record<ObjectKind, string> = {
  Workspace: "workspace",
  Agent: "agent",
  AgentRun: "agentrun",
};
