/**
 * `massctl daemon status|stop` and `massctl version`.
 */
import { Command, Option } from "@commander-js/extra-typings";
import type { SystemInfo } from "../../../specs/ari.ts";
import { MASS_VERSION } from "../../../specs/version.ts";
import type { App } from "../app.ts";
import { delay } from "../../../specs/lib/delay.ts";
import { withTimeout } from "../../../specs/lib/with_timeout.ts";
import { parseDuration } from "../duration.ts";
import { CliError, DaemonUnreachableError } from "../errors.ts";
import { timeoutOption, yamlOf } from "./common.ts";

/** What the client knows about itself. */
export interface ClientInfo {
  version: string;
  denoVersion: string;
}

/** massctl's own version and the Deno version it runs on. */
export function clientInfo(): ClientInfo {
  return { version: MASS_VERSION, denoVersion: Deno.version.deno };
}

/** system/info, or undefined when no daemon answers on the socket. */
async function daemonInfo(app: App): Promise<SystemInfo | undefined> {
  try {
    return await (await app.client()).systemInfo();
  } catch (err) {
    if (err instanceof DaemonUnreachableError) return undefined;
    throw err;
  }
}

/**
 * `massctl daemon status`: whether a daemon answers on the socket, and its version, pid and root.
 */
export function daemonCommand(app: App) {
  const daemon = new Command("daemon").description("inspect the mass daemon");
  daemon.command("status")
    .description("show whether the daemon runs, and its version, pid and root")
    .addOption(
      new Option("-o, --output <format>", "output format").choices(
        ["text", "json", "yaml"] as const,
      )
        .default("text" as const),
    )
    .action(async (opts) => {
      const info = await daemonInfo(app);
      if (opts.output !== "text") {
        const value = info ?? { running: false, socketPath: app.socketPath };
        app.out(
          opts.output === "json" ? JSON.stringify(value, null, 2) + "\n" : await yamlOf(value),
        );
      } else if (!info) {
        app.line(`daemon: not running (no daemon at ${app.socketPath})`);
      } else {
        app.line(
          `daemon: running (pid: ${info.pid}, version: ${info.version}, deno ${info.denoVersion})`,
        );
        app.line(`root: ${info.root}`);
        app.line(`socket: ${info.socketPath}`);
        if (info.recovery) app.line(`recovery: ${info.recovery.phase}`);
      }
      if (!info) app.exitCode = 1;
    });
  daemon.command("stop")
    .description("stop the daemon (SIGTERM) and wait until it is gone; agent runs keep running")
    .addOption(timeoutOption("30s", "wait for the daemon to exit"))
    .action(async (opts) => {
      const info = await daemonInfo(app);
      if (!info) {
        app.line(`daemon: not running (no daemon at ${app.socketPath})`);
        return;
      }
      await app.close();
      try {
        Deno.kill(info.pid, "SIGTERM");
      } catch (err) {
        throw new CliError(
          `cannot signal the daemon (pid ${info.pid}): ${(err as Error).message}; ` +
            `stop it where it runs: mass daemon stop --root ${info.root}`,
        );
      }
      app.line(`daemon: sent SIGTERM to pid ${info.pid}, waiting for exit...`);
      const timeoutMs = parseDuration(opts.timeout, "--timeout");
      const gone = await untilUnreachable(app, timeoutMs);
      if (!gone) {
        throw new CliError(
          `daemon (pid ${info.pid}) did not exit within ${opts.timeout}; ` +
            `look at its log: ${info.root}/logs/mass-server.log`,
        );
      }
      app.line(`daemon: stopped (pid: ${info.pid})`);
    });
  return daemon;
}

/** True once nobody answers on the daemon's socket any more; false after `timeoutMs`. */
async function untilUnreachable(app: App, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await app.close();
    try {
      await withTimeout((await app.client()).systemInfo(), 1_000);
    } catch (err) {
      if (err instanceof DaemonUnreachableError) return true;
    }
    await delay(100);
  }
  return false;
}

/** `massctl version`: the client's version and, when a daemon answers, the daemon's. */
export function versionCommand(app: App) {
  return new Command("version")
    .description("print client and daemon versions")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const client = clientInfo();
      const info = await daemonInfo(app);
      if (opts.json) {
        app.out(JSON.stringify({ client, daemon: info ?? null }, null, 2) + "\n");
        return;
      }
      app.line(`massctl: ${client.version} (deno ${client.denoVersion})`);
      if (!info) {
        app.line("daemon: not reachable");
        return;
      }
      const commit = info.gitCommit ? `, commit ${info.gitCommit}` : "";
      app.line(`daemon: ${info.version} (deno ${info.denoVersion}${commit}, pid ${info.pid})`);
    });
}
