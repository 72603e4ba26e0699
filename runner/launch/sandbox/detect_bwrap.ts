/**
 * Whether bubblewrap works on this host, asked once per daemon (a `SandboxProbe` lives on
 * agentd's context, never in a global): a nested `bwrap` run in the namespaces the sandbox
 * uses, bounded by a timeout, plus the Deno cache directory the sandboxed agent-run must see.
 */
import type { SandboxHost } from "../../../specs/sandbox.ts";
import { resolveCommand } from "../permissions_flags.ts";

/** The answer of a probe: the host paths when bwrap works, else why it does not. */
export type SandboxDetection =
  | { ok: true; host: SandboxHost }
  | { ok: false; reason: string };

export interface SandboxProbeOptions {
  /** PATH to find `bwrap` on; default agentd's. */
  pathEnv?: string;
  /** The deno binary whose cache dir the agent-run needs; default Deno.execPath(). */
  denoPath?: string;
  /** Bound on each probe command. */
  timeoutMs?: number;
}

async function _run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ ok: boolean; out: string; err: string }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: abort.signal,
    }).output();
    const dec = new TextDecoder();
    return { ok: res.success, out: dec.decode(res.stdout), err: dec.decode(res.stderr).trim() };
  } catch (err) {
    return { ok: false, out: "", err: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the probe (no caching): bwrap inside bwrap, with PID, network, IPC and UTS
 * namespaces, as the agent-run and its agent will be.
 */
export async function detectBwrap(opts: SandboxProbeOptions = {}): Promise<SandboxDetection> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const bwrap = resolveCommand("bwrap", opts.pathEnv ?? Deno.env.get("PATH"));
  if (!bwrap) return { ok: false, reason: "bwrap not found on PATH (install bubblewrap)" };
  const ns = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"];
  const outer = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"];
  const inner = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid"];
  const probe = await _run(
    bwrap,
    [...outer, ...ns, "--", bwrap, ...inner, "--die-with-parent", "--", "true"],
    timeoutMs,
  );
  if (!probe.ok) {
    const why = probe.err.split("\n").at(-1) || "no output";
    return { ok: false, reason: `bwrap cannot create namespaces here: ${why}` };
  }
  const host: SandboxHost = { bwrap: Deno.realPathSync(bwrap) };
  const info = await _run(opts.denoPath ?? Deno.execPath(), ["info", "--json"], timeoutMs);
  try {
    const denoDir = JSON.parse(info.out).denoDir;
    if (typeof denoDir === "string" && denoDir.startsWith("/")) host.denoDir = denoDir;
  } catch {
    // no cache dir known: deno-launched agents then see none
  }
  return { ok: true, host };
}

/**
 * One daemon's answer to "does bwrap work here", asked at most once.
 *
 * @example
 * ```ts
 * const probe = new SandboxProbe();
 * const d = await probe.detect();
 * console.log(d.ok ? `bwrap at ${d.host.bwrap}` : d.reason);
 * ```
 */
export class SandboxProbe {
  #answer?: Promise<SandboxDetection>;
  constructor(readonly opts: SandboxProbeOptions = {}) {}

  /** The cached answer (the first call runs the probe). */
  detect(): Promise<SandboxDetection> {
    this.#answer ??= detectBwrap(this.opts);
    return this.#answer;
  }
}
