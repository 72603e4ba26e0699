/**
 * The Agent aggregate: `["v1","agents",name]`. An agent is deletable only while its run
 * counter (`["v1","agentruncounts",name]`, see counters.ts) is zero.
 */
import type { Agent, AgentSpec, ListOptions, ObjectMeta } from "../../specs/ari.ts";
import { NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import { applyMutator, type Mutator } from "./cas.ts";
import { commit } from "./commit.ts";
import { stamp, type StoreContext } from "./context.ts";
import { AgentInUseError, AlreadyExistsError } from "./errors.ts";
import * as K from "./keys.ts";
import { RETRY, retry } from "./retry.ts";
import { assertListOptions, matchesSelector } from "./selectors.ts";

/** An Agent as given to create/replace: `kind` optional. */
export interface AgentInput {
  kind?: "Agent";
  metadata: ObjectMeta;
  spec: AgentSpec;
}

/** The agent `name`, or undefined when absent. */
export async function getAgent(ctx: StoreContext, name: string): Promise<Agent | undefined> {
  assertName(name, "agent");
  return (await ctx.kv.get<Agent>(K.agentKey(name))).value ?? undefined;
}

/** Agents sorted by name, filtered by labels and fields. */
export async function listAgents(ctx: StoreContext, opts?: ListOptions | null): Promise<Agent[]> {
  assertListOptions("Agent", opts);
  const out: Agent[] = [];
  for await (const e of ctx.kv.list<Agent>({ prefix: K.agentsPrefix() })) {
    if (matchesSelector(e.value, opts)) out.push(e.value);
  }
  return out;
}

/** Atomic: -32602 AlreadyExistsError when the name is taken. */
export async function createAgent(ctx: StoreContext, input: AgentInput): Promise<Agent> {
  const agent = _newAgent(ctx, input);
  if (!await _createAgentRecord(ctx, agent)) {
    throw new AlreadyExistsError("Agent", agent.metadata.name);
  }
  return agent;
}

/** For seeding built-in agents: creates only when absent; returns whether it did. */
export async function createAgentIfAbsent(ctx: StoreContext, input: AgentInput): Promise<boolean> {
  return await _createAgentRecord(ctx, _newAgent(ctx, input));
}

/**
 * agent/update: full replace of an existing agent (createdAt kept).
 * NotFoundError (-32602) when absent.
 */
export async function replaceAgent(ctx: StoreContext, input: AgentInput): Promise<Agent> {
  const name = assertName(input.metadata?.name, "metadata.name");
  return await updateAgent(ctx, name, () => ({
    kind: "Agent",
    metadata: structuredClone(input.metadata),
    spec: structuredClone(input.spec),
  }));
}

/** Read-modify-write of an existing agent. NotFoundError (-32602) when absent. */
export async function updateAgent(
  ctx: StoreContext,
  name: string,
  mutate: Mutator<Agent>,
): Promise<Agent> {
  assertName(name, "agent");
  return await retry(`agent ${name}`, async () => {
    const key = K.agentKey(name);
    const cur = await ctx.kv.get<Agent>(key);
    if (!cur.value) throw new NotFoundError(`agent ${name} not found`);
    const next = applyMutator(cur.value, mutate);
    next.kind = "Agent";
    next.metadata.name = name;
    stamp(ctx, next, cur.value.metadata);
    const op = ctx.kv.atomic().check(cur).set(key, next);
    return await commit(ctx, op, `agent ${name}`) ? next : RETRY;
  });
}

/**
 * Deletes the agent only when no AgentRun names it, checked in the same atomic operation (by
 * the agent's run counter). Returns false when absent; throws {@link AgentInUseError} (-32001).
 */
export async function deleteAgent(ctx: StoreContext, name: string): Promise<boolean> {
  assertName(name, "agent");
  return await retry(`agent ${name}`, async () => {
    const [cur, count] = await ctx.kv.getMany<[Agent, number]>([
      K.agentKey(name),
      K.agentRunCountKey(name),
    ]);
    if (cur.versionstamp === null) return false;
    if ((count.value ?? 0) > 0) throw new AgentInUseError(name, count.value ?? 0);
    const op = ctx.kv.atomic().check(cur).check(count).delete(K.agentKey(name));
    return await commit(ctx, op, `agent ${name}`) ? true : RETRY;
  });
}

/** Number of AgentRun records whose `spec.agent` is `agent`. */
export async function countAgentRuns(ctx: StoreContext, agent: string): Promise<number> {
  assertName(agent, "agent");
  return (await ctx.kv.get<number>(K.agentRunCountKey(agent))).value ?? 0;
}

function _newAgent(ctx: StoreContext, input: AgentInput): Agent {
  assertName(input.metadata?.name, "metadata.name");
  const agent: Agent = {
    kind: "Agent",
    metadata: structuredClone(input.metadata),
    spec: structuredClone(input.spec),
  };
  stamp(ctx, agent);
  return agent;
}

async function _createAgentRecord(ctx: StoreContext, agent: Agent): Promise<boolean> {
  const key = K.agentKey(agent.metadata.name);
  const op = ctx.kv.atomic().check({ key, versionstamp: null }).set(key, agent);
  return await commit(ctx, op, `agent ${agent.metadata.name}`);
}
