/**
 * Shared setup for the massctl tests: a real daemon (`mass.ts server`) on a temp root as a
 * subprocess, and the real massctl (`deno run -A ctl/main.ts`) as a subprocess per call.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { CliDeps } from "../../ctl/cli/app.ts";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { killChild, killGroup } from "../support/process.ts";
import { recoveredClient } from "../support/server.ts";
import { until } from "../support/wait.ts";

export const REPO = fromFileUrl(new URL("../../", import.meta.url));
export const MASSCTL = fromFileUrl(new URL("../../ctl/main.ts", import.meta.url));
export const MASS = fromFileUrl(new URL("../../mass.ts", import.meta.url));
export const CONFIG = fromFileUrl(new URL("../../deno.json", import.meta.url));
export const TEST_AGENT = fromFileUrl(new URL("../agents/test_agent.ts", import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  timeoutMs?: number;
}

const decoder = new TextDecoder();

/** Runs a command to completion under a deadline (SIGKILL when it passes). */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd ?? REPO,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const ms = opts.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killChild(child);
  }, ms);
  try {
    const out = await child.output();
    if (timedOut) throw new Error(`${cmd} ${args.join(" ")}: timed out after ${ms} ms`);
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts a zero exit (showing both streams otherwise); returns `r`. */
export function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** `massctl --socket S …` as a real subprocess. */
export function massctl(socket: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(Deno.execPath(), ["run", "-A", MASSCTL, "--socket", socket, ...args], opts);
}

export interface DaemonProcess {
  root: string;
  socket: string;
  client: AriClient;
  /** Stops every agent run, then the daemon; removes the root. */
  stop(): Promise<void>;
}

/** Starts `mass server --root <tmp>` and waits until it answers system/info. */
export async function startDaemonProcess(): Promise<DaemonProcess> {
  const root = await Deno.makeTempDir({ prefix: "m" });
  const socket = `${root}/mass.sock`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MASS, "server", "--root", root],
    cwd: REPO,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Keep the pipe drained so the daemon never blocks on a full stderr.
  const stderrText = new Response(child.stderr).text();
  let client: AriClient;
  try {
    client = await until("daemon socket", () => recoveredClient(socket, 30_000), 30_000);
  } catch (err) {
    killChild(child);
    await child.status;
    await stderrText;
    await Deno.remove(root, { recursive: true }).catch(() => {});
    throw err;
  }
  return {
    root,
    socket,
    client,
    async stop() {
      try {
        const runs = (await client.agentrunList()).items;
        await Promise.all(runs.map(async (r) => {
          const key = { workspace: r.metadata.workspace, name: r.metadata.name };
          const stopped = await client.agentrunStop(key).then(() => true, () => false);
          // Last resort for an agent-run the daemon could not stop: its process group.
          if (!stopped && r.status?.pid) killGroup(r.status.pid);
        }));
      } catch {
        // the daemon may already be gone
      }
      client.close();
      killChild(child, "SIGTERM");
      const timer = setTimeout(() => killChild(child), 15_000);
      await child.status;
      clearTimeout(timer);
      await stderrText;
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** An agent definition file for the scriptable test agent. */
export function testAgentYaml(name: string, extraArgs: string[] = []): string {
  const args = ["run", "-A", TEST_AGENT, ...extraArgs].map((a) => JSON.stringify(a)).join(", ");
  return `kind: Agent
metadata:
  name: ${name}
spec:
  command: ${JSON.stringify(Deno.execPath())}
  args: [${args}]
`;
}

/** CliDeps that capture output in memory (for in-process runs of the CLI). */
export function memoryDeps(
  overrides: Partial<CliDeps> & { terminal?: boolean } = {},
): CliDeps & { stdout(): string; stderr(): string } {
  let out = "";
  let err = "";
  const terminal = overrides.terminal ?? false;
  return {
    io: {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      stdinIsTerminal: terminal,
      stdoutIsTerminal: terminal,
      stderrIsTerminal: terminal,
    },
    env: () => undefined,
    cwd: () => Deno.cwd(),
    now: () => new Date(),
    confirm: () => Promise.resolve(false),
    ...overrides,
    stdout: () => out,
    stderr: () => err,
  };
}
