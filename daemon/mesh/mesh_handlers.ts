/**
 * What one run's mesh endpoint answers (specs/mesh.md): `mesh/send` from that run to a run of
 * its own workspace, `mesh/status` of that workspace, and `mesh/wait` for a peer's reply. The run is fixed when the endpoint
 * is opened; nothing a caller sends can change who speaks or which workspace is reached.
 */
import type { AgentRun, RunKey, SendParams, SendResult, Workspace } from "../../specs/ari.ts";
import {
  ConflictError,
  InternalError,
  InvalidParamsError,
  NotFoundError,
} from "../../specs/errors.ts";
import {
  MESH_METHODS,
  type MeshSendParams,
  MeshSendParamsSchema,
  MeshWaitParamsSchema,
} from "../../specs/mesh.ts";
import type { z } from "zod";
import { type InboxAccess, waitForReply } from "./mesh_wait.ts";
import type { MeshStatus } from "../../specs/mesh.ts";
import { nameProblem } from "../../specs/names.ts";

/** What the handlers need of agentd. */
export interface MeshDeps {
  getWorkspace(name: string): Promise<Workspace | undefined>;
  getRun(key: RunKey): Promise<AgentRun | undefined>;
  listRuns(workspace: string): Promise<AgentRun[]>;
  /** Delivery as for ARI `workspace/send` (reserve the idle target or queue). */
  deliverSend?(params: SendParams): Promise<SendResult>;
  /** True while agentd recovers its runs: a send is refused with -32001, as over ARI. */
  recovering?(): boolean;
  /** The run's inbox, for `mesh/wait` (absent: -32603). */
  inbox?: InboxAccess;
}

export type MeshHandler = (params: unknown) => Promise<unknown>;

/** The endpoint's methods for the run `self`. */
export function meshHandlers(
  self: RunKey,
  deps: MeshDeps,
  signal?: AbortSignal,
): Record<string, MeshHandler> {
  return {
    [MESH_METHODS.wait]: async (params) => {
      const p = _parseWith(MeshWaitParamsSchema, params);
      const problem = nameProblem(p.from);
      if (problem) throw new InvalidParamsError(`from: ${problem}`);
      if (!await deps.getRun({ workspace: self.workspace, name: p.from })) {
        throw new NotFoundError(`no agent ${p.from} in workspace ${self.workspace}`);
      }
      if (!deps.inbox) throw new InternalError("mesh/wait: the inbox is not available");
      return await waitForReply(self, p, deps.inbox, signal);
    },
    [MESH_METHODS.send]: async (params) => {
      const p = _parse(params);
      if (deps.recovering?.()) throw new ConflictError("daemon is recovering agents");
      const problem = nameProblem(p.to);
      if (problem) throw new InvalidParamsError(`to: ${problem}`);
      if (!await deps.getRun(self)) {
        throw new NotFoundError(`sender ${self.workspace}/${self.name} no longer exists`);
      }
      if (!await deps.getRun({ workspace: self.workspace, name: p.to })) {
        throw new NotFoundError(`no agent ${p.to} in workspace ${self.workspace}`);
      }
      if (!deps.deliverSend) throw new InternalError("mesh/send: delivery is not available");
      return await deps.deliverSend({
        workspace: self.workspace,
        from: self.name,
        to: p.to,
        message: p.message,
        ...(p.needsReply === undefined ? {} : { needsReply: p.needsReply }),
      });
    },
    [MESH_METHODS.status]: async (): Promise<MeshStatus> => {
      const ws = await deps.getWorkspace(self.workspace);
      if (!ws) throw new NotFoundError(`workspace ${self.workspace} not found`);
      const runs = await deps.listRuns(self.workspace);
      return {
        self: self.name,
        workspace: {
          name: ws.metadata.name,
          phase: ws.status.phase,
          ...(ws.status.path ? { path: ws.status.path } : {}),
        },
        members: runs.map((r) => ({
          name: r.metadata.name,
          agent: r.spec.agent,
          phase: r.status.phase,
        })).sort((a, b) => a.name.localeCompare(b.name)),
      };
    },
  };
}

function _parse(params: unknown): MeshSendParams {
  return _parseWith(MeshSendParamsSchema, params);
}

function _parseWith<T>(schema: z.ZodType<T>, params: unknown): T {
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidParamsError(
      `invalid params: ${issue?.path.join(".") || "params"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}
