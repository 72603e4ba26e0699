/**
 * Policy `ask`: a permission request waits as a pending item until a client answers it
 * (runner RPC `session/respond_permission`), its timeout rejects it, or a turn cancel (or the
 * stop of the agent-run) resolves it as cancelled. Whatever resolves it first wins; the
 * agent gets its answer only after the `permission_resolved` event is out, and that event
 * always follows the item's `permission_request` event. See specs/runner-rpc.md.
 */
import { InvalidParamsError } from "../../specs/errors.ts";
import type {
  PendingPermission,
  PermissionAnswer,
  PermissionOption,
  PermissionRequestPayload,
  PermissionResolvedPayload,
  PermissionResolver,
  PermissionToolCall,
} from "../../specs/events.ts";
import { type PermissionDecision, reject } from "./permission_policy.ts";

export interface PermissionBrokerOptions {
  /** How long a request waits before it is rejected; 0 = no bound. */
  timeoutMs: number;
  /** Emits `permission_request` (awaited before the request can be resolved). */
  announce(payload: PermissionRequestPayload): Promise<void>;
  /** Emits `permission_resolved` (awaited before the agent gets its answer). */
  resolved(payload: PermissionResolvedPayload): Promise<void>;
  /** Request ids (tests pass a counter). */
  newId?: () => string;
  now?: () => Date;
}

/** Where a request came from (the open ACP session and turn). */
export interface PermissionContext {
  sessionId?: string;
  turnId?: string;
}

/** What a client may answer: one of the request's options, or cancelled. */
export type PermissionReply = { optionId: string } | { outcome: "cancelled" };

interface Entry {
  item: PendingPermission;
  announced: Promise<void>;
  timer?: ReturnType<typeof setTimeout>;
  settle(decision: PermissionDecision): void;
  /** Set by the first resolution; later ones get the same answer. */
  result?: Promise<PermissionAnswer>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The ACP options, with non-objects dropped and the fields a client needs as strings. */
export function permissionOptions(raw: unknown): PermissionOption[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).filter((o) => typeof o.optionId === "string").map((o) => {
    const opt: PermissionOption = {
      optionId: o.optionId as string,
      name: typeof o.name === "string" ? o.name : String(o.optionId),
      kind: typeof o.kind === "string" ? o.kind : "",
    };
    if (isRecord(o._meta)) opt._meta = o._meta;
    return opt;
  });
}

/** ACP's tool call, passed through; a missing or malformed one becomes `{toolCallId: ""}`. */
export function permissionToolCall(raw: unknown): PermissionToolCall {
  if (!isRecord(raw)) return { toolCallId: "" };
  return {
    ...raw,
    toolCallId: typeof raw.toolCallId === "string" ? raw.toolCallId : "",
  } as PermissionToolCall;
}

function answerOf(requestId: string, decision: PermissionDecision): PermissionAnswer {
  const o = decision.outcome;
  return o.outcome === "selected"
    ? { requestId, outcome: "selected", optionId: o.optionId }
    : { requestId, outcome: "cancelled" };
}

const CANCELLED: PermissionDecision = { outcome: { outcome: "cancelled" } };

/**
 * Policy `ask`: holds each permission request pending until a client answers, its timeout
 * rejects it or a cancel resolves it (see the module comment).
 */
export class PermissionBroker {
  readonly #opts: PermissionBrokerOptions;
  /** Insertion order is age order: oldest first. */
  readonly #pending = new Map<string, Entry>();
  readonly #newId: () => string;
  readonly #now: () => Date;

  constructor(opts: PermissionBrokerOptions) {
    this.#opts = opts;
    this.#newId = opts.newId ?? (() => crypto.randomUUID().slice(0, 8));
    this.#now = opts.now ?? (() => new Date());
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Pending requests, oldest first. */
  list(): PendingPermission[] {
    return [...this.#pending.values()].map((e) => e.item);
  }

  /** Registers a request and resolves with the answer for the agent, whoever gives it. */
  ask(
    request: { toolCall?: unknown; options?: unknown },
    context: PermissionContext = {},
  ): Promise<PermissionDecision> {
    let requestId = this.#newId();
    while (this.#pending.has(requestId)) requestId = this.#newId();
    const now = this.#now();
    const item: PendingPermission = {
      requestId,
      toolCall: permissionToolCall(request.toolCall),
      options: permissionOptions(request.options),
      createdAt: now.toISOString(),
    };
    const { timeoutMs } = this.#opts;
    if (timeoutMs > 0) item.expiresAt = new Date(now.getTime() + timeoutMs).toISOString();
    if (context.sessionId) item.sessionId = context.sessionId;
    if (context.turnId) item.turnId = context.turnId;

    let settle!: (d: PermissionDecision) => void;
    const answer = new Promise<PermissionDecision>((r) => (settle = r));
    const payload: PermissionRequestPayload = {
      requestId,
      toolCall: item.toolCall,
      options: item.options,
      ...(item.expiresAt ? { expiresAt: item.expiresAt } : {}),
    };
    const entry: Entry = {
      item,
      // Started before the entry is visible, so its event precedes any resolution.
      announced: this.#opts.announce(payload).catch(() => {}),
      settle,
    };
    this.#pending.set(requestId, entry);
    if (timeoutMs > 0) {
      entry.timer = setTimeout(
        () => void this.#resolve(entry, reject(item.options), "timeout"),
        timeoutMs,
      );
    }
    return answer;
  }

  /** A client's answer; -32602 for an unknown request or option. */
  respond(requestId: string, reply: PermissionReply): Promise<PermissionAnswer> {
    const entry = this.#pending.get(requestId);
    if (!entry) {
      throw new InvalidParamsError(`no pending permission request ${JSON.stringify(requestId)}`);
    }
    if ("optionId" in reply) {
      const options = entry.item.options;
      if (!options.some((o) => o.optionId === reply.optionId)) {
        throw new InvalidParamsError(
          `permission request ${requestId} has no option ${JSON.stringify(reply.optionId)} ` +
            `(options: ${options.map((o) => o.optionId).join(", ") || "none"})`,
        );
      }
      return this.#resolve(entry, {
        outcome: { outcome: "selected", optionId: reply.optionId },
      }, "client");
    }
    return this.#resolve(entry, CANCELLED, "client");
  }

  /** Resolves every pending request as cancelled (ACP: after session/cancel). */
  async cancelAll(by: PermissionResolver = "cancel"): Promise<void> {
    await Promise.all([...this.#pending.values()].map((e) => this.#resolve(e, CANCELLED, by)));
  }

  #resolve(
    entry: Entry,
    decision: PermissionDecision,
    by: PermissionResolver,
  ): Promise<PermissionAnswer> {
    if (entry.result) return entry.result;
    // Gone from the list at once: a second answer gets -32602, not a second resolution.
    this.#pending.delete(entry.item.requestId);
    clearTimeout(entry.timer);
    const answer = answerOf(entry.item.requestId, decision);
    entry.result = (async () => {
      await entry.announced;
      await this.#opts.resolved({ ...answer, by }).catch(() => {});
      entry.settle(decision);
      return answer;
    })();
    return entry.result;
  }
}
