/**
 * ARI `system/*`: what this daemon is and where it lives.
 */
import type { SystemInfo } from "../../specs/ari.ts";
import type { AriHandlers } from "../context.ts";
import type { DaemonDeps } from "../deps.ts";

/** The `system/info` result; every value comes from this daemon's own deps (§16.3). */
export function systemInfo(deps: Pick<DaemonDeps, "paths" | "version" | "pid" | "recovery">) {
  const { version, paths, recovery } = deps;
  const info: SystemInfo = {
    version: version.version,
    gitCommit: version.gitCommit,
    ...(version.buildTime ? { buildTime: version.buildTime } : {}),
    goVersion: version.goVersion,
    denoVersion: version.denoVersion,
    root: paths.root,
    socketPath: paths.socket,
    pid: deps.pid,
    recovery: { ...recovery },
  };
  return info;
}

/** ARI `system/*` handlers: `system/info`. */
export function systemHandlers(deps: DaemonDeps): AriHandlers {
  return {
    "system/info": () => systemInfo(deps),
  };
}
