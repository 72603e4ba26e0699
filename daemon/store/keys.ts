/**
 * The KV key layout of agentd's store (schema version "v1"). Pure key builders; every name
 * part is validated by the caller (see store.ts) before it reaches a key.
 *
 * ```
 * ["v1","workspaces",ws]            Workspace (status.refCount not stored: derived)
 * ["v1","agents",name]              Agent
 * ["v1","agentruns",ws,name]        AgentRun
 * ["v1","runcounts",ws]             number of AgentRuns in ws (written with every run create/delete)
 * ["v1","agentruncounts",agent]     number of AgentRuns whose spec.agent is agent (same writes)
 * ["v1","meta","agentruncounts"]    set once the agent counters are complete (see Store.open)
 * ["v1","cursors",ws,name]          last event seq agentd consumed for the run
 * ["v1","stopintents",ws,name]      pid of the agent-run agentrun/stop is stopping
 * ["v1","inbox",ws,name,seqNo]      queued workspace/send message (seqNo: number, FIFO)
 * ["v1","inboxseq",ws,name]         last inbox seqNo handed out for the run
 * ```
 */

export const SCHEMA = "v1";

export const workspaceKey = (ws: string): Deno.KvKey => [SCHEMA, "workspaces", ws];
export const workspacesPrefix = (): Deno.KvKey => [SCHEMA, "workspaces"];

export const agentKey = (name: string): Deno.KvKey => [SCHEMA, "agents", name];
export const agentsPrefix = (): Deno.KvKey => [SCHEMA, "agents"];

export const runKey = (ws: string, name: string): Deno.KvKey => [SCHEMA, "agentruns", ws, name];
/** All runs, or the runs of one workspace. */
export const runsPrefix = (ws?: string): Deno.KvKey =>
  ws === undefined ? [SCHEMA, "agentruns"] : [SCHEMA, "agentruns", ws];

export const runCountKey = (ws: string): Deno.KvKey => [SCHEMA, "runcounts", ws];
export const runCountsPrefix = (): Deno.KvKey => [SCHEMA, "runcounts"];

export const agentRunCountKey = (agent: string): Deno.KvKey => [SCHEMA, "agentruncounts", agent];
export const agentRunCountsPrefix = (): Deno.KvKey => [SCHEMA, "agentruncounts"];
/** Marker: the agent run counters were built from the runs (stores older than them have none). */
export const agentRunCountsReadyKey = (): Deno.KvKey => [SCHEMA, "meta", "agentruncounts"];

export const cursorKey = (ws: string, name: string): Deno.KvKey => [SCHEMA, "cursors", ws, name];

export const stopIntentKey = (ws: string, name: string): Deno.KvKey => [
  SCHEMA,
  "stopintents",
  ws,
  name,
];

export const inboxPrefix = (ws: string, name: string): Deno.KvKey => [SCHEMA, "inbox", ws, name];
export const inboxEntryKey = (ws: string, name: string, seqNo: number): Deno.KvKey => [
  SCHEMA,
  "inbox",
  ws,
  name,
  seqNo,
];
export const inboxSeqKey = (ws: string, name: string): Deno.KvKey => [
  SCHEMA,
  "inboxseq",
  ws,
  name,
];
