/**
 * `compose run`: one agent with a directory (normally the cwd) as a local workspace.
 */
import type { AgentRun } from "../../specs/ari.ts";
import type { AgentRunInput, AriClient } from "../client/ari_client.ts";
import { waitWorkspaceReady } from "../client/wait.ts";
import {
  type ComposeIO,
  getOrUndefined,
  socketInfo,
  sourceMismatch,
  waitIdle,
  withSpinner,
} from "./compose.ts";
import { CliError } from "./errors.ts";

export interface ComposeRunOptions {
  workspace: string;
  agent: string;
  name?: string;
  systemPrompt?: string;
  workflowFile?: string;
  permissions?: AgentRunInput["spec"]["permissions"];
  restartPolicy?: AgentRunInput["spec"]["restartPolicy"];
  /** Directory used as a local workspace (normally the cwd). */
  dir: string;
  wait: boolean;
  /** Use an existing workspace even when it points somewhere else than `dir`. */
  reuse?: boolean;
}

/**
 * Uses (or creates) a local workspace for `dir` and starts one agent in it. Everything that
 * can refuse is checked before anything is created: the agent, the run name, and an existing
 * workspace pointing at another directory (unless `reuse`).
 */
export async function composeRun(
  client: AriClient,
  opts: ComposeRunOptions,
  io: ComposeIO,
): Promise<AgentRun> {
  const ws = opts.workspace;
  const key = { workspace: ws, name: opts.name || opts.agent };
  if (!await getOrUndefined(() => client.agentGet(opts.agent))) {
    throw new CliError(`agent ${opts.agent} not found (list them: massctl agent get)`);
  }
  const existing = await getOrUndefined(() => client.workspaceGet(ws));
  if (existing) {
    // The daemon stores a local workspace by its real path.
    const dir = await Deno.realPath(opts.dir).catch(() => opts.dir);
    const problem = sourceMismatch(existing.spec.source, { type: "local", path: dir });
    if (problem && !opts.reuse) {
      throw new CliError(
        `workspace "${ws}" already exists with ${problem}, not ${opts.dir}: run from there, ` +
          `pick another -w, or pass --reuse to run in it anyway`,
      );
    }
    if (await getOrUndefined(() => client.agentrunGet(key))) {
      throw new CliError(
        `agent run ${ws}/${key.name} already exists: pick another --name, or use it ` +
          `(massctl agentrun prompt ${key.name} -w ${ws} --text …)`,
      );
    }
  } else {
    await client.workspaceCreate({
      metadata: { name: ws },
      spec: { source: { type: "local", path: opts.dir } },
    });
    io.line(`Workspace "${ws}" created (local: ${opts.dir})`);
  }
  if (existing?.status?.phase !== "ready") {
    await withSpinner(io, `workspace "${ws}": preparing`, (sp) =>
      waitWorkspaceReady(client, ws, {
        timeoutMs: io.waitTimeoutMs,
        onPhase: (p) => sp.update(`workspace "${ws}": ${p}`),
      }));
  }
  const created = await client.agentrunCreate({
    metadata: { name: key.name, workspace: ws },
    spec: {
      agent: opts.agent,
      systemPrompt: opts.systemPrompt,
      workflowFile: opts.workflowFile,
      permissions: opts.permissions,
      restartPolicy: opts.restartPolicy,
    },
  });
  io.line(
    `Agent run "${ws}"/"${key.name}" created (state: ${created.status?.phase ?? "creating"})`,
  );
  if (!opts.wait) return created;
  const run = await waitIdle(client, key, io);
  io.line();
  io.line("Agent is ready. Socket info:");
  for (const l of socketInfo([run])) io.line(l);
  return run;
}
