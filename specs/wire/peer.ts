/**
 * A JSON-RPC 2.0 peer over one byte stream (a Unix socket connection, or stdio).
 *
 * Dispatch, id matching and error mapping come from `json-rpc-2.0`; this module only adds
 * the socket side: JSON stream framing (newline-delimited out) with a size cap, serialised writes, ordered delivery of
 * incoming notifications (awaited, which gives back-pressure), and timeouts on requests.
 */
import {
  createJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResponse,
  JSONRPCClient,
  type JSONRPCRequest,
  type JSONRPCResponse,
  JSONRPCServer,
  JSONRPCServerAndClient,
} from "json-rpc-2.0";
import { ErrorCode, RpcError } from "../errors.ts";
import { clip } from "../lib/clip.ts";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameTooLargeError, writeAll } from "./framing.ts";
import { type JsonFrame, JsonStreamDecoder } from "./json_stream.ts";

export type MethodHandler = (params: unknown, peer: RpcPeer) => unknown;
export type NotificationHandler = (params: unknown, peer: RpcPeer) => void | Promise<void>;

export interface ByteStream {
  /** Each chunk is consumed before the next is pulled, so a source may reuse its buffer. */
  readable: AsyncIterable<Uint8Array>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}

export interface RpcPeerOptions {
  maxFrameBytes?: number;
  /** Default timeout for outgoing requests; 0 disables (callers then pass their own). */
  requestTimeoutMs?: number;
  /** Called for protocol-level problems (bad frames); the peer keeps going where it can. */
  onProtocolError?: (message: string) => void;
  /** After the other side half-closes, how long answers to its last requests may take. */
  drainTimeoutMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 60_000;

/** Protocol errors reported one by one per connection; the rest as one count at close. */
export const PROTOCOL_ERRORS_REPORTED = 5;

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The connection closed before the request was answered. */
export class PeerClosedError extends RpcError {
  constructor(message = "connection closed") {
    super(ErrorCode.Internal, message);
    this.name = "PeerClosedError";
  }
}

/** A request got no answer within its timeout. */
export class RequestTimeoutError extends RpcError {
  constructor(method: string, ms: number) {
    super(ErrorCode.Internal, `${method}: no answer within ${ms} ms`);
    this.name = "RequestTimeoutError";
  }
}

/**
 * A JSON-RPC 2.0 peer over one byte stream: makes calls and serves them (see the module comment).
 */
export class RpcPeer {
  readonly #stream: ByteStream;
  readonly #rpc: JSONRPCServerAndClient<RpcPeer, void>;
  readonly #notifications = new Map<string, NotificationHandler>();
  readonly #opts: Required<RpcPeerOptions>;
  #writeChain: Promise<void> = Promise.resolve();
  #pendingWrites = 0;
  #pendingBytes = 0;
  // Requests read but not yet answered, and who waits for that count to reach zero.
  #inFlight = 0;
  #onIdle: (() => void) | undefined;
  #protocolErrors = 0;
  #closed = false;
  #closedResolve!: () => void;
  readonly closed: Promise<void>;
  /** Free-form per-connection state for servers (e.g. watch ids). */
  readonly context = new Map<string, unknown>();

  constructor(stream: ByteStream, opts: RpcPeerOptions = {}) {
    this.#stream = stream;
    this.#opts = {
      maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      onProtocolError: opts.onProtocolError ?? (() => {}),
      drainTimeoutMs: opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    };
    const server = new JSONRPCServer<RpcPeer>({ errorListener: () => {} });
    const client = new JSONRPCClient<void>((payload) => this.#send(payload));
    this.#rpc = new JSONRPCServerAndClient(server, client, { errorListener: () => {} });
    this.closed = new Promise((r) => (this.#closedResolve = r));
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Writes queued but not yet accepted by the socket: a slow reader shows up here. */
  get pendingWrites(): number {
    return this.#pendingWrites;
  }

  /** Bytes of the frames queued or being written (they are held in memory until written). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  addMethod(name: string, handler: MethodHandler): this {
    this.#rpc.addMethod(name, (params, peer) => handler(params, peer));
    return this;
  }

  onNotification(name: string, handler: NotificationHandler): this {
    this.#notifications.set(name, handler);
    return this;
  }

  async request<T = unknown>(
    method: string,
    params?: unknown,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.#closed) throw new PeerClosedError();
    const ms = opts.timeoutMs ?? this.#opts.requestTimeoutMs;
    if (ms <= 0) return await this.#rpc.request(method, params ?? null) as T;
    return await this.#rpc.client.timeout(
      ms,
      (id) =>
        createJSONRPCErrorResponse(
          id,
          ErrorCode.Internal,
          new RequestTimeoutError(method, ms).message,
        ),
    ).request(method, params ?? null) as T;
  }

  /** Sends a notification; resolves when the socket accepted it (back-pressure). */
  notify(method: string, params?: unknown): Promise<void> {
    const msg: Record<string, unknown> = { jsonrpc: "2.0", method };
    if (params !== undefined) msg.params = params;
    return this.#send(msg);
  }

  /** Starts reading; returns when the connection ends. */
  async serve(): Promise<void> {
    const decoder = new JsonStreamDecoder(this.#opts.maxFrameBytes);
    let ended = false;
    try {
      for await (const chunk of this.#stream.readable) {
        let frames: JsonFrame[];
        try {
          frames = decoder.push(chunk);
        } catch (err) {
          if (err instanceof FrameTooLargeError) {
            this.#protocolError(err.message);
            await this.#send(
              createJSONRPCErrorResponse(null, ErrorCode.InvalidRequest, err.message),
            )
              .catch(() => {});
            break;
          }
          throw err;
        }
        for (const frame of frames) {
          await this.#dispatch(frame);
          if (this.#closed) break;
        }
        if (this.#closed) break;
      }
      ended = !this.#closed;
      for (const frame of ended ? decoder.end() : []) await this.#dispatch(frame);
    } catch {
      // The stream failed (reset by peer, closed under us): treat as end of connection.
    } finally {
      // A peer that half-closed after its last request still reads the answers.
      if (ended) await this.#drain();
      this.close();
    }
  }

  /** Waits (bounded) for answers to requests already read to be written. */
  async #drain(): Promise<void> {
    if (this.#inFlight === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((r) => (this.#onIdle = r)),
      this.closed,
      new Promise((r) => {
        timer = setTimeout(r, this.#opts.drainTimeoutMs);
        // A process on its way out does not wait for a half-closed client's answers.
        Deno.unrefTimer(timer);
      }),
    ]);
    clearTimeout(timer);
    await this.#writeChain;
  }

  /** Runs a request without blocking the reader; tracks it until its answer is queued. */
  #track(p: Promise<unknown>): void {
    this.#inFlight++;
    const done = () => {
      if (--this.#inFlight === 0) this.#onIdle?.();
    };
    p.then(done, done);
  }

  async #dispatch(frame: JsonFrame): Promise<void> {
    if (!frame.ok) {
      this.#protocolError("malformed JSON");
      await this.#send(createJSONRPCErrorResponse(null, ErrorCode.ParseError, "parse error"))
        .catch(() => {});
      return;
    }
    const msg = frame.value;
    if (Array.isArray(msg)) {
      this.#track(this.#answerBatch(msg).then((res) => res ? this.#send(res) : undefined));
      return;
    }
    if (_isNotification(msg)) {
      // Delivered in order and awaited so a slow handler slows the reader.
      await this.#deliver(msg);
      return;
    }
    // Requests run concurrently: do not await the handler.
    this.#track(this.#answer(msg).then((res) => res ? this.#send(res) : undefined));
  }

  /**
   * A JSON-RPC 2.0 batch: one answer per request, in one array (even for one request); none
   * for notifications, nothing at all if that leaves none; `[]` is itself an invalid request.
   */
  async #answerBatch(batch: unknown[]): Promise<JSONRPCResponse | JSONRPCResponse[] | null> {
    if (batch.length === 0) {
      return createJSONRPCErrorResponse(null, ErrorCode.InvalidRequest, "invalid request");
    }
    const answers = await Promise.all(
      batch.map((m) => _isNotification(m) ? this.#deliver(m).then(() => null) : this.#answer(m)),
    );
    const replies = answers.filter((a): a is JSONRPCResponse => a !== null);
    return replies.length > 0 ? replies : null;
  }

  async #deliver(m: JSONRPCRequest): Promise<void> {
    const h = this.#notifications.get(m.method);
    if (!h) return;
    try {
      await h(m.params, this);
    } catch (err) {
      this.#protocolError(`notification ${m.method}: ${err}`);
    }
  }

  /** The answer to one message that is not a notification (null for a response to us). */
  async #answer(msg: unknown): Promise<JSONRPCResponse | null> {
    if (msg && typeof msg === "object") {
      const m = msg as Record<string, unknown>;
      if (isJSONRPCRequest(m)) {
        // `params: null` counts as absent (handlers answer "missing params" themselves).
        if (m.params !== undefined && m.params !== null && typeof m.params !== "object") {
          return createJSONRPCErrorResponse(
            m.id ?? null,
            ErrorCode.InvalidParams,
            "params must be an object or array",
          );
        }
        return _clipError(await this.#rpc.server.receive(m as JSONRPCRequest, this));
      }
      if (isJSONRPCResponse(m)) {
        this.#rpc.client.receive(m);
        return null;
      }
    }
    const id = msg && typeof msg === "object" && "id" in msg ? (msg as { id: unknown }).id : null;
    return createJSONRPCErrorResponse(
      typeof id === "string" || typeof id === "number" ? id : null,
      ErrorCode.InvalidRequest,
      "invalid request",
    );
  }

  #send(payload: unknown): Promise<void> {
    if (this.#closed) return Promise.reject(new PeerClosedError());
    const frame = encodeFrame(payload);
    this.#pendingWrites++;
    this.#pendingBytes += frame.length;
    const p = this.#writeChain.then(async () => {
      try {
        if (!this.#closed) await writeAll(this.#stream, frame);
      } finally {
        this.#pendingWrites--;
        this.#pendingBytes -= frame.length;
      }
    });
    this.#writeChain = p.catch(() => this.close());
    return p;
  }

  /** Reports the first few problems of a connection, then only counts them (see close). */
  #protocolError(message: string): void {
    const n = ++this.#protocolErrors;
    if (n <= PROTOCOL_ERRORS_REPORTED) this.#opts.onProtocolError(message);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const unreported = this.#protocolErrors - PROTOCOL_ERRORS_REPORTED;
    if (unreported > 0) {
      this.#opts.onProtocolError(`${unreported} more protocol errors on this connection`);
    }
    this.#rpc.rejectAllPendingRequests("connection closed");
    try {
      this.#stream.close();
    } catch {
      // already closed
    }
    this.#closedResolve();
  }
}

/** Longest error message sent: handlers clip what they echo, this bounds what they missed. */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

function _clipError(res: JSONRPCResponse | null): JSONRPCResponse | null {
  const message = res?.error?.message;
  if (typeof message !== "string" || message.length <= MAX_ERROR_MESSAGE_CHARS) return res;
  return { ...res!, error: { ...res!.error!, message: clip(message, MAX_ERROR_MESSAGE_CHARS) } };
}

function _isNotification(msg: unknown): msg is JSONRPCRequest {
  return !!msg && typeof msg === "object" && !Array.isArray(msg) &&
    isJSONRPCRequest(msg as JSONRPCRequest) && (msg as JSONRPCRequest).id === undefined;
}

/** Wraps a Deno connection (Unix socket) as a byte stream for RpcPeer. */
export function connStream(conn: Deno.Conn): ByteStream {
  return {
    readable: _reads(conn),
    write: (p) => conn.write(p),
    close: () => conn.close(),
  };
}

/**
 * The connection's bytes until EOF. Not `conn.readable`: that closes the whole socket at EOF,
 * and a peer that half-closed after its last request still reads the answers.
 */
async function* _reads(conn: Deno.Conn): AsyncGenerator<Uint8Array> {
  // One buffer reused: each chunk is consumed (the decoder copies what it keeps) before the
  // next read.
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    yield buf.subarray(0, n);
  }
}
