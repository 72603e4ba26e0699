/**
 * A connection to agentd that survives agentd restarts: it dials lazily, notices when the
 * socket drops, and dials again on the next call (the original mesh dialled once and was
 * useless after agentd restarted).
 *
 * A call is retried on a fresh connection only when that cannot duplicate its effect: when
 * the request never left (the connection was already closed), or when the caller says the
 * call is read-only.
 */
import { AriClient } from "../../ctl/client/ari_client.ts";
import { errorMessage, InternalError } from "../../specs/errors.ts";
import { delay } from "../../specs/lib/delay.ts";
import { PeerClosedError } from "../../specs/wire/peer.ts";
import type { Logger } from "../../specs/lib/logger.ts";
import { silentLogger } from "../../specs/lib/silent_logger.ts";

/** What the mesh needs from a connection (AriClient has it). */
export interface AriConnection {
  readonly closed: Promise<void>;
  close(): void;
}

export interface AriLinkOptions<C extends AriConnection = AriClient> {
  socketPath: string;
  /** Dials agentd (default: AriClient.connect). */
  dial?: (socketPath: string) => Promise<C>;
  /** Keep redialling this long while agentd is (re)starting (default 5 s). */
  dialRetryMs?: number;
  logger?: Logger;
}

export interface CallOptions {
  /** Safe to send twice: retried once on a fresh connection when the answer was lost. */
  readOnly?: boolean;
}

/** agentd could not be reached, or went away before it answered. */
export class AgentdUnavailableError extends InternalError {
  constructor(message: string) {
    super(message);
    this.name = "AgentdUnavailableError";
  }
}

/**
 * A connection to agentd that dials again after agentd restarts, retrying only calls that
 * cannot be duplicated (see the module comment).
 */
export class AriLink<C extends AriConnection = AriClient> {
  readonly #socketPath: string;
  readonly #dial: (socketPath: string) => Promise<C>;
  readonly #dialRetryMs: number;
  readonly #log: Logger;
  #current?: C;
  #dialing?: Promise<C>;
  readonly #lost = new WeakSet<C>();
  #closed = false;
  /** Connections opened so far (the first one included). */
  dials = 0;

  constructor(opts: AriLinkOptions<C>) {
    this.#socketPath = opts.socketPath;
    this.#dial = opts.dial ??
      ((p) => AriClient.connect(p, { requestTimeoutMs: 60_000 }) as unknown as Promise<C>);
    this.#dialRetryMs = opts.dialRetryMs ?? 5_000;
    this.#log = opts.logger ?? silentLogger;
  }

  /** Runs `fn` on a live connection (dialling one if needed). */
  async call<T>(fn: (conn: C) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const conn = await this.#connection();
    try {
      return await fn(conn);
    } catch (err) {
      if (!this.#isLost(conn, err)) throw err;
      this.#drop(conn);
      const unsent = err instanceof PeerClosedError;
      if (!unsent && !opts.readOnly) {
        throw new AgentdUnavailableError(
          `connection to agentd lost before it answered (${errorMessage(err)})`,
        );
      }
      this.#log.info("agentd connection lost; redialling", { error: errorMessage(err) });
      return await fn(await this.#connection());
    }
  }

  /** Closes the connection; later calls fail. */
  close(): void {
    this.#closed = true;
    const c = this.#current;
    this.#current = undefined;
    c?.close();
  }

  #connection(): Promise<C> {
    if (this.#closed) return Promise.reject(new AgentdUnavailableError("mesh is shutting down"));
    const c = this.#current;
    if (c && !this.#lost.has(c)) return Promise.resolve(c);
    this.#dialing ??= this.#dialWithRetry().finally(() => (this.#dialing = undefined));
    return this.#dialing;
  }

  async #dialWithRetry(): Promise<C> {
    const deadline = Date.now() + this.#dialRetryMs;
    let wait = 50;
    for (;;) {
      try {
        const conn = await this.#dial(this.#socketPath);
        if (this.#closed) {
          conn.close();
          throw new AgentdUnavailableError("mesh is shutting down");
        }
        this.dials++;
        this.#current = conn;
        conn.closed.then(() => this.#lost.add(conn));
        this.#log.debug("connected to agentd", { socket: this.#socketPath, dials: this.dials });
        return conn;
      } catch (err) {
        if (err instanceof AgentdUnavailableError) throw err;
        if (this.#closed) throw new AgentdUnavailableError("mesh is shutting down");
        if (Date.now() + wait > deadline) {
          throw new AgentdUnavailableError(
            `cannot reach agentd at ${this.#socketPath}: ${errorMessage(err)}`,
          );
        }
        this.#log.debug("agentd not reachable yet", { error: errorMessage(err) });
        await delay(wait);
        wait = Math.min(wait * 2, 1_000);
      }
    }
  }

  #isLost(conn: C, err: unknown): boolean {
    if (err instanceof PeerClosedError || this.#lost.has(conn)) return true;
    // json-rpc-2.0 fails pending requests with code 0 when the peer closes under them.
    const code = (err as { code?: unknown } | null)?.code;
    return code === 0 ||
      err instanceof Deno.errors.BrokenPipe ||
      err instanceof Deno.errors.ConnectionReset ||
      err instanceof Deno.errors.NotConnected;
  }

  #drop(conn: C): void {
    this.#lost.add(conn);
    if (this.#current === conn) this.#current = undefined;
    conn.close();
  }
}
