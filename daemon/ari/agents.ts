/**
 * ARI `agent/*`: Agent definitions (which command speaks ACP, with which args and env).
 */
import { AgentSchema, NameParamsSchema } from "../../specs/ari.ts";
import type { Agent, ListResult } from "../../specs/ari.ts";
import { ConflictError, NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import type { AriHandlers } from "../context.ts";
import type { DaemonDeps } from "../deps.ts";
import { AgentInUseError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import { parseListParams, parseParams } from "./params.ts";

function parseAgent(params: unknown): Agent {
  const input = parseParams(AgentSchema, params);
  assertName(input.metadata.name, "metadata.name");
  return { ...input, kind: "Agent" };
}

/** The refusal with the count from the atomic check and, for the reader, some of the runs. */
async function inUseError(store: Store, err: AgentInUseError): Promise<ConflictError> {
  const users = await store.listRuns({ fieldSelector: { agent: err.agent } }).catch(() => []);
  const keys = users.slice(0, 5).map((r) => `${r.metadata.workspace}/${r.metadata.name}`);
  const more = users.length > keys.length ? ", ..." : "";
  const which = keys.length > 0 ? ` (${keys.join(", ")}${more})` : "";
  return new ConflictError(
    `agent ${err.agent} is used by ${err.count} agent run(s)${which} and cannot be deleted`,
  );
}

/** ARI `agent/*` handlers (create, update, get, list, delete) over the store. */
export function agentHandlers(deps: Pick<DaemonDeps, "store">): AriHandlers {
  const { store } = deps;
  return {
    /** -32602 when the name is taken. */
    "agent/create": (params) => store.createAgent(parseAgent(params)),

    /** Full replace of an existing agent; createdAt is kept. -32602 when absent. */
    "agent/update": (params) => store.replaceAgent(parseAgent(params)),

    "agent/get": async (params) => {
      const name = assertName(parseParams(NameParamsSchema, params).name);
      const agent = await store.getAgent(name);
      if (!agent) throw new NotFoundError(`agent ${name} not found`);
      return agent;
    },

    "agent/list": async (params): Promise<ListResult<Agent>> => ({
      items: await store.listAgents(parseListParams(params)),
    }),

    /**
     * No-op when absent (as the original); -32001 while an AgentRun uses the agent (the store
     * checks its run counter in the delete's own atomic operation).
     */
    "agent/delete": async (params) => {
      const name = assertName(parseParams(NameParamsSchema, params).name);
      try {
        await store.deleteAgent(name);
      } catch (err) {
        if (err instanceof AgentInUseError) throw await inUseError(store, err);
        throw err;
      }
      return null;
    },
  };
}
