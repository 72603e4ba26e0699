/**
 * Build identity reported by `system/info` and `mass version`.
 */
import { fileURLToPath } from "node:url";
import { MASS_VERSION } from "../specs/runtime.ts";

export interface VersionInfo {
  version: string;
  gitCommit: string;
  buildTime?: string;
  /** The original reported its Go version here; we put "deno <version>" for compatibility. */
  goVersion: string;
  denoVersion: string;
}

/**
 * Resolves the git commit from `MASS_GIT_COMMIT`, else from the source checkout this module
 * lives in (best effort, bounded), else "unknown".
 */
export async function readVersionInfo(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Promise<VersionInfo> {
  const denoVersion = Deno.version.deno;
  return {
    version: MASS_VERSION,
    gitCommit: env("MASS_GIT_COMMIT") || await sourceCommit() || "unknown",
    ...(env("MASS_BUILD_TIME") ? { buildTime: env("MASS_BUILD_TIME") } : {}),
    goVersion: `deno ${denoVersion}`,
    denoVersion,
  };
}

async function sourceCommit(): Promise<string | undefined> {
  // Only from the source tree: a bundle's directory may be a checkout that has moved on.
  if (!import.meta.url.endsWith("/daemon/version.ts")) return undefined;
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") return undefined;
  const dir = fileURLToPath(here);
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", dir, "rev-parse", "--short=12", "HEAD"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(2_000),
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    return out.success && /^[0-9a-f]{7,40}$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
