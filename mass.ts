/**
 * `mass`: the daemon (`mass server`, `mass daemon …`), the agent-run (`mass run`) and
 * `mass version`. Each subcommand lives in its own module; this file only assembles them.
 *
 * Subcommand modules are loaded on demand: `mass run` runs under narrow Deno permissions
 * and must not load the daemon's dependencies (some read the environment when imported),
 * and loading less also makes it start faster.
 */
import { Command } from "@commander-js/extra-typings";
import { MASS_VERSION } from "./specs/runtime.ts";

// deno-lint-ignore no-explicit-any
type AnyCommand = Command<any, any, any>;

export function versionCommand(): AnyCommand {
  return new Command("version")
    .description("print the mass version")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { readVersionInfo } = await import("./daemon/version.ts");
      const info = await readVersionInfo((name) => {
        try {
          return Deno.env.get(name);
        } catch {
          return undefined;
        }
      });
      console.log(
        opts.json
          ? JSON.stringify(info)
          : `mass ${info.version} (${info.gitCommit}, ${info.goVersion})`,
      );
    });
}

/**
 * `mass demo-agent`: the built-in demo agent on stdio. agentd runs it this way when mass
 * runs as a bundle (dist/mass.js), which has no daemon/agents/demo/demo_agent.ts beside it.
 */
export function demoAgentCommand(): AnyCommand {
  return new Command("demo-agent")
    .description("run the built-in demo ACP agent on stdio")
    .action(async () => {
      const { createDemoAgent, serveStdio } = await import("./daemon/agents/demo/demo_agent.ts");
      await serveStdio(createDemoAgent());
      Deno.exit(0);
    });
}

/** Subcommand name → factory (loading its module only when used). */
export const SUBCOMMANDS: Record<string, () => Promise<AnyCommand>> = {
  server: async () => (await import("./daemon/cli.ts")).serverCommand(),
  daemon: async () => {
    // `mass daemon status|restart` ask the daemon through the typed ARI client.
    const [{ daemonCommand }, { AriClient }] = await Promise.all([
      import("./daemon/cli.ts"),
      import("./ctl/client/ari_client.ts"),
    ]);
    return daemonCommand({ connect: (socketPath, opts) => AriClient.connect(socketPath, opts) });
  },
  run: async () => (await import("./runner/cli.ts")).runCommand(),
  "mesh-mcp": async () => (await import("./runner/mesh/mesh_cli.ts")).meshMcpCommand(),
  "demo-agent": () => Promise.resolve(demoAgentCommand()),
  version: () => Promise.resolve(versionCommand()),
};

/** Subcommands left out of `mass --help` (started by agentd, not by people). */
const HIDDEN = new Set(["demo-agent"]);

/** The `mass` program with the subcommand named in `args` (or all of them, for help). */
export async function massProgram(args: string[] = Deno.args): Promise<AnyCommand> {
  const program = new Command("mass")
    .description("supervisor for ACP coding agents")
    .version(MASS_VERSION, "-V, --version");
  const name = args.find((a) => !a.startsWith("-"));
  const wanted = name && name in SUBCOMMANDS ? [name] : Object.keys(SUBCOMMANDS);
  for (const n of wanted) program.addCommand(await SUBCOMMANDS[n](), { hidden: HIDDEN.has(n) });
  return program;
}

if (import.meta.main) {
  await (await massProgram()).parseAsync(Deno.args, { from: "user" });
}
