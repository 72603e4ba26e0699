/**
 * What every massctl command shares: its I/O, environment, the resolved ARI socket and a
 * lazily opened client. Everything comes in through `CliDeps`, so tests can run the CLI
 * in-process with captured output.
 */
import { join } from "node:path";
import { AriClient } from "../client/ari_client.ts";
import { CliError, DaemonUnreachableError, isConnectRefused } from "./errors.ts";
import { type Spinner, startSpinner } from "./spinner.ts";

export interface CliIO {
  /** Writes to stdout (synchronously, so output order is kept). */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
  stdinIsTerminal: boolean;
  stdoutIsTerminal: boolean;
  stderrIsTerminal: boolean;
}

export interface CliDeps {
  io: CliIO;
  env(key: string): string | undefined;
  cwd(): string;
  now(): Date;
  /** Asks a yes/no question on the terminal. */
  confirm(message: string): Promise<boolean>;
}

/** `--socket` unset: `$MASS_SOCKET`, else `$MASS_ROOT/mass.sock`, else `$HOME/.mass/mass.sock`. */
export function defaultSocketPath(env: (key: string) => string | undefined): string {
  const explicit = env("MASS_SOCKET");
  if (explicit) return explicit;
  const root = env("MASS_ROOT");
  if (root) return join(root, "mass.sock");
  const home = env("HOME");
  if (home) return join(home, ".mass", "mass.sock");
  return join(env("TMPDIR") ?? "/tmp", ".mass", "mass.sock");
}

/**
 * What every massctl command shares: deps, the resolved socket path, a lazily opened ARI client,
 * output helpers and the exit code.
 */
export class App {
  readonly deps: CliDeps;
  readonly #socketOption: () => string | undefined;
  #client?: Promise<AriClient>;
  /** Set by commands that want a non-zero exit without an error message. */
  exitCode = 0;

  constructor(deps: CliDeps, socketOption: () => string | undefined) {
    this.deps = deps;
    this.#socketOption = socketOption;
  }

  /** `--socket` as given on the command line, if it was. */
  get socketOption(): string | undefined {
    return this.#socketOption();
  }

  get socketPath(): string {
    return this.#socketOption() || defaultSocketPath(this.deps.env);
  }

  /** The ARI client, connected on first use; an absent daemon becomes a clear error. */
  client(): Promise<AriClient> {
    if (!this.#client) {
      const path = this.socketPath;
      this.#client = AriClient.connect(path).catch((err) => {
        this.#client = undefined;
        if (isConnectRefused(err)) throw new DaemonUnreachableError(path);
        throw new CliError(`cannot connect to mass daemon at ${path}: ${describe(err)}`);
      });
    }
    return this.#client;
  }

  async close(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    if (!pending) return;
    try {
      (await pending).close();
    } catch {
      // never connected
    }
  }

  out(text: string): void {
    this.deps.io.out(text);
  }

  /** Prints a line to stdout. */
  line(text = ""): void {
    this.deps.io.out(text + "\n");
  }

  err(text: string): void {
    this.deps.io.err(text);
  }

  spinner(text: string): Spinner {
    return startSpinner(text, {
      write: (s) => this.deps.io.err(s),
      isTerminal: this.deps.io.stderrIsTerminal,
    });
  }

  /**
   * Gate for destructive operations: `--yes` passes; a terminal is asked. Without a terminal
   * the flag that asked for it (`--force`) is the confirmation, as in the original massctl,
   * so scripts written for it run unchanged.
   */
  async confirmDestructive(question: string, yes: boolean | undefined): Promise<void> {
    if (yes) return;
    if (!this.deps.io.stdinIsTerminal || !this.deps.io.stderrIsTerminal) return;
    const ok = await this.deps.confirm(`${capitalize(question)}?`);
    if (!ok) throw new CliError("aborted");
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
