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
 * Which of agentd's environment variables reach agents: the basics of `AGENT_ENV_ALLOW` in
 * daemon/runs/spawn.ts (no credentials), then the Agent's `spec.env`. Each built-in names
 * its own provider's variables there (`fromHost: true`) plus the host's CA and proxy
 * settings; no agent gets another provider's key.
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

/**
 * Host settings an agent that reaches the network needs: custom certificate authorities
 * (corporate proxies; without them the agent fails TLS while agentd works) and proxies.
 */
export const HOST_NETWORK_ENV: readonly string[] = [
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "NPM_CONFIG_CAFILE",
  "NPM_CONFIG_REGISTRY",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
];

/** Each built-in's own credentials and endpoints, passed from agentd's environment. */
export const BUILTIN_KEYS: Readonly<Record<string, readonly string[]>> = {
  claude: ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "CLAUDE_CODE_OAUTH_TOKEN", "IS_SANDBOX"],
  codex: ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_API_KEY", "CODEX_HOME"],
  "gsd-pi": ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY"],
};

/** `spec.env` of a built-in: its keys and the network settings, by name from the host. */
function fromHost(name: string): NonNullable<Agent["spec"]["env"]> {
  return [...(BUILTIN_KEYS[name] ?? []), ...HOST_NETWORK_ENV].map((n) => ({
    name: n,
    fromHost: true as const,
  }));
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
      env: fromHost("claude"),
      sandbox: { network: "host" },
    }),
    agent("codex", {
      command: codexCommand(opts.lookPath ?? lookPathEnv),
      env: fromHost("codex"),
      sandbox: { network: "host" },
    }),
    agent("gsd-pi", {
      command: deno,
      args: ["run", "-A", `npm:${GSD_PI_ACP_PACKAGE}`],
      env: fromHost("gsd-pi"),
      disabled: true,
      sandbox: { network: "host" },
    }),
  ];
}

/** What seeding needs of the store; `updateAgent` lets it name the keys of old built-ins. */
export interface BuiltinStore {
  createAgentIfAbsent(agent: Agent): Promise<boolean>;
  getAgent?(name: string): Promise<Agent | undefined>;
  updateAgent?(name: string, mutate: (agent: Agent) => void): Promise<Agent>;
}

/**
 * Creates each built-in agent whose name is absent; returns the names it created. A built-in
 * seeded by an older mass (same command and args, no `env` at all: agents then got every
 * provider's key from agentd) is given its `env` now, or it would lose its key; any other
 * existing definition is the user's and left alone.
 */
export async function seedBuiltinAgents(
  store: BuiltinStore,
  agents: readonly Agent[] = builtinAgents(),
): Promise<string[]> {
  const created: string[] = [];
  for (const a of agents) {
    if (await store.createAgentIfAbsent(a)) {
      created.push(a.metadata.name);
      continue;
    }
    if (!a.spec.env || !store.getAgent || !store.updateAgent) continue;
    const cur = await store.getAgent(a.metadata.name);
    if (!cur || !_unedited(cur, a)) continue;
    await store.updateAgent(a.metadata.name, (agent) => {
      if (_unedited(agent, a)) agent.spec.env = a.spec.env;
    });
  }
  return created;
}

/** An old seed of `builtin`: same command and args, and no env list at all. */
function _unedited(agent: Agent, builtin: Agent): boolean {
  return agent.spec.env === undefined &&
    agent.spec.command === builtin.spec.command &&
    JSON.stringify(agent.spec.args ?? []) === JSON.stringify(builtin.spec.args ?? []);
}
