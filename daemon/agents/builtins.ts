/**
 * Built-in Agent definitions, seeded into the store at every daemon start when the name is
 * absent (a user's edits or deletion-and-recreation are never overwritten).
 *
 * Unlike the original (which ran everything through `bunx`), each agent runs under the deno
 * binary that runs agentd, so no Node or Bun is needed:
 * - `demo`: the offline demo agent beside these definitions (demo/).
 * - `claude`: `deno run -A npm:@agentclientprotocol/claude-agent-acp@<pinned>`. Needs
 *   ANTHROPIC_API_KEY (or a Claude login under HOME). It refuses to run as root unless
 *   IS_SANDBOX=1; setting that is the user's decision (agent env or agentd's env).
 * - `codex`: the native binary of `@zed-industries/codex-acp` (install it with
 *   `npm install -g @zed-industries/codex-acp@<pinned>`), launched directly — found through
 *   the `codex-acp` launcher on PATH when the daemon seeds its built-ins. deno's npm cache
 *   drops the binary's exec bit, so `deno run npm:…` cannot start it. Needs OPENAI_API_KEY
 *   (or a Codex login under HOME).
 * - `gsd-pi`: disabled by default, as upstream (`massctl agent apply gsd-pi --disabled=false`).
 *
 * Sandbox (specs/runtime.md §Sandbox): mode `auto` for all; `demo` gets no network, the
 * others the host's (they call an LLM API).
 *
 * Which of agentd's environment variables reach agents: `AGENT_ENV_ALLOW` in
 * daemon/runs/spawn.ts (then the Agent's `spec.env` on top).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Agent } from "../../specs/ari.ts";
import { MASS_LOCATION, massConfigFlags, type MassLocation } from "../../runner/launch/mod.ts";

export const CLAUDE_ACP_PACKAGE = "@agentclientprotocol/claude-agent-acp@0.101.0";
export const CODEX_ACP_PACKAGE = "@zed-industries/codex-acp@0.16.0";
export const GSD_PI_ACP_PACKAGE = "gsd-pi-acp@0.1.2";

export interface BuiltinOptions {
  /** The deno binary agents run under; defaults to the one running agentd. */
  execPath?: string;
  /** Absolute path of the demo agent's entry file (from source). */
  demoAgentPath?: string;
  /** Where `mass` runs from; default the running one. */
  mass?: MassLocation;
  /** Finds an executable on PATH (tests pass their own). */
  lookPath?: (name: string) => string | undefined;
}

function lookPathEnv(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * The codex agent's command: the native binary of `@zed-industries/codex-acp`'s platform
 * package, launched directly, when `codex-acp` on PATH is its npm launcher (the launcher is
 * a Node script that forwards no signals and needs Node); else `codex-acp` as found.
 */
export function codexCommand(lookPath: (name: string) => string | undefined): string {
  const found = lookPath("codex-acp");
  if (!found) return "codex-acp";
  try {
    // <prefix>/lib/node_modules/@zed-industries/codex-acp/bin/codex-acp.js
    const launcher = Deno.realPathSync(found);
    const scope = dirname(dirname(dirname(launcher)));
    const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
    const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
    const native = join(scope, `codex-acp-${os}-${arch}`, "bin", "codex-acp");
    if (Deno.statSync(native).isFile) return native;
  } catch {
    // not an npm install: use what PATH has
  }
  return found;
}

/** Absolute path of daemon/agents/demo/demo_agent.ts in this source tree. */
export function demoAgentPath(): string {
  return fileURLToPath(new URL("./demo/demo_agent.ts", import.meta.url));
}

/**
 * `deno` arguments that start the demo agent: its source file, or `mass demo-agent` when
 * mass runs as a bundle (which carries the agent but has no source tree beside it).
 */
export function demoAgentArgs(opts: BuiltinOptions = {}): string[] {
  const mass = opts.mass ?? MASS_LOCATION;
  return mass.kind === "bundled"
    ? ["run", "-A", ...massConfigFlags(mass), mass.entry, "demo-agent"]
    : ["run", "-A", opts.demoAgentPath ?? demoAgentPath()];
}

const agent = (name: string, spec: Agent["spec"]): Agent => ({
  kind: "Agent",
  metadata: { name },
  spec,
});

/** The built-in definitions (without timestamps). */
export function builtinAgents(opts: BuiltinOptions = {}): Agent[] {
  const deno = opts.execPath ?? Deno.execPath();
  return [
    // The demo agent is offline: no network at all.
    agent("demo", {
      command: deno,
      args: demoAgentArgs(opts),
      sandbox: { network: "none" },
    }),
    // The others talk to an LLM API.
    agent("claude", {
      command: deno,
      args: ["run", "-A", `npm:${CLAUDE_ACP_PACKAGE}`],
      sandbox: { network: "host" },
    }),
    agent("codex", {
      command: codexCommand(opts.lookPath ?? lookPathEnv),
      sandbox: { network: "host" },
    }),
    agent("gsd-pi", {
      command: deno,
      args: ["run", "-A", `npm:${GSD_PI_ACP_PACKAGE}`],
      disabled: true,
      sandbox: { network: "host" },
    }),
  ];
}

/** Creates each built-in agent whose name is absent; returns the names it created. */
export async function seedBuiltinAgents(
  store: { createAgentIfAbsent(agent: Agent): Promise<boolean> },
  agents: readonly Agent[] = builtinAgents(),
): Promise<string[]> {
  const created: string[] = [];
  for (const a of agents) {
    if (await store.createAgentIfAbsent(a)) created.push(a.metadata.name);
  }
  return created;
}
