/**
 * ARI `agent/*`: Agent definitions (which command speaks ACP, with which args and env).
 */
import { AgentSchema, NameParamsSchema } from "../../specs/ari.ts";
import type { Agent, ListResult } from "../../specs/ari.ts";
import { ConflictError, NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import type { AriHandlers } from "../context.ts";
import type { DaemonDeps } from "../deps.ts";
import { parseListParams, parseParams } from "./params.ts";

function parseAgent(params: unknown): Agent {
  const input = parseParams(AgentSchema, params);
  assertName(input.metadata.name, "metadata.name");
  return { ...input, kind: "Agent" };
}

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

    /** No-op when absent (as the original); -32001 while an AgentRun uses the agent. */
    "agent/delete": async (params) => {
      const name = assertName(parseParams(NameParamsSchema, params).name);
      const users = await store.listRuns({ fieldSelector: { agent: name } });
      if (users.length > 0) {
        const keys = users.slice(0, 5).map((r) => `${r.metadata.workspace}/${r.metadata.name}`);
        throw new ConflictError(
          `agent ${name} is used by ${users.length} agent run(s) (${keys.join(", ")}${
            users.length > 5 ? ", ..." : ""
          }) and cannot be deleted`,
        );
      }
      await store.deleteAgent(name);
      return null;
    },
  };
}
