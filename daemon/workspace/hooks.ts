/**
 * Workspace setup/teardown hooks: run one after another in the workspace directory, with the
 * host environment, each bounded by what is left of an overall deadline.
 *
 * ```ts
 * const res = await runHooks(spec.hooks?.setup ?? [], { cwd: path, deadline: Date.now() + 60_000 });
 * if (!res.ok) throw new WorkspacePrepareError(res.message!, res.output);
 * ```
 *
 * - A hook is `{command, args?}` run directly (no shell); `command` is looked up on PATH.
 * - stdout and stderr are captured together, in arrival order, keeping the last
 *   `outputLimit` bytes (default 4 KiB).
 * - Each hook runs in its own process group; on timeout or abort the whole group is killed
 *   (SIGKILL), so `sh -c "sleep 1000 &"` style children do not outlive it.
 * - The first failing hook stops the sequence.
 */

export interface Hook {
  command: string;
  args?: string[];
  description?: string;
}

export interface HookOptions {
  cwd: string;
  /** Bound on this hook in ms. */
  timeoutMs: number;
  /** Kills the hook when aborted. */
  signal?: AbortSignal;
  /** Bytes of combined output kept (the tail). Default {@link DEFAULT_OUTPUT_LIMIT}. */
  outputLimit?: number;
  /** Extra variables on top of the host environment. */
  env?: Record<string, string>;
  /** Word used in messages, e.g. "setup" or "teardown". */
  label?: string;
}

export interface HookResult {
  hook: Hook;
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Combined stdout+stderr, truncated to the limit (a marker line says how much was cut). */
  output: string;
  /** One-line failure description; absent when ok. */
  error?: string;
}

export interface HooksOptions extends Omit<HookOptions, "timeoutMs"> {
  /** Absolute deadline (ms since epoch) for the whole sequence. */
  deadline: number;
}

export interface HooksResult {
  ok: boolean;
  results: HookResult[];
  /** Output of the failed hook, or of all hooks when ok; truncated to the limit. */
  output: string;
  /** The failed hook's error. */
  message?: string;
}

export const DEFAULT_OUTPUT_LIMIT = 4096;
/** How long to keep reading pipes after the hook exited (a background child may hold them). */
const PIPE_GRACE_MS = 200;

/** Runs `hooks` in order until one fails or the deadline passes. */
export async function runHooks(hooks: readonly Hook[], opts: HooksOptions): Promise<HooksResult> {
  const limit = opts.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
  const results: HookResult[] = [];
  const all = new OutputTail(limit);
  for (const [i, hook] of hooks.entries()) {
    const remaining = opts.deadline - Date.now();
    const label = `${opts.label ?? "hook"} ${i + 1}/${hooks.length} (${describe(hook)})`;
    if (remaining <= 0) {
      const error = `${label} not started: timeout reached`;
      results.push({
        hook,
        ok: false,
        exitCode: null,
        signal: null,
        timedOut: true,
        output: "",
        error,
      });
      return { ok: false, results, output: "", message: error };
    }
    const res = await runHook(hook, { ...opts, label, timeoutMs: remaining });
    results.push(res);
    if (!res.ok) return { ok: false, results, output: res.output, message: res.error };
    all.push(new TextEncoder().encode(res.output));
  }
  return { ok: true, results, output: all.text() };
}

/** Runs one hook to completion, timeout or abort. Never throws for hook failures. */
export async function runHook(hook: Hook, opts: HookOptions): Promise<HookResult> {
  const label = opts.label ?? `hook (${describe(hook)})`;
  const out = new OutputTail(opts.outputLimit ?? DEFAULT_OUTPUT_LIMIT);
  const fail = (error: string): HookResult => ({
    hook,
    ok: false,
    exitCode: null,
    signal: null,
    timedOut: false,
    output: out.text(),
    error,
  });
  if (typeof hook?.command !== "string" || hook.command === "" || hook.command.includes("\0")) {
    return fail(`${label}: invalid command`);
  }
  if (opts.signal?.aborted) return fail(`${label}: aborted`);

  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(hook.command, {
      args: hook.args ?? [],
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // Own process group, so a timeout can kill everything the hook started.
      detached: true,
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return fail(`${label}: command not found (or cwd ${opts.cwd} missing)`);
    }
    if (err instanceof Deno.errors.PermissionDenied) return fail(`${label}: permission denied`);
    return fail(`${label}: ${err instanceof Error ? err.message : String(err)}`);
  }

  const pumps = [pump(child.stdout, out), pump(child.stderr, out)];
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, Math.max(0, opts.timeoutMs));
  const onAbort = () => {
    aborted = true;
    killGroup(child.pid);
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let status: Deno.CommandStatus;
  try {
    status = await child.status;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
  await drain(pumps);

  const base = {
    hook,
    exitCode: status.signal ? null : status.code,
    signal: status.signal ?? null,
    timedOut,
    output: out.text(),
  };
  if (timedOut) {
    return { ...base, ok: false, error: `${label} timed out after ${seconds(opts.timeoutMs)}` };
  }
  if (aborted) return { ...base, ok: false, error: `${label}: aborted` };
  if (status.success) return { ...base, ok: true };
  const how = status.signal ? `killed by ${status.signal}` : `exited with code ${status.code}`;
  return { ...base, ok: false, error: `${label} failed: ${how}` };
}

/** Keeps the last `limit` bytes written to it. */
export class OutputTail {
  readonly #limit: number;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #dropped = 0;

  constructor(limit: number) {
    this.#limit = Math.max(0, limit);
  }

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.#limit && this.#chunks.length > 0) {
      const excess = this.#size - this.#limit;
      const head = this.#chunks[0];
      if (head.length <= excess) {
        this.#chunks.shift();
        this.#size -= head.length;
        this.#dropped += head.length;
      } else {
        this.#chunks[0] = head.subarray(excess);
        this.#size -= excess;
        this.#dropped += excess;
      }
    }
  }

  text(): string {
    const buf = new Uint8Array(this.#size);
    let off = 0;
    for (const c of this.#chunks) {
      buf.set(c, off);
      off += c.length;
    }
    const body = new TextDecoder().decode(buf);
    return this.#dropped > 0 ? `[… ${this.#dropped} bytes truncated]\n${body}` : body;
  }
}

/** A hook's label in messages: its description, else its command line cut to 80 characters. */
export function describe(hook: Hook): string {
  return hook.description ?? [hook.command, ...(hook.args ?? [])].join(" ").slice(0, 80);
}

interface Pump {
  done: Promise<void>;
  cancel(): Promise<void>;
}

function pump(stream: ReadableStream<Uint8Array>, out: OutputTail): Pump {
  const reader = stream.getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        out.push(value);
      }
    } catch {
      // cancelled
    }
  })();
  return { done, cancel: () => reader.cancel().catch(() => {}) };
}

/** Waits for both pipes to close, but no longer than the grace period after exit. */
async function drain(pumps: Pump[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), PIPE_GRACE_MS);
  });
  const res = await Promise.race([Promise.all(pumps.map((p) => p.done)), grace]);
  clearTimeout(timer);
  if (res === "late") {
    await Promise.all(pumps.map((p) => p.cancel()));
    await Promise.all(pumps.map((p) => p.done));
  }
}

function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}
