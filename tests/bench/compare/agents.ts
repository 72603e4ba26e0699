/**
 * The two agents every scenario runs on, and the prompts used for them: the scriptable test
 * agent (answers at once) and the built-in demo agent (a ~0.3 s scripted turn).
 */
import { fileURLToPath } from "node:url";

export interface AgentCommand {
  /** Name of the mass Agent definition (the demo one is built in). */
  name: "test" | "demo";
  cmd: string;
  args: string[];
  /** A short prompt and its expected answer's first words. */
  prompt: string;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const TEST_AGENT_PATH = here("../../agents/test_agent.ts");

/** The scriptable test agent, as `deno run -A tests/agents/test_agent.ts`. */
export function testAgent(): AgentCommand {
  return {
    name: "test",
    cmd: Deno.execPath(),
    args: ["run", "-A", TEST_AGENT_PATH],
    prompt: "say hello",
  };
}

/**
 * The demo agent, launched exactly as mass's built-in `demo` definition launches it (read
 * from a running agentd, so a move of the demo agent's file cannot desynchronise them).
 */
export function demoAgent(spec: { command: string; args?: string[] }): AgentCommand {
  return { name: "demo", cmd: spec.command, args: spec.args ?? [], prompt: "hello" };
}

/** The agent as one shell-quoted command line (for acpx --agent). */
export function commandLine(a: AgentCommand): string {
  return [a.cmd, ...a.args].map((w) => /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w}'`).join(" ");
}
