/**
 * ARI `workspace/*`: create (prepared in the background), get, list, delete, send.
 *
 * Beyond the original: names are validated before any path; setup hooks run and their
 * output is kept; a failed prepare leaves `errorMessage`/`hookOutput` in the status;
 * `prepareTimeoutSeconds` is honoured; hooks are never echoed back; a delete cancels a
 * prepare still in flight; `workspace/send` checks the sender and queues for busy targets.
 */
import { join } from "node:path";
import { NameParamsSchema } from "../../specs/ari.ts";
import type {
  ListResult,
  SendParams,
  SendResult,
  Workspace,
  WorkspaceStatus,
} from "../../specs/ari.ts";
import {
  ConflictError,
  InternalError,
  InvalidParamsError,
  NotFoundError,
} from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import type { AriHandlers } from "../context.ts";
import type { DaemonDeps } from "../deps.ts";
import { KeyedMutex } from "../runs/keyed_mutex.ts";
import { PhaseConflictError } from "../store/errors.ts";
import { resolveLocalPath } from "../workspace/workspace_local.ts";
import { methodParams, parseListParams, parseParams } from "./params.ts";

/** Delivers a validated workspace/send (owned by the run supervisor: reserve or queue). */
export type SendDelivery = (params: SendParams) => Promise<SendResult>;

export interface WorkspaceServiceDeps extends DaemonDeps {
  /** From the run supervisor; absent (tests, `runs: null`) → workspace/send answers -32603. */
  deliverSend?: SendDelivery;
}

/** The workspace as clients see it: hooks are internal and never leave the daemon. */
export function publicWorkspace(ws: Workspace): Workspace {
  const { hooks: _hooks, ...spec } = ws.spec;
  return { ...ws, spec };
}

interface Preparation {
  abort: AbortController;
  done: Promise<void>;
}

export interface WorkspaceService {
  readonly handlers: AriHandlers;
  /** At daemon start: re-prepares `pending` workspaces and finishes interrupted deletes. */
  resume(): Promise<void>;
  /** Cancels background work and waits for it (the records stay as they are). */
  close(): Promise<void>;
}

/**
 * ARI `workspace/*` handlers and the background prepares and deletes behind them (see the
 * module comment).
 */
export function workspaceService(deps: WorkspaceServiceDeps): WorkspaceService {
  const { store, logger, paths } = deps;
  const log = logger.child("workspace");
  const inflight = new Map<string, Preparation>();
  const deletes = new KeyedMutex();
  const background = new Set<Promise<void>>();

  const track = (p: Promise<void>) => {
    background.add(p);
    p.finally(() => background.delete(p));
  };

  function startPrepare(ws: Workspace): void {
    const name = ws.metadata.name;
    const abort = new AbortController();
    const onShutdown = () => abort.abort(deps.signal.reason);
    deps.signal.addEventListener("abort", onShutdown, { once: true });
    const done = (async () => {
      let status: WorkspaceStatus;
      try {
        // The manager bounds clone + setup hooks by spec.prepareTimeoutSeconds (default 300).
        const { path } = await deps.workspaces.prepare(name, ws.spec, { signal: abort.signal });
        await Deno.mkdir(join(paths.runs, name), { recursive: true, mode: 0o700 });
        status = { phase: "ready", path };
      } catch (err) {
        // Shutdown leaves the record pending (resumed at next start); a delete takes over.
        if (abort.signal.aborted) return;
        status = { phase: "error", errorMessage: errorText(err) };
        const hookOutput = (err as { hookOutput?: unknown })?.hookOutput;
        if (typeof hookOutput === "string" && hookOutput) status.hookOutput = hookOutput;
        log.warn("workspace prepare failed", { workspace: name, error: status.errorMessage });
      } finally {
        deps.signal.removeEventListener("abort", onShutdown);
      }
      try {
        await store.casWorkspace(name, ["pending"], (w) => {
          w.status = status;
        });
        log.info("workspace prepared", { workspace: name, phase: status.phase });
      } catch (err) {
        // Deleted (or being deleted) meanwhile: the delete cleans up.
        log.debug("workspace prepare result dropped", { workspace: name, error: errorText(err) });
      }
    })().finally(() => {
      if (inflight.get(name)?.abort === abort) inflight.delete(name);
    });
    inflight.set(name, { abort, done });
    track(done);
  }

  /** Cancels an in-flight prepare of `name` and waits until it has let go of the directory. */
  async function stopPrepare(name: string): Promise<void> {
    const p = inflight.get(name);
    if (!p) return;
    inflight.delete(name);
    p.abort.abort(new DOMException("workspace deleted", "AbortError"));
    await p.done;
  }

  async function runsExist(name: string, n?: number): Promise<ConflictError> {
    const count = n ?? await store.countRuns(name);
    return new ConflictError(`workspace ${name} has ${count} agent run(s) and cannot be deleted`);
  }

  function deleteWorkspace(name: string): Promise<void> {
    return deletes.run(name, async () => {
      const ws = await store.getWorkspace(name);
      if (!ws) throw new NotFoundError(`workspace ${name} not found`);
      if ((ws.status.refCount ?? 0) > 0) throw await runsExist(name, ws.status.refCount);
      let deleting: Workspace;
      try {
        // Atomic with the run count: from here on no AgentRun can be created in it.
        deleting = await store.beginWorkspaceDelete(name);
      } catch (err) {
        if (err instanceof ConflictError && !(err instanceof PhaseConflictError)) {
          throw await runsExist(name);
        }
        throw err;
      }
      await stopPrepare(name);
      try {
        const res = await deps.workspaces.cleanup(name, deleting.spec, deleting.status, {
          signal: deps.signal,
        });
        if (res.teardown && !res.teardown.ok) {
          log.warn("teardown hook failed", { workspace: name, error: res.teardown.message });
        }
      } catch (err) {
        throw new InternalError(`workspace ${name}: cleanup failed: ${errorText(err)}`);
      }
      if (!await store.deleteWorkspaceIfNoRuns(name)) return;
      await Deno.remove(join(paths.runs, name), { recursive: true }).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) {
          log.warn("cannot remove runs dir", { workspace: name, error: errorText(err) });
        }
      });
      log.info("workspace deleted", { workspace: name });
    });
  }

  /** A local source is checked at once, so a bad path is a -32602 rather than a later error. */
  async function checkLocalSource(path: string): Promise<void> {
    try {
      await resolveLocalPath(path, { root: paths.root });
    } catch (err) {
      throw new InvalidParamsError(`spec.source: ${errorText(err)}`);
    }
  }

  const handlers: AriHandlers = {
    /** Returns at once with phase `pending`; the directory is prepared in the background. */
    "workspace/create": async (params) => {
      const input = methodParams("workspace/create", params);
      const name = assertName(input.metadata.name, "metadata.name");
      if (input.spec.source.type === "local") await checkLocalSource(input.spec.source.path);
      const ws = await store.createWorkspace({
        kind: "Workspace",
        metadata: input.metadata,
        spec: input.spec,
        status: { phase: "pending" },
      });
      log.info("workspace created", { workspace: name, source: input.spec.source.type });
      startPrepare(ws);
      return publicWorkspace(ws);
    },

    "workspace/get": async (params) => {
      const name = assertName(parseParams(NameParamsSchema, params).name);
      const ws = await store.getWorkspace(name);
      if (!ws) throw new NotFoundError(`workspace ${name} not found`);
      return publicWorkspace(ws);
    },

    "workspace/list": async (params): Promise<ListResult<Workspace>> => ({
      items: (await store.listWorkspaces(parseListParams(params))).map(publicWorkspace),
    }),

    /**
     * Refused (-32001) while the workspace has AgentRuns. Then teardown hooks and removal of
     * the managed directory (never a local one), the record, and `<root>/runs/<ws>`.
     */
    "workspace/delete": async (params) => {
      const name = assertName(parseParams(NameParamsSchema, params).name);
      await deleteWorkspace(name);
      return null;
    },

    /** The sender must be an AgentRun of the same workspace; a busy target gets it queued. */
    "workspace/send": async (params) => {
      const p = methodParams("workspace/send", params);
      const ws = assertName(p.workspace, "workspace");
      assertName(p.from, "from");
      assertName(p.to, "to");
      if (!await store.getWorkspace(ws)) throw new NotFoundError(`workspace ${ws} not found`);
      if (!await store.getRun({ workspace: ws, name: p.from })) {
        throw new InvalidParamsError(
          `sender ${ws}/${p.from} is not an agent run in workspace ${ws}`,
        );
      }
      if (!await store.getRun({ workspace: ws, name: p.to })) {
        throw new NotFoundError(`target agent ${ws}/${p.to} not found`);
      }
      // Delivery (reserve the idle target or queue in its inbox) belongs to the run
      // supervisor (RunSupervisor.send); a daemon started without one says so.
      if (!deps.deliverSend) throw new InternalError("workspace/send: delivery is not available");
      return await deps.deliverSend(p);
    },
  };

  return {
    handlers,
    async resume() {
      for (const ws of await store.listWorkspaces()) {
        const name = ws.metadata.name;
        if (ws.status.phase === "pending") {
          log.info("resuming workspace prepare", { workspace: name });
          startPrepare(ws);
        } else if (ws.status.phase === "deleting") {
          log.info("finishing interrupted workspace delete", { workspace: name });
          track(
            deleteWorkspace(name).catch((err) =>
              log.warn("interrupted delete failed", { workspace: name, error: errorText(err) })
            ),
          );
        }
      }
    },
    async close() {
      for (const p of inflight.values()) p.abort.abort(new DOMException("shutdown", "AbortError"));
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
