/**
 * Shared setup for the sandbox tests: a real agentd (in this process) whose runs use the
 * scriptable test agent, and a way to run one `sh` line inside a run and read its answer.
 */
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import { eventText } from "../../specs/events.ts";
import { detectBwrap } from "../../runner/launch/sandbox/detect_bwrap.ts";
import { ariRun, turnEvents, waitPhase } from "../daemon/runs_helpers.ts";

/** Why bwrap cannot be tested here, or undefined when it can. */
export async function bwrapMissing(): Promise<string | undefined> {
  const d = await detectBwrap();
  if (d.ok) return undefined;
  console.warn(`skipping sandbox tests: ${d.reason}`);
  return d.reason;
}

/** Sends `prompt` to the run and returns what the agent said during that turn. */
export async function ask(c: AriClient, key: RunKey, prompt: string): Promise<string> {
  const acc = await c.agentrunPrompt({ ...key, prompt: [{ type: "text", text: prompt }] });
  const said = (await turnEvents(c, key, acc.fromSeq))
    .filter((e) => e.type === "agent_message")
    .map(eventText)
    .join("");
  await waitPhase(ariRun(c, key), key, "idle");
  return said;
}

/** Runs `script` with /bin/sh inside the run's agent; its `sh:<code>:<output>` answer. */
export async function sh(c: AriClient, key: RunKey, script: string): Promise<string> {
  return await ask(c, key, `sh ${script}`);
}

/** A shell line that prints LEAK when `attempt` succeeds and denied otherwise. */
export function attempt(attempt: string): string {
  return `if ${attempt} >/dev/null 2>&1; then echo LEAK; else echo denied; fi`;
}

/**
 * A `deno eval` line (deno is in the view of a deno-launched agent) that first proves Unix
 * sockets work in the view (a listener of its own), then tries to connect to `path`: prints
 * `control-ok` and then `LEAK` or `denied`.
 */
export function dialScript(path: string): string {
  const code = [
    `const l = Deno.listen({ transport: "unix", path: "ctl-" + Deno.pid + ".sock" });`,
    `(await Deno.connect({ transport: "unix", path: l.addr.path })).close();`,
    `console.log("control-ok");`,
    `try { (await Deno.connect({ transport: "unix", path: ${JSON.stringify(path)} })).close();`,
    `console.log("LEAK"); } catch { console.log("denied"); }`,
    `l.close();`,
  ].join(" ");
  return `${JSON.stringify(Deno.execPath())} eval '${code}'`;
}

/** A `deno eval` line that connects to TCP 127.0.0.1:`port`: prints `tcp-ok` or `tcp-denied`. */
export function tcpScript(port: number): string {
  const code = `try { (await Deno.connect({ hostname: "127.0.0.1", port: ${port} })).close(); ` +
    `console.log("tcp-ok"); } catch { console.log("tcp-denied"); }`;
  return `${JSON.stringify(Deno.execPath())} eval '${code}'`;
}
