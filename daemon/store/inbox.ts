/**
 * The inbox aggregate: messages workspace/send queued for a busy AgentRun,
 * `["v1","inbox",ws,name,seqNo]` (FIFO by seqNo) with the last seqNo handed out in
 * `["v1","inboxseq",ws,name]`. Deliveries CAS the run in the same atomic operation.
 */
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import type { ContentBlock, Phase } from "../../specs/events.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import { type CasOptions, checkPhase, type Mutator } from "./cas.ts";
import { commit } from "./commit.ts";
import type { StoreContext } from "./context.ts";
import * as K from "./keys.ts";
import { RETRY, retry } from "./retry.ts";
import { assertRunKey, getRunEntry, nextRun } from "./run_entry.ts";

/** A message queued for an AgentRun by workspace/send while the target was busy. */
export interface InboxMessage {
  from: string;
  message: ContentBlock[];
  needsReply?: boolean;
}

/** A queued {@link InboxMessage} with its place in the inbox. */
export interface InboxEntry extends InboxMessage {
  /** Position in the run's inbox; increases by one per enqueue, never reused. */
  seqNo: number;
  enqueuedAt: string;
}

/** How {@link reserveOrEnqueue} treats the target's phases. */
export interface ReserveOrEnqueueOptions {
  /** Phases in which the target is reserved instead of queued (default ["idle"]). */
  reservePhases?: readonly Phase[];
  /** Phases in which the message may wait (default ["creating","running","restarting"]). */
  queuePhases?: readonly Phase[];
  /** The reservation, e.g. `(r) => { r.status.phase = "running" }`. */
  reserve: Mutator<AgentRun>;
  message?: (actualPhase: string) => string;
}

/**
 * `reserved`: the run was reserved (the `reserve` mutator committed) and the caller must
 * deliver `deliver` now: the new message, or, to keep FIFO order when older messages were
 * waiting, the oldest queued one (then `queued` is the new message's entry).
 * Not `reserved`: the message waits in the inbox as `queued`.
 */
export type ReserveOrEnqueueResult =
  | { reserved: true; run: AgentRun; deliver: InboxMessage | InboxEntry; queued?: InboxEntry }
  | { reserved: false; run: AgentRun; queued: InboxEntry };

const INBOX_PURGE_BATCH = 500;

/** Appends a message to the run's inbox. NotFoundError when the run does not exist. */
export async function enqueueInbox(
  ctx: StoreContext,
  key: RunKey,
  msg: InboxMessage,
): Promise<InboxEntry> {
  const { workspace, name } = assertRunKey(key);
  return await retry(`inbox ${workspace}/${name}`, async () => {
    const run = await getRunEntry(ctx, workspace, name);
    const seq = await ctx.kv.get<number>(K.inboxSeqKey(workspace, name));
    const entry = _inboxEntry(ctx, msg, (seq.value ?? 0) + 1);
    const op = ctx.kv.atomic().check(run).check(seq)
      .set(K.inboxSeqKey(workspace, name), entry.seqNo)
      .set(K.inboxEntryKey(workspace, name, entry.seqNo), entry);
    return await commit(ctx, op, `inbox message for ${workspace}/${name}`) ? entry : RETRY;
  });
}

/** Waiting messages, oldest first. */
export async function listInbox(
  ctx: StoreContext,
  key: RunKey,
  opts: { limit?: number } = {},
): Promise<InboxEntry[]> {
  const { workspace, name } = assertRunKey(key);
  const out: InboxEntry[] = [];
  const iter = ctx.kv.list<InboxEntry>({ prefix: K.inboxPrefix(workspace, name) }, {
    limit: opts.limit,
  });
  for await (const e of iter) out.push(e.value);
  return out;
}

/** Removes one delivered message. Returns false when it was not there. */
export async function ackInbox(ctx: StoreContext, key: RunKey, seqNo: number): Promise<boolean> {
  const { workspace, name } = assertRunKey(key);
  const k = K.inboxEntryKey(workspace, name, seqNo);
  const cur = await ctx.kv.get(k);
  if (cur.versionstamp === null) return false;
  const res = await ctx.kv.atomic().check(cur).delete(k).commit();
  return res.ok;
}

/**
 * Delivery of the oldest waiting message: in one atomic operation, removes it from the inbox
 * and applies the run CAS (`expected` phases, `mutate`, e.g. idle→running). Returns
 * undefined when the inbox is empty (nothing written); PhaseConflictError when the run is
 * not in `expected`.
 */
export async function takeInbox(
  ctx: StoreContext,
  key: RunKey,
  expected: readonly Phase[],
  mutate: Mutator<AgentRun>,
  opts: CasOptions = {},
): Promise<{ run: AgentRun; entry: InboxEntry } | undefined> {
  const { workspace, name } = assertRunKey(key);
  return await retry(`inbox ${workspace}/${name}`, async () => {
    const cur = await getRunEntry(ctx, workspace, name);
    const oldest = await _oldestInbox(ctx, workspace, name);
    if (!oldest) return undefined;
    const next = nextRun(ctx, cur.value, expected, mutate, opts);
    const op = ctx.kv.atomic().check(cur).check(oldest)
      .delete(oldest.key)
      .set(K.runKey(workspace, name), next);
    return await commit(ctx, op, `agentrun ${workspace}/${name}`)
      ? { run: next, entry: oldest.value }
      : RETRY;
  });
}

/**
 * workspace/send in one atomic step: reserve the target when it is in `reservePhases`,
 * queue the message when it is in `queuePhases`, else PhaseConflictError. Because both
 * branches check the run's versionstamp, a message can never be queued just after the
 * target went idle and then wait forever. See {@link ReserveOrEnqueueResult}.
 */
export async function reserveOrEnqueue(
  ctx: StoreContext,
  key: RunKey,
  msg: InboxMessage,
  opts: ReserveOrEnqueueOptions,
): Promise<ReserveOrEnqueueResult> {
  const { workspace, name } = assertRunKey(key);
  const reservePhases = opts.reservePhases ?? ["idle"];
  const queuePhases = opts.queuePhases ?? ["creating", "running", "restarting"];
  return await retry(`inbox ${workspace}/${name}`, async () => {
    const cur = await getRunEntry(ctx, workspace, name);
    const phase = cur.value.status.phase;
    const oldest = await _oldestInbox(ctx, workspace, name);
    if (reservePhases.includes(phase) && !oldest) {
      const next = nextRun(ctx, cur.value, reservePhases, opts.reserve, opts);
      // The inbox-seq check makes a concurrent enqueue retry this branch.
      const seq = await ctx.kv.get<number>(K.inboxSeqKey(workspace, name));
      const op = ctx.kv.atomic().check(cur).check(seq).set(K.runKey(workspace, name), next);
      return await commit(ctx, op, `agentrun ${workspace}/${name}`)
        ? { reserved: true as const, run: next, deliver: structuredClone(msg) }
        : RETRY;
    }
    const seq = await ctx.kv.get<number>(K.inboxSeqKey(workspace, name));
    const entry = _inboxEntry(ctx, msg, (seq.value ?? 0) + 1);
    const op = ctx.kv.atomic().check(cur).check(seq)
      .set(K.inboxSeqKey(workspace, name), entry.seqNo)
      .set(K.inboxEntryKey(workspace, name, entry.seqNo), entry);
    if (reservePhases.includes(phase) && oldest) {
      // Older messages wait: queue this one behind them and deliver the oldest.
      const next = nextRun(ctx, cur.value, reservePhases, opts.reserve, opts);
      op.check(oldest).delete(oldest.key).set(K.runKey(workspace, name), next);
      return await commit(ctx, op, `inbox message for ${workspace}/${name}`)
        ? { reserved: true as const, run: next, deliver: oldest.value, queued: entry }
        : RETRY;
    }
    checkPhase("AgentRun", `${workspace}/${name}`, phase, [...reservePhases, ...queuePhases], {
      message: opts.message,
    });
    return await commit(ctx, op, `inbox message for ${workspace}/${name}`)
      ? { reserved: false as const, run: cur.value, queued: entry }
      : RETRY;
  });
}

/** Deletes every inbox entry of the run, in batches (not atomic as a whole). */
export async function purgeInbox(ctx: StoreContext, ws: string, name: string): Promise<void> {
  for (;;) {
    const keys: Deno.KvKey[] = [];
    const iter = ctx.kv.list({ prefix: K.inboxPrefix(ws, name) }, {
      limit: INBOX_PURGE_BATCH,
    });
    for await (const e of iter) keys.push(e.key);
    if (keys.length === 0) return;
    const op = ctx.kv.atomic();
    for (const k of keys) op.delete(k);
    await op.commit();
  }
}

async function _oldestInbox(
  ctx: StoreContext,
  ws: string,
  name: string,
): Promise<Deno.KvEntry<InboxEntry> | undefined> {
  for await (
    const e of ctx.kv.list<InboxEntry>({ prefix: K.inboxPrefix(ws, name) }, { limit: 1 })
  ) {
    return e;
  }
  return undefined;
}

function _inboxEntry(ctx: StoreContext, msg: InboxMessage, seqNo: number): InboxEntry {
  if (typeof msg.from !== "string" || !Array.isArray(msg.message)) {
    throw new InvalidParamsError("inbox message needs from and message[]");
  }
  const entry: InboxEntry = {
    seqNo,
    enqueuedAt: ctx.now().toISOString(),
    from: msg.from,
    message: structuredClone(msg.message),
  };
  if (msg.needsReply !== undefined) entry.needsReply = msg.needsReply;
  return entry;
}
