/**
 * ARI `agentrun/*`: the AgentRun lifecycle (create, get, list, delete, prompt, cancel, stop,
 * restart), session settings (set_model, set_mode, set_config_option), runtime status, permission requests
 * (permissions, respond_permission) and event streaming (watch, unwatch). The work is done by the RunSupervisor
 * (daemon/runs/run_supervisor.ts); this module validates params and shapes results.
 */
import { type ListResult, RunKeySchema } from "../../specs/ari.ts";
import type {
  AgentRun,
  AgentRunPermissions,
  AgentRunRuntimeStatus,
  RunKey,
} from "../../specs/ari.ts";
import type { PermissionAnswer } from "../../specs/events.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import type { AriHandlers } from "../context.ts";
import type { RunSupervisor } from "../runs/run_supervisor.ts";
import type { WatchSession } from "../runs/watch.ts";
import { AriMethods } from "../../specs/ari_methods.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { methodParams, parseListParams, parseParams } from "./params.ts";
import { clip } from "../../specs/lib/clip.ts";

export interface AgentRunHandlerDeps {
  runs: RunSupervisor;
}

const WATCHES = "agentrun.watches";

/** The watch sessions of one ARI connection, by watchId; all end with the connection. */
function watchRegistry(peer: RpcPeer): Map<string, WatchSession> {
  let reg = peer.context.get(WATCHES) as Map<string, WatchSession> | undefined;
  if (!reg) {
    const created = new Map<string, WatchSession>();
    peer.context.set(WATCHES, created);
    peer.closed.then(() => {
      for (const s of created.values()) s.close();
    });
    reg = created;
  }
  return reg;
}

function runKey(params: unknown): RunKey {
  return checkedKey(parseParams(RunKeySchema, params));
}

/** The run key of already-parsed params, names validated. */
function checkedKey(p: RunKey): RunKey {
  return { workspace: assertName(p.workspace, "workspace"), name: assertName(p.name, "name") };
}

/**
 * ARI `agentrun/*` handlers (create, get, list, delete, prompt, cancel, stop, restart, status,
 * permissions, watch, unwatch) over the run supervisor.
 */
export function agentrunHandlers(deps: AgentRunHandlerDeps): AriHandlers {
  const { runs } = deps;
  return {
    /** Returns the run as recorded (`creating`); the start goes on in the background. */
    "agentrun/create": (params) => {
      const input = methodParams("agentrun/create", params);
      return runs.create(input);
    },

    "agentrun/get": (params) => runs.get(runKey(params)),

    "agentrun/list": async (params): Promise<ListResult<AgentRun>> => ({
      items: await runs.list(parseListParams(params)),
    }),

    /** Only stopped/error runs (-32001 otherwise); removes the bundle and the worktree. */
    "agentrun/delete": async (params) => {
      const { deleteBranch, force, ...key } = methodParams("agentrun/delete", params);
      await runs.delete(checkedKey(key), { deleteBranch, force });
      return null;
    },

    /** `{accepted: true, fromSeq}`: watch from `fromSeq` to see just this turn. */
    "agentrun/prompt": (params) => {
      const p = methodParams("agentrun/prompt", params);
      return runs.prompt(checkedKey(p), p.prompt);
    },

    "agentrun/cancel": async (params) => {
      await runs.cancel(runKey(params));
      return null;
    },

    /** Blocks until the run is stopped; null like the original. */
    "agentrun/stop": async (params) => {
      await runs.stop(runKey(params));
      return null;
    },

    "agentrun/restart": (params) => runs.restart(runKey(params)),

    /** Forwards session/set_model to the live agent-run (-32001 without one); null. */
    "agentrun/set_model": async (params) => {
      const p = methodParams("agentrun/set_model", params);
      await runs.setModel(checkedKey(p), p.modelId);
      return null;
    },

    /** Forwards session/set_mode to the live agent-run (-32001 without one); null. */
    "agentrun/set_mode": async (params) => {
      const p = methodParams("agentrun/set_mode", params);
      await runs.setMode(checkedKey(p), p.modeId);
      return null;
    },

    /** Forwards session/set_config_option (-32001 without a live run); the agent's result. */
    "agentrun/set_config_option": async (params) => {
      const p = methodParams("agentrun/set_config_option", params);
      const result = await runs.setConfigOption(checkedKey(p), p.configId, p.value);
      return (result ?? {}) as { configOptions?: unknown[] };
    },

    /** `{state, recovery: {lastSeq}}`: live from the agent-run, else its state.json. */
    "agentrun/status": (params): Promise<AgentRunRuntimeStatus> => runs.status(runKey(params)),

    /** `{items}`: the live agent-run's pending permission requests (-32001 without one). */
    "agentrun/permissions": (params): Promise<AgentRunPermissions> =>
      runs.permissions(runKey(params)),

    /** Answers one pending request with an option or `cancel: true`; unknown ids -32602. */
    "agentrun/respond_permission": (params): Promise<PermissionAnswer> => {
      const { workspace, name, ...answer } = methodParams("agentrun/respond_permission", params);
      return runs.respondPermission(checkedKey({ workspace, name }), answer);
    },

    /** Streams `agentrun/event` notifications (envelope + watchId + workspace). */
    "agentrun/watch": async (params, peer) => {
      const p = methodParams("agentrun/watch", params);
      const key = runKey(p);
      const { watchId } = p;
      const session = await runs.watch(key, {
        fromSeq: p.fromSeq,
        sink: {
          event: (ev) =>
            peer.notify(AriMethods.agentrunEvent, { ...ev, watchId, workspace: key.workspace }),
          // The client resumes from its last seq on a new connection (ctl/client/watch.ts).
          close: () => peer.close(),
          fail: (err) =>
            peer.notify(AriMethods.agentrunWatchError, {
              watchId,
              workspace: key.workspace,
              name: key.name,
              ...err,
            }),
        },
      });
      const watches = watchRegistry(peer);
      if (watches.has(watchId)) {
        throw new InvalidParamsError(
          `watchId ${clip(watchId)} is already in use on this connection`,
        );
      }
      watches.set(watchId, session);
      session.done.then(() => {
        if (watches.get(watchId) === session) watches.delete(watchId);
      });
      session.start();
      return { watchId };
    },

    "agentrun/unwatch": (params, peer) => {
      const { watchId } = methodParams("agentrun/unwatch", params);
      const session = watchRegistry(peer).get(watchId);
      if (!session) throw new InvalidParamsError(`unknown watchId ${clip(watchId)}`);
      session.close();
      return null;
    },
  };
}
