/**
 * The daemon's commands for `mass`: `mass server` (agentd in the foreground) and
 * `mass daemon start|status|stop`. Factories return commander commands that mass.ts adds.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { AriClient } from "../ctl/ari_client.ts";
import { type RootPaths, rootPaths } from "./context.ts";
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

/** The pid of the daemon holding the root's lock, from the pid file or the lock file. */
export async function holderPid(paths: RootPaths): Promise<number | undefined> {
  return await readPidFile(paths.pidFile) ?? await readPidFile(lockPath(paths));
}

/** One line, as the original's `mass daemon status` printed it. */
export async function daemonStatus(paths: RootPaths): Promise<string> {
  const pidFromFile = await readPidFile(paths.pidFile);
  if (!await isRootLocked(paths)) {
    return pidFromFile === undefined
      ? "daemon: not running"
      : "daemon: not running (stale pid file)";
  }
  const pid = pidFromFile ?? await readPidFile(lockPath(paths));
  let client: AriClient;
  try {
    client = await AriClient.connect(paths.socket, {
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
    await new Promise((r) => setTimeout(r, 100));
  }
  return { state: "timeout", pid };
}

export interface ServerOptions {
  root?: string;
  logLevel: LogLevelName;
}

/**
 * `mass server`: runs agentd in the foreground until SIGTERM or SIGINT, then shuts down
 * gracefully (agent-runs keep running). Resolves when the daemon has closed.
 */
export async function runServer(opts: ServerOptions, io: DaemonCliIO = denoIO): Promise<number> {
  const root = resolveRoot(opts.root, io.env);
  let daemon: Daemon;
  try {
    daemon = await startDaemon({ root, logLevel: opts.logLevel });
  } catch (err) {
    io.err(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  io.err(`mass server: listening on ${daemon.paths.socket} (pid ${daemon.pid})`);
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  const onSignal = () => void daemon.close();
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  await daemon.closed;
  for (const s of signals) Deno.removeSignalListener(s, onSignal);
  io.err("mass server: stopped");
  return 0;
}

const rootOption = () =>
  new Option("--root <dir>", "daemon root (default: $MASS_ROOT, else $HOME/.mass)");

const logLevelOption = () =>
  new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info" as const);

/** `mass server [--root DIR] [--log-level L]`. */
export function serverCommand(io: DaemonCliIO = denoIO) {
  return new Command("server")
    .description("run the mass daemon (agentd) in the foreground")
    .addOption(rootOption())
    .addOption(logLevelOption())
    .action(async (opts) => {
      const code = await runServer({ root: opts.root, logLevel: opts.logLevel }, io);
      if (code !== 0) io.exit(code);
    });
}

/** `mass daemon start|status|stop [--root DIR]`. */
export function daemonCommand(io: DaemonCliIO = denoIO) {
  const daemon = new Command("daemon").description("manage the mass daemon");
  daemon.command("start")
    .description("run the daemon in the foreground (same as `mass server`)")
    .addOption(rootOption())
    .addOption(logLevelOption())
    .action(async (opts) => {
      const code = await runServer({ root: opts.root, logLevel: opts.logLevel }, io);
      if (code !== 0) io.exit(code);
    });
  daemon.command("status")
    .description("show whether the daemon is running")
    .addOption(rootOption())
    .action(async (opts) => {
      io.out(await daemonStatus(rootPaths(resolveRoot(opts.root, io.env))));
    });
  daemon.command("stop")
    .description("stop the daemon (SIGTERM) and wait for it to exit; agent-runs keep running")
    .addOption(rootOption())
    .addOption(new Option("--timeout <seconds>", "how long to wait").default("30"))
    .action(async (opts) => {
      const paths = rootPaths(resolveRoot(opts.root, io.env));
      const seconds = Number(opts.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        io.err(`Error: --timeout must be a positive number of seconds`);
        return io.exit(1);
      }
      const res = await stopDaemon(paths, {
        timeoutMs: seconds * 1000,
        onSignalled: (pid) => io.out(`daemon: sent SIGTERM to pid ${pid}, waiting for exit...`),
      });
      if (res.state === "not-running") io.out("daemon: not running");
      else if (res.state === "stopped") io.out(`daemon: stopped (pid: ${res.pid})`);
      else {
        io.err(`Error: daemon (pid ${res.pid}) did not exit within ${seconds}s`);
        io.exit(1);
      }
    });
  return daemon;
}
