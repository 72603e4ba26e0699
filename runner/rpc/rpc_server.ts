/**
 * The runner RPC on `<bundle>/agent-run.sock` (specs/runner-rpc.md): validates params with
 * the specs/runner_rpc.ts schemas and hands calls to a `RunnerApi`; serves
 * `runtime/watch_event` streams straight from the event hub.
 */
import type { z } from "zod";
import type { AgentRunEvent, PermissionAnswer } from "../../specs/events.ts";
import { ErrorCode, errorCode, InvalidParamsError } from "../../specs/errors.ts";
import {
  type PermissionsResult,
  type PromptParams,
  PromptParamsSchema,
  type PromptResult,
  type RespondPermissionParams,
  RespondPermissionParamsSchema,
  RunnerMethods,
  SetConfigOptionParamsSchema,
  SetModelParamsSchema,
  SetModeParamsSchema,
  type StatusResult,
  type WatchErrorParams,
  WatchEventParamsSchema,
  type WatchEventResult,
} from "../../specs/runner_rpc.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { serveUnix, type UnixServer, type WireLogger } from "../../specs/wire/socket.ts";
import { EventLogCorruptError, EventLogTruncatedError } from "../../specs/eventlog/errors.ts";
import { delay } from "../../specs/lib/delay.ts";
import { describeZodIssues } from "../../specs/lib/describe_zod_issues.ts";

/** What the server needs from the agent-run. */
export interface RunnerApi {
  status(): StatusResult;
  prompt(params: PromptParams): Promise<PromptResult>;
  cancel(): Promise<void>;
  setMode(params: { modeId: string }): Promise<unknown>;
  setConfigOption(params: { configId: string; value: string | boolean }): Promise<unknown>;
  setModel(params: { modelId: string }): Promise<unknown>;
  /** Pending permission requests (policy `ask`), oldest first. */
  permissions(): PermissionsResult;
  /** Answers one; -32602 for an unknown request or option. */
  respondPermission(params: RespondPermissionParams): Promise<PermissionAnswer>;
  /** Called after the reply to runtime/stop has been written. */
  stop(): void;
}

/** The part of EventHub that watches use. */
export interface EventSource {
  readonly nextSeq: number;
  /** Oldest seq still in the log. */
  readonly firstSeq: number;
  subscribe(fromSeq?: number): {
    next(): Promise<AgentRunEvent | undefined>;
    close(): void;
    readonly closedReason?: string;
  };
}

export interface RunnerServer {
  readonly path: string;
  /** Waits (at most `ms`) until every open watch has sent events up to `lastSeq`. */
  flushWatches(lastSeq: number, ms: number): Promise<void>;
  close(): Promise<void>;
}

function parse<T extends z.ZodType>(schema: T, params: unknown): z.infer<T> {
  const r = schema.safeParse(params ?? {});
  if (!r.success) throw new InvalidParamsError(describeZodIssues(r.error.issues));
  return r.data;
}

/** Notifications a watch may have queued on its socket before it waits for one… */
const WRITE_WINDOW = 64;
/** …and their bytes: a few big events (4 MB prompts) must not pile up per watch. */
const WRITE_BYTES = 4 * 1024 * 1024;

interface Watch {
  peer: RpcPeer;
  sent: number;
  close(): void;
}

/**
 * Serves the runner RPC on the Unix socket at `path`: calls go to `api`, `runtime/watch_event`
 * streams come from `events`.
 */
export async function startRunnerServer(
  path: string,
  api: RunnerApi,
  events: EventSource,
  opts: { onError?: (message: string) => void; logger?: WireLogger } = {},
): Promise<RunnerServer> {
  const watches = new Set<Watch>();
  const onError = opts.onError ?? (() => {});

  const forward = async (
    watch: Watch,
    watchId: string,
    sub: ReturnType<EventSource["subscribe"]>,
  ) => {
    try {
      while (!watch.peer.isClosed) {
        const ev = await sub.next();
        if (!ev) break;
        // A bounded window of writes in flight: a client that does not read slows this
        // loop, and the hub then ends the subscription as a slow consumer instead of
        // buffering without bound.
        const sent = watch.peer.notify(RunnerMethods.eventUpdate, { ...ev, watchId });
        watch.sent = ev.seq;
        if (watch.peer.pendingWrites >= WRITE_WINDOW || watch.peer.pendingBytes >= WRITE_BYTES) {
          await sent;
        } else sent.catch(() => {});
      }
    } catch (err) {
      onError(`watch ${watchId}: ${err instanceof Error ? err.message : String(err)}`);
      // Tell the client why, so that it does not simply resume into the same failure.
      const params: WatchErrorParams = {
        watchId,
        code: errorCode(err) ?? ErrorCode.Internal,
        message: err instanceof Error ? err.message : String(err),
      };
      if (err instanceof EventLogCorruptError && err.seq !== undefined) params.seq = err.seq;
      await watch.peer.notify(RunnerMethods.watchError, params).catch(() => {});
    } finally {
      sub.close();
      watches.delete(watch);
      // A stream that ended (slow consumer, replay failure, shutdown) ends its connection:
      // the client resumes from its last seq + 1 on a new one.
      watch.peer.close();
    }
  };

  const setup = (peer: RpcPeer) => {
    peer
      .addMethod(RunnerMethods.status, () => api.status())
      .addMethod(RunnerMethods.prompt, (p) => api.prompt(parse(PromptParamsSchema, p)))
      .addMethod(RunnerMethods.cancel, async () => {
        await api.cancel();
        return null;
      })
      .addMethod(RunnerMethods.setMode, (p) => api.setMode(parse(SetModeParamsSchema, p)))
      .addMethod(
        RunnerMethods.setConfigOption,
        (p) => api.setConfigOption(parse(SetConfigOptionParamsSchema, p)),
      )
      .addMethod(RunnerMethods.setModel, (p) => api.setModel(parse(SetModelParamsSchema, p)))
      .addMethod(RunnerMethods.permissions, () => api.permissions())
      .addMethod(
        RunnerMethods.respondPermission,
        (p) => api.respondPermission(parse(RespondPermissionParamsSchema, p)),
      )
      .addMethod(RunnerMethods.stop, () => {
        // A macrotask runs after the reply has been queued on the socket.
        setTimeout(() => api.stop(), 0);
        return null;
      })
      .addMethod(RunnerMethods.watchEvent, (p): WatchEventResult => {
        const { watchId, fromSeq } = parse(WatchEventParamsSchema, p);
        if (fromSeq !== undefined && fromSeq < events.firstSeq) {
          throw new EventLogTruncatedError(fromSeq, events.firstSeq);
        }
        const nextSeq = events.nextSeq;
        const sub = events.subscribe(fromSeq);
        const watch: Watch = { peer, sent: (fromSeq ?? nextSeq) - 1, close: () => sub.close() };
        watches.add(watch);
        peer.closed.then(() => sub.close());
        // Start after the reply is queued, so the reply precedes the first notification.
        setTimeout(() => forward(watch, watchId, sub), 0);
        return { watchId, nextSeq };
      });
  };

  const server: UnixServer = await serveUnix(path, {
    setup,
    mode: 0o600,
    onProtocolError: (m) => onError(`runner socket: ${m}`),
    logger: opts.logger,
  });

  return {
    path,
    async flushWatches(lastSeq: number, ms: number) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const behind = [...watches].some((w) =>
          !w.peer.isClosed && (w.sent < lastSeq || w.peer.pendingWrites > 0)
        );
        if (!behind) return;
        await delay(10);
      }
    },
    async close() {
      for (const w of watches) w.close();
      await server.close();
    },
  };
}
