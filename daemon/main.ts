/**
 * agentd as a library: `startDaemon()` takes a root, locks it, opens the store, listens on
 * the ARI socket at once, and recovers agent-runs in the background (mutating calls get
 * -32001 until it is done). `close()` stops listening and lets go of everything, leaving
 * agent-runs running. No global state: two daemons can run in one process.
 *
 * ```ts
 * const daemon = await startDaemon({ root: "/tmp/mass" });
 * await daemon.recovered;
 * await daemon.close();
 * ```
 */
import { join, resolve } from "node:path";
import type { SystemInfo } from "../specs/ari.ts";
import { socketPathProblem } from "../specs/names.ts";
import type { UnixServer } from "../specs/wire/socket.ts";
import { agentHandlers } from "./ari/agents.ts";
import { startAriServer, unservedHandlers } from "./ari/server.ts";
import { systemHandlers, systemInfo } from "./ari/system.ts";
import { type WorkspaceService, workspaceService } from "./ari/workspaces.ts";
import { builtinAgents, type BuiltinOptions, seedBuiltinAgents } from "./agents/builtins.ts";
import { type AriHandlers, type RecoveryState, type RootPaths, rootPaths } from "./context.ts";
import type { DaemonDeps, RunSupervisorPort } from "./deps.ts";
import { type ClosableLogger, type Logger, type LogLevelName, openFileLogger } from "./logging.ts";
import { acquireRootLock, prepareRoot, type RootLock } from "./root_lock.ts";
import { Store } from "./store/store.ts";
import { readVersionInfo, type VersionInfo } from "./version.ts";
import { WorkspaceManager } from "./workspace/workspace_manager.ts";
import { agentrunHandlers } from "./ari/agentruns.ts";
import { worktreeHandlers } from "./ari/worktrees.ts";
import { taskHandlers } from "./ari/tasks.ts";
import { RunSupervisor } from "./runs/run_supervisor.ts";
import { meshMcpServerEntry } from "../specs/mesh.ts";
import { MASS_LOCATION, massSpawnProblem } from "../runner/launch/mod.ts";

/**
 * Why agentd cannot run in this process, if it cannot; checked before the root is touched.
 * The default run supervisor must be able to start `mass run` (see massSpawnProblem).
 */
export function daemonRuntimeProblem(withRunSupervisor: boolean): string | undefined {
  // deno.json enables KV when running from source; a bundle needs the flag on the command line.
  if (typeof Deno.openKv !== "function") {
    return "Deno KV is not enabled: run mass with --unstable-kv " +
      "(deno run -A --unstable-kv dist/mass.js server)";
  }
  return withRunSupervisor ? massSpawnProblem() : undefined;
}

/** The default run supervisor (daemon/runs/), adapted to what agentd's core needs. */
function createRunSupervisor(
  deps: DaemonDeps,
  opts: { env?: Record<string, string>; logLevel?: string; eventMaxSegments?: number },
): RunSupervisorPort {
  const supervisor = new RunSupervisor({
    store: deps.store,
    paths: deps.paths,
    logger: deps.logger,
    env: opts.env ?? Deno.env.toObject(),
    logLevel: opts.logLevel,
    eventMaxSegments: opts.eventMaxSegments,
    meshServer: (workspace, name) =>
      meshMcpServerEntry({
        socketPath: deps.paths.socket,
        workspace,
        agentName: name,
        denoPath: Deno.execPath(),
        // Agents start `mass mesh-mcp` from their own directory: pin mass's config (none
        // for a bundle, which must not pick up a deno.json found there).
        massEntry: MASS_LOCATION.entry,
        denoConfig: MASS_LOCATION.config ?? false,
        logDir: `${deps.paths.runs}/${workspace}/${name}`,
      }),
  });
  return {
    handlers: {
      ...agentrunHandlers({ runs: supervisor }),
      ...taskHandlers({ runs: supervisor, store: deps.store, logger: deps.logger }),
      ...worktreeHandlers({ runs: supervisor, store: deps.store, root: deps.paths.root }),
    },
    recover: async () => {
      await supervisor.recover();
    },
    deliverSend: (params) => supervisor.send(params),
    close: () => supervisor.close(),
  };
}

export interface DaemonOptions {
  /** Root directory (made absolute); see root_lock.resolveRoot for the CLI's defaults. */
  root: string;
  logLevel?: LogLevelName;
  /** Use this logger instead of `<root>/logs/mass-server.log`. */
  logger?: Logger;
  /** Directory of mass-server.log (the original's `--log-path`; default `<root>/logs`). */
  logDir?: string;
  /** Copy log lines to stderr too (foreground `mass server`). */
  logToStderr?: boolean;
  /** Seed the built-in agents when absent (default true). */
  seedBuiltins?: boolean;
  builtins?: BuiltinOptions;
  version?: VersionInfo;
  /** Replaces the workspace manager (tests). */
  workspaces?: WorkspaceManager;
  /** Replaces the run supervisor (tests); `null` runs without one. */
  runs?: ((deps: DaemonDeps) => RunSupervisorPort) | null;
  /** agentd's environment, from which agents get their allow-listed part (default: ours). */
  env?: Record<string, string>;
  /**
   * Event log segments each run keeps when its spec does not say (`spec.eventLog.maxSegments`);
   * default 0: keep all (specs/agentrun.md, event log retention).
   */
  eventMaxSegments?: number;
  /**
   * Awaited while recovery is in progress, before the supervisor recovers runs. Tests use it
   * to hold the daemon in the recovering phase and observe the -32001 gate.
   */
  duringRecovery?: () => Promise<void>;
}

export interface Daemon {
  readonly paths: RootPaths;
  readonly pid: number;
  readonly deps: DaemonDeps;
  /** Settles when recovery has finished (successfully or not). */
  readonly recovered: Promise<void>;
  /** Resolves once close() has finished. */
  readonly closed: Promise<void>;
  info(): SystemInfo;
  /** Graceful shutdown; idempotent. Agent-runs keep running. */
  close(): Promise<void>;
}

/** Starts agentd on `opts.root`; throws RootLockedError when another daemon holds it. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const problem = daemonRuntimeProblem(opts.runs === undefined);
  if (problem) throw new Error(problem);
  const paths = rootPaths(resolve(opts.root));
  const tooLong = socketPathProblem(paths.socket);
  if (tooLong) throw new Error(`root ${paths.root} is too deep for the ARI socket: ${tooLong}`);
  await prepareRoot(paths);
  const lock = await acquireRootLock(paths);
  const undo: (() => Promise<void> | void)[] = [() => lock.release()];
  const unwind = async () => {
    for (const f of undo.reverse()) await Promise.resolve().then(f).catch(() => {});
  };
  try {
    return await boot(opts, paths, lock, undo);
  } catch (err) {
    await unwind();
    throw err;
  }
}

async function boot(
  opts: DaemonOptions,
  paths: RootPaths,
  lock: RootLock,
  undo: (() => Promise<void> | void)[],
): Promise<Daemon> {
  let fileLogger: ClosableLogger | undefined;
  if (!opts.logger) {
    fileLogger = await openFileLogger({
      path: join(opts.logDir ? resolve(opts.logDir) : paths.logs, "mass-server.log"),
      level: opts.logLevel ?? "info",
      stderr: opts.logToStderr,
    });
    undo.push(() => fileLogger!.close());
  }
  const logger = opts.logger ?? fileLogger!;

  const store = await Store.open(paths.kv);
  undo.push(() => store.close());

  const shutdown = new AbortController();
  undo.push(() => shutdown.abort());
  const recovery: RecoveryState = { phase: "idle" };
  const base = {
    paths,
    store,
    recovery,
    logger,
    version: opts.version ?? await readVersionInfo(),
    pid: lock.pid,
    signal: shutdown.signal,
  };
  const workspaces = opts.workspaces ?? new WorkspaceManager({ root: paths.root });
  const deps: DaemonDeps = { ...base, workspaces };

  if (opts.seedBuiltins ?? true) {
    const created = await seedBuiltinAgents(store, builtinAgents(opts.builtins));
    if (created.length) logger.info("seeded built-in agents", { agents: created });
  }

  const runs = opts.runs === null
    ? undefined
    : (opts.runs ?? ((d) => createRunSupervisor(d, opts)))(deps);
  if (runs) {
    deps.runs = runs;
    undo.push(() => runs.close());
  }
  const wsService: WorkspaceService = workspaceService({ ...deps, deliverSend: runs?.deliverSend });
  undo.push(() => wsService.close());

  const groups: AriHandlers[] = [
    systemHandlers(deps),
    wsService.handlers,
    agentHandlers(deps),
    // Without a run supervisor (tests) agentrun/* answer -32601 as unknown methods would.
    runs?.handlers ?? unservedHandlers("agentrun/"),
  ];
  // Gate closed before the socket opens: no mutating call slips in ahead of recovery.
  recovery.phase = "recovering";
  recovery.startedAt = new Date().toISOString();
  const server: UnixServer = await startAriServer({
    socketPath: paths.socket,
    groups,
    recovery,
    logger: logger.child("ari"),
  });
  undo.push(async () => {
    await server.close();
    await Deno.remove(paths.socket).catch(() => {});
  });
  logger.info("agentd listening", { socket: paths.socket, pid: lock.pid, root: paths.root });

  const recovered = recover(deps, runs, wsService, opts.duringRecovery);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info("agentd shutting down", { pid: lock.pid });
      shutdown.abort(new DOMException("daemon shutting down", "AbortError"));
      // Unwind in reverse: socket first (no new calls), then services, store, logs, lock.
      for (const f of undo.reverse()) {
        await Promise.resolve().then(f).catch((err) =>
          logger.warn("shutdown step failed", { error: String(err) })
        );
      }
    })();
    return closing;
  };
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  return {
    paths,
    pid: lock.pid,
    deps,
    recovered,
    closed,
    info: () => systemInfo(deps),
    close: () => close().then(resolveClosed),
  };
}

async function recover(
  deps: DaemonDeps,
  runs: RunSupervisorPort | undefined,
  wsService: WorkspaceService,
  duringRecovery?: () => Promise<void>,
): Promise<void> {
  const { recovery, logger } = deps;
  try {
    await duringRecovery?.();
    await wsService.resume();
    if (runs?.recover) await runs.recover();
  } catch (err) {
    logger.error("recovery failed", { error: err instanceof Error ? err.stack : String(err) });
  } finally {
    recovery.phase = "complete";
    recovery.finishedAt = new Date().toISOString();
    logger.info("recovery complete");
  }
}
