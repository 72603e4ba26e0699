/**
 * The daemon's commands for `mass`: `mass server` (agentd in the foreground) and
 * `mass daemon start|status|stop|restart`. Factories return commander commands that mass.ts adds.
 * `status` and `restart` ask the running daemon over ARI through an `AriProbe` that mass.ts
 * passes in (the typed client, ctl/client/): daemon/ never imports the client itself.
 */
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import type { SystemInfo } from "../specs/ari.ts";
import { delay } from "../specs/lib/delay.ts";
import { withTimeout } from "../specs/lib/with_timeout.ts";
import { join, resolve } from "node:path";
import { type RootPaths, rootPaths } from "./context.ts";
import { originalStoreNotice } from "./original_store.ts";
import { LOG_LEVELS, type LogLevelName } from "./logging.ts";
import { type Daemon, startDaemon } from "./main.ts";
import { isRootLocked, lockPath, readPidFile, resolveRoot } from "./root_lock.ts";

export interface DaemonCliIO {
  out(text: string): void;
  err(text: string): void;
  env(name: string): string | undefined;
  exit(code: number): void;
}

const encoder = new TextEncoder();

export const denoIO: DaemonCliIO = {
  out: (t) => Deno.stdout.writeSync(encoder.encode(t.endsWith("\n") ? t : t + "\n")),
  err: (t) => Deno.stderr.writeSync(encoder.encode(t.endsWith("\n") ? t : t + "\n")),
  env: (n) => Deno.env.get(n),
  exit: (code) => Deno.exit(code),
};

/** One ARI connection, as much of it as `status` and `restart` use. */
export interface AriProbeConnection {
  systemInfo(): Promise<Pick<SystemInfo, "version" | "goVersion">>;
  readonly closed: Promise<void>;
  close(): void;
}

/** Dials the daemon's socket; rejects when nobody listens there. */
export interface AriProbe {
  connect(
    socketPath: string,
    opts: { connectTimeoutMs: number; requestTimeoutMs?: number },
  ): Promise<AriProbeConnection>;
}

/** The pid of the daemon holding the root's lock, from the pid file or the lock file. */
export async function holderPid(paths: RootPaths): Promise<number | undefined> {
  return await readPidFile(paths.pidFile) ?? await readPidFile(lockPath(paths));
}

/** One line, as the original's `mass daemon status` printed it. */
export async function daemonStatus(paths: RootPaths, probe: AriProbe): Promise<string> {
  const pidFromFile = await readPidFile(paths.pidFile);
  if (!await isRootLocked(paths)) {
    return pidFromFile === undefined
      ? "daemon: not running"
      : "daemon: not running (stale pid file)";
  }
  const pid = pidFromFile ?? await readPidFile(lockPath(paths));
  let client: AriProbeConnection;
  try {
    client = await probe.connect(paths.socket, {
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 5_000,
    });
  } catch {
    return `daemon: process running (pid: ${pid}) but socket not ready`;
  }
  try {
    const info = await client.systemInfo();
    return `daemon: running (pid: ${pid}, version: ${info.version}, ${info.goVersion})`;
  } catch {
    return `daemon: running (pid: ${pid})`;
  } finally {
    client.close();
  }
}

export type StopResult =
  | { state: "not-running" }
  | { state: "stopped"; pid: number }
  | { state: "timeout"; pid: number };

/** Sends SIGTERM to the root's daemon and waits (bounded) until it has let go of the root. */
export async function stopDaemon(
  paths: RootPaths,
  opts: { timeoutMs?: number; onSignalled?: (pid: number) => void } = {},
): Promise<StopResult> {
  if (!await isRootLocked(paths)) return { state: "not-running" };
  const pid = await holderPid(paths);
  if (pid === undefined) {
    throw new Error(`the daemon on ${paths.root} holds its lock but wrote no pid`);
  }
  try {
    Deno.kill(pid, "SIGTERM");
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { state: "not-running" };
    throw err;
  }
  opts.onSignalled?.(pid);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (!await isRootLocked(paths)) return { state: "stopped", pid };
    await delay(100);
  }
  return { state: "timeout", pid };
}

export interface ServerOptions {
  root?: string;
  logLevel: LogLevelName;
  /** Default event log retention of runs (`--event-max-segments`); 0/absent = keep all. */
  eventMaxSegments?: number;
  /** Directory of mass-server.log (`--log-path`); default `<root>/logs`. */
  logDir?: string;
}

/**
 * `mass server`: runs agentd in the foreground until SIGTERM or SIGINT, then shuts down
 * gracefully (agent-runs keep running). SIGHUP restarts it in place: the daemon closes and
 * starts again in the same process (same pid), re-attaching its agent-runs through recovery.
 * Resolves when the daemon has closed for good.
 */
export async function runServer(opts: ServerOptions, io: DaemonCliIO = denoIO): Promise<number> {
  const root = resolveRoot(opts.root, io.env);
  let stopping = false;
  let restart = false;
  let current: Daemon | undefined;
  const onStop = () => {
    stopping = true;
    void current?.close();
  };
  const onHup = () => {
    restart = true;
    void current?.close();
  };
  const stops: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  for (const s of stops) Deno.addSignalListener(s, onStop);
  Deno.addSignalListener("SIGHUP", onHup);
  try {
    while (true) {
      try {
        current = await startDaemon({
          root,
          logLevel: opts.logLevel,
          eventMaxSegments: opts.eventMaxSegments,
          ...(opts.logDir ? { logDir: opts.logDir } : {}),
        });
      } catch (err) {
        io.err(`Error: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
      }
      io.err(`mass server: listening on ${current.paths.socket} (pid ${current.pid})`);
      const logDir = opts.logDir ? resolve(opts.logDir) : current.paths.logs;
      io.err(`mass server: logging to ${join(logDir, "mass-server.log")}`);
      const notice = await originalStoreNotice(current.paths.root);
      if (notice) io.err(notice);
      if (stopping) await current.close();
      await current.closed;
      if (!restart || stopping) break;
      restart = false;
      io.err("mass server: restarting");
    }
  } finally {
    for (const s of stops) Deno.removeSignalListener(s, onStop);
    Deno.removeSignalListener("SIGHUP", onHup);
  }
  io.err("mass server: stopped");
  return 0;
}

/**
 * `mass daemon restart`: SIGHUP to the root's daemon, then waits (bounded) until the old
 * listener has gone and the new one answers. The pid stays the same.
 */
export async function restartDaemon(
  paths: RootPaths,
  probe: AriProbe,
  opts: { timeoutMs?: number; onSignalled?: (pid: number) => void } = {},
): Promise<StopResult> {
  if (!await isRootLocked(paths)) return { state: "not-running" };
  const pid = await holderPid(paths);
  if (pid === undefined) {
    throw new Error(`the daemon on ${paths.root} holds its lock but wrote no pid`);
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  // A probe connection tells us when the old listener is gone (it closes every connection).
  const old = await probe.connect(paths.socket, { connectTimeoutMs: 2_000 })
    .catch(() => undefined);
  try {
    Deno.kill(pid, "SIGHUP");
  } catch (err) {
    old?.close();
    if (err instanceof Deno.errors.NotFound) return { state: "not-running" };
    throw err;
  }
  opts.onSignalled?.(pid);
  if (old) {
    const gone = await withTimeout(
      old.closed.then(() => true),
      Math.max(0, deadline - Date.now()),
    );
    old.close();
    if (!gone) return { state: "timeout", pid };
  }
  while (Date.now() < deadline) {
    const client = await probe.connect(paths.socket, { connectTimeoutMs: 1_000 })
      .catch(() => undefined);
    if (client) {
      try {
        await client.systemInfo();
        return { state: "stopped", pid };
      } catch {
        // not ready yet
      } finally {
        client.close();
      }
    }
    await delay(100);
  }
  return { state: "timeout", pid };
}

const rootOption = () =>
  new Option("--root <dir>", "daemon root (default: $MASS_ROOT, else $HOME/.mass)");

const logLevelOption = () =>
  new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info" as const);

/** The original's `--log-path DIR`: where mass-server.log is written. */
const logPathOption = () =>
  new Option("--log-path <dir>", "directory of mass-server.log (default: <root>/logs)");

/**
 * The original's `--log-format`, accepted so its scripts run unchanged: the log file is
 * always JSON lines here (one format for every reader), whatever is asked.
 */
const logFormatOption = () =>
  new Option("--log-format <format>", "accepted for compatibility; the log is JSON lines")
    .choices(["auto", "pretty", "text", "json"] as const);

const timeoutOption = () => new Option("--timeout <seconds>", "how long to wait").default("30");

/** An integer >= 0, for commander. */
function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("must be an integer >= 0");
  }
  return n;
}

const eventMaxSegmentsOption = () =>
  new Option(
    "--event-max-segments <n>",
    "event log segments a run keeps unless its spec.eventLog says (0 = keep all)",
  ).argParser(parseCount);

interface SignalCommandSpec {
  signal: (
    paths: RootPaths,
    opts: { timeoutMs: number; onSignalled: (pid: number) => void },
  ) => Promise<StopResult>;
  sent: (pid: number) => string;
  done: (pid: number) => string;
  /** `restart` of nothing is a failure; `stop` of nothing is not. */
  notRunningIsError: boolean;
  timedOut: string;
}

/** Shared body of `mass daemon stop|restart`: signal the root's daemon, wait, report. */
async function signalCommand(
  io: DaemonCliIO,
  opts: { root?: string; timeout: string },
  spec: SignalCommandSpec,
): Promise<void> {
  const paths = rootPaths(resolveRoot(opts.root, io.env));
  const seconds = Number(opts.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    io.err(`Error: --timeout must be a positive number of seconds`);
    return io.exit(1);
  }
  const res = await spec.signal(paths, {
    timeoutMs: seconds * 1000,
    onSignalled: (pid) => io.out(spec.sent(pid)),
  });
  if (res.state === "stopped") return io.out(spec.done(res.pid));
  if (res.state === "not-running") {
    if (!spec.notRunningIsError) return io.out("daemon: not running");
    io.err("Error: daemon: not running");
    return io.exit(1);
  }
  io.err(`Error: daemon (pid ${res.pid}) ${spec.timedOut} within ${seconds}s`);
  io.exit(1);
}

/** Options and action shared by `mass server` and `mass daemon start`. */
function serverLike(cmd: Command, description: string, io: DaemonCliIO) {
  return cmd
    .description(description)
    .addOption(rootOption())
    .addOption(logLevelOption())
    .addOption(eventMaxSegmentsOption())
    .addOption(logPathOption())
    .addOption(logFormatOption())
    .action(async (opts) => {
      const code = await runServer({
        root: opts.root,
        logLevel: opts.logLevel,
        eventMaxSegments: opts.eventMaxSegments,
        ...(opts.logPath ? { logDir: opts.logPath } : {}),
      }, io);
      if (code !== 0) io.exit(code);
    });
}

/** `mass server [--root DIR] [--log-level L] [--log-path DIR] [--event-max-segments N]`. */
export function serverCommand(io: DaemonCliIO = denoIO) {
  return serverLike(new Command("server"), "run the mass daemon (agentd) in the foreground", io);
}

/** `mass daemon start|status|stop|restart [--root DIR]`; `probe` reaches the daemon over ARI. */
export function daemonCommand(probe: AriProbe, io: DaemonCliIO = denoIO) {
  const daemon = new Command("daemon").description("manage the mass daemon");
  serverLike(
    daemon.command("start"),
    "run the daemon in the foreground (same as `mass server`)",
    io,
  );
  daemon.command("status")
    .description("show whether the daemon is running")
    .addOption(rootOption())
    .action(async (opts) => {
      const line = await daemonStatus(rootPaths(resolveRoot(opts.root, io.env)), probe);
      io.out(line);
      // Scripts ask `mass daemon status && …`: only a daemon that answers is a success.
      if (!line.startsWith("daemon: running")) io.exit(1);
    });
  daemon.command("restart")
    .description("restart the daemon in place (SIGHUP; same pid); agent-runs keep running")
    .addOption(rootOption())
    .addOption(timeoutOption())
    .action((opts) =>
      signalCommand(io, opts, {
        signal: (paths, o) => restartDaemon(paths, probe, o),
        sent: (pid) => `daemon: sent SIGHUP to pid ${pid}, waiting for restart...`,
        done: (pid) => `daemon: restarted (pid: ${pid})`,
        notRunningIsError: true,
        timedOut: "did not restart",
      })
    );
  daemon.command("stop")
    .description("stop the daemon (SIGTERM) and wait for it to exit; agent-runs keep running")
    .addOption(rootOption())
    .addOption(timeoutOption())
    .action((opts) =>
      signalCommand(io, opts, {
        signal: (paths, o) => stopDaemon(paths, o),
        sent: (pid) => `daemon: sent SIGTERM to pid ${pid}, waiting for exit...`,
        done: (pid) => `daemon: stopped (pid: ${pid})`,
        notRunningIsError: false,
        timedOut: "did not exit",
      })
    );
  return daemon;
}
