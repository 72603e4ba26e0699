/**
 * ACP `terminal/*`: commands the agent asks the client to run, in the workspace, with an
 * explicit environment and a bounded output buffer. Offered only when
 * config.runtime.terminal is set.
 */
import type { AgentWrap } from "../acp/agent_sandbox.ts";
import { ErrorCode, RpcError } from "../../specs/errors.ts";
import { resolveForRead } from "../fs/fs_service.ts";
import {
  signalGroup,
  signalGroupSync,
  stopProcessGroup,
  waitFor,
} from "../launch/process_group.ts";

export const DEFAULT_OUTPUT_BYTE_LIMIT = 1024 * 1024;
const MAX_TERMINALS = 64;

export interface CreateTerminalParams {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  cwd?: string | null;
  outputByteLimit?: number | null;
}

export interface TerminalExit {
  exitCode: number | null;
  signal: string | null;
}

/** Keeps the last `limit` bytes of output, cut on a UTF-8 character boundary. */
export class OutputBuffer {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  truncated = false;

  constructor(readonly limit: number) {}

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk.slice());
    this.#bytes += chunk.length;
    while (this.#bytes > this.limit && this.#chunks.length > 0) {
      this.truncated = true;
      const over = this.#bytes - this.limit;
      const first = this.#chunks[0];
      if (first.length <= over) {
        this.#chunks.shift();
        this.#bytes -= first.length;
      } else {
        let cut = over;
        // Skip continuation bytes so the kept text starts on a character.
        while (cut < first.length && (first[cut] & 0xc0) === 0x80) cut++;
        this.#chunks[0] = first.subarray(cut);
        this.#bytes -= cut;
      }
    }
  }

  text(): string {
    const all = new Uint8Array(this.#bytes);
    let off = 0;
    for (const c of this.#chunks) {
      all.set(c, off);
      off += c.length;
    }
    return new TextDecoder().decode(all);
  }
}

interface Terminal {
  child: Deno.ChildProcess;
  output: OutputBuffer;
  exit?: TerminalExit;
  exited: Promise<TerminalExit>;
  pumps: Pump[];
}

/** How long output may trail the command's exit: a background child can hold the pipes. */
const OUTPUT_GRACE_MS = 500;

/** Copies one output stream into the buffer until it ends or is cancelled. */
interface Pump {
  done: Promise<void>;
  cancel(): void;
}

function pump(stream: ReadableStream<Uint8Array>, output: OutputBuffer): Pump {
  const reader = stream.getReader();
  const done = (async () => {
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        output.push(value);
      }
    } catch {
      // cancelled, or the pipe broke
    } finally {
      reader.releaseLock();
    }
  })();
  return { done, cancel: () => void reader.cancel().catch(() => {}) };
}

/** Waits (bounded) for the output to end, then stops reading whatever is still open. */
async function drain(t: Terminal, ms: number): Promise<void> {
  const all = Promise.all(t.pumps.map((p) => p.done));
  if ((await waitFor(all.then(() => true), ms)) === undefined) {
    for (const p of t.pumps) p.cancel();
    await all;
  }
}

function notFound(id: string): RpcError {
  return new RpcError(-32002, `unknown terminal ${JSON.stringify(id)}`);
}

/** Runs terminals for one workspace; `env` is the base environment (the agent's). */
export class TerminalService {
  readonly #terminals = new Map<string, Terminal>();

  /** `wrap` puts each command into the agent's sandbox view (identity when unconfined). */
  constructor(
    readonly workspace: string,
    readonly env: Record<string, string>,
    readonly wrap: AgentWrap = (command, args, env) => ({ command, args: [...args], env }),
  ) {}

  async create(params: CreateTerminalParams): Promise<{ terminalId: string }> {
    if (typeof params.command !== "string" || params.command === "") {
      throw new RpcError(ErrorCode.InvalidParams, "command is required");
    }
    if (this.#terminals.size >= MAX_TERMINALS) {
      throw new RpcError(ErrorCode.Conflict, `too many terminals (max ${MAX_TERMINALS})`);
    }
    const cwd = await resolveForRead(this.workspace, params.cwd ?? this.workspace);
    const env = { ...this.env };
    for (const e of params.env ?? []) env[e.name] = e.value;
    const limit = params.outputByteLimit != null && params.outputByteLimit >= 0
      ? params.outputByteLimit
      : DEFAULT_OUTPUT_BYTE_LIMIT;
    let child: Deno.ChildProcess;
    try {
      const run = this.wrap(params.command, params.args ?? [], env, cwd);
      child = new Deno.Command(run.command, {
        args: run.args,
        cwd,
        env: run.env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
    } catch (err) {
      throw new RpcError(ErrorCode.Internal, `cannot run ${params.command}: ${err}`);
    }
    const output = new OutputBuffer(limit);
    const pumps = [pump(child.stdout, output), pump(child.stderr, output)];
    const id = `term-${crypto.randomUUID()}`;
    const term: Terminal = {
      child,
      output,
      pumps,
      exited: child.status.then(async (s) => {
        // The output a command wrote before it exited is all in the pipes by now; what
        // trails after the grace comes from children it left behind.
        await waitFor(Promise.all(pumps.map((p) => p.done)), OUTPUT_GRACE_MS);
        term.exit = { exitCode: s.signal ? null : s.code, signal: s.signal ?? null };
        return term.exit;
      }),
    };
    this.#terminals.set(id, term);
    return { terminalId: id };
  }

  #get(id: string): Terminal {
    const t = this.#terminals.get(id);
    if (!t) throw notFound(id);
    return t;
  }

  output(id: string): { output: string; truncated: boolean; exitStatus?: TerminalExit } {
    const t = this.#get(id);
    const res: { output: string; truncated: boolean; exitStatus?: TerminalExit } = {
      output: t.output.text(),
      truncated: t.output.truncated,
    };
    if (t.exit) res.exitStatus = t.exit;
    return res;
  }

  async waitForExit(id: string): Promise<TerminalExit> {
    return await this.#get(id).exited;
  }

  /** SIGKILLs the terminal's process group: the command and whatever it started. */
  async kill(id: string): Promise<Record<string, never>> {
    await signalGroup(this.#get(id).child.pid, "SIGKILL");
    return {};
  }

  /** Kills the group (children the command left behind too) and forgets the terminal. */
  async release(id: string): Promise<Record<string, never>> {
    const t = this.#get(id);
    this.#terminals.delete(id);
    await signalGroup(t.child.pid, "SIGKILL");
    await t.exited.catch(() => {});
    await drain(t, OUTPUT_GRACE_MS);
    return {};
  }

  /** Stops every terminal (agent-run shutdown): SIGTERM, then SIGKILL, each group. */
  async closeAll(): Promise<void> {
    const all = [...this.#terminals.values()];
    this.#terminals.clear();
    await Promise.all(all.map(async (t) => {
      // stopProcessGroup sends the group a last SIGKILL even when the command has exited.
      await stopProcessGroup(t.child, { termMs: 500, killMs: 1_000 });
      await t.exited.catch(() => {});
      await drain(t, OUTPUT_GRACE_MS);
    }));
  }

  /** SIGKILLs every terminal's group at once, for exit paths that cannot await. */
  killAllSync(): void {
    for (const t of this.#terminals.values()) signalGroupSync(t.child.pid, "SIGKILL");
  }
}
