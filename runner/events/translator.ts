/**
 * ACP `session/update` notifications → event drafts, as a pure state machine.
 *
 * It tracks the open content block (for start/streaming/end) and the current turn (for
 * turnId). The caller feeds it, in order, the prompt it sends and every update the agent
 * sends, and emits the drafts it returns. See specs/events.md for the rules.
 */
import type { SessionUpdate } from "@agentclientprotocol/sdk";
import type {
  ContentBlock,
  EventPayloads,
  EventType,
  RuntimeUpdatePayload,
  ToolCallPayload,
} from "../../specs/events.ts";
import type { EventDraft } from "./event_hub.ts";

type BlockType = "agent_message" | "agent_thinking" | "user_message";

const CHUNK_TYPES: Record<string, BlockType> = {
  agent_message_chunk: "agent_message",
  agent_thought_chunk: "agent_thinking",
  user_message_chunk: "user_message",
};

/** The synthetic content of an `end` event. */
export const END_CONTENT: ContentBlock = { type: "text", text: "" };

export type TurnOrigin = "user" | "system";

export interface TranslatorOptions {
  sessionId?: string;
  /** Turn ids; default crypto.randomUUID (tests pass a counter). */
  newId?: () => string;
}

/**
 * Turns ACP `session/update` notifications into event drafts, tracking the open block and
 * the current turn (see the module comment).
 */
export class Translator {
  #sessionId: string | undefined;
  #turnId: string | undefined;
  #open: { type: BlockType; messageId?: string } | undefined;
  readonly #newId: () => string;

  constructor(opts: TranslatorOptions = {}) {
    this.#sessionId = opts.sessionId;
    this.#newId = opts.newId ?? (() => crypto.randomUUID());
  }

  setSessionId(id: string): void {
    this.#sessionId = id;
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  get turnId(): string | undefined {
    return this.#turnId;
  }

  /** Starts a turn. A block left open (chunks that arrived between turns) is closed first. */
  beginTurn(origin: TurnOrigin): { turnId: string; drafts: EventDraft[] } {
    const drafts = this.#closeBlock();
    const turnId = this.#newId();
    this.#turnId = turnId;
    drafts.push(this.#draft("turn_start", { origin }));
    return { turnId, drafts };
  }

  /** The prompt as sent: one `user_message` (status start) per block. */
  userPrompt(blocks: ContentBlock[], origin: TurnOrigin): EventDraft[] {
    return blocks.map((content) =>
      this.#draft(
        "user_message",
        origin === "system" ? { status: "start", content, systemPrompt: true } : {
          status: "start",
          content,
        },
      )
    );
  }

  /** Translates one ACP SessionUpdate. Never throws: bad input becomes an `error` event. */
  translate(update: unknown): EventDraft[] {
    if (!isRecord(update) || typeof update.sessionUpdate !== "string") {
      return this.#error("invalid session update: missing sessionUpdate");
    }
    const name = update.sessionUpdate;
    const blockType = CHUNK_TYPES[name];
    if (blockType) return this.#chunk(blockType, update);
    const u = update as SessionUpdate;
    switch (u.sessionUpdate) {
      case "tool_call":
        if (typeof u.toolCallId !== "string") return this.#invalid(name, "toolCallId");
        return this.#closed(this.#draft("tool_call", toolPayload(u, false)));
      case "tool_call_update":
        if (typeof u.toolCallId !== "string") return this.#invalid(name, "toolCallId");
        return this.#closed(this.#draft("tool_result", toolPayload(u, true)));
      case "plan":
        if (!Array.isArray(u.entries)) return this.#invalid(name, "entries");
        return this.#closed(this.#draft("plan", withMeta({ entries: u.entries }, u._meta)));
      case "available_commands_update":
        if (!Array.isArray(u.availableCommands)) return this.#invalid(name, "availableCommands");
        return this.#runtime({
          availableCommands: withMeta({ commands: u.availableCommands }, u._meta),
        });
      case "current_mode_update":
        if (typeof u.currentModeId !== "string") return this.#invalid(name, "currentModeId");
        return this.#runtime({ currentMode: withMeta({ modeId: u.currentModeId }, u._meta) });
      case "config_option_update":
        if (!Array.isArray(u.configOptions)) return this.#invalid(name, "configOptions");
        return this.#runtime({ configOptions: withMeta({ options: u.configOptions }, u._meta) });
      case "session_info_update": {
        const info: NonNullable<RuntimeUpdatePayload["sessionInfo"]> = {};
        if (u.title !== undefined) info.title = u.title;
        if (u.updatedAt !== undefined) info.updatedAt = u.updatedAt;
        return this.#runtime({ sessionInfo: withMeta(info, u._meta) });
      }
      case "usage_update": {
        if (typeof u.size !== "number" || typeof u.used !== "number") {
          return this.#invalid(name, "size/used");
        }
        const usage: NonNullable<RuntimeUpdatePayload["usage"]> = { size: u.size, used: u.used };
        if (u.cost !== undefined) usage.cost = u.cost;
        return this.#runtime({ usage: withMeta(usage, u._meta) });
      }
      case "notice":
        return this.#closed(this.#draft("notice", withoutDiscriminator(update)));
      case "compaction_update":
        return this.#closed(
          this.#draft("compaction", { ...withoutDiscriminator(update), kind: "update" }),
        );
      case "compaction_summary_chunk":
        return this.#closed(
          this.#draft("compaction", { ...withoutDiscriminator(update), kind: "summary_chunk" }),
        );
      default:
        return this.#error(`unknown session update variant: ${name}`);
    }
  }

  /**
   * An event the agent-run adds itself (permission requests and decisions): like every
   * non-content event it ends the open block first, and inside a turn it carries the turnId.
   */
  event<T extends EventType>(type: T, payload: EventPayloads[T]): EventDraft[] {
    return this.#closed(this.#draft(type, payload));
  }

  /** Ends the turn: closes the open block, then `turn_end`; clears the turn id. */
  endTurn(stopReason: string): EventDraft[] {
    const drafts = this.#closeBlock();
    drafts.push(this.#draft("turn_end", { stopReason }));
    this.#turnId = undefined;
    return drafts;
  }

  #chunk(type: BlockType, update: Record<string, unknown>): EventDraft[] {
    const content = update.content;
    if (!isRecord(content) || typeof content.type !== "string") {
      return this.#invalid(update.sessionUpdate as string, "content");
    }
    const messageId = typeof update.messageId === "string" ? update.messageId : undefined;
    const open = this.#open;
    // ACP: a new messageId starts a new message, even of the same type.
    const same = open?.type === type &&
      (open.messageId === undefined || messageId === undefined || open.messageId === messageId);
    if (same) {
      if (messageId !== undefined) open.messageId = messageId;
      return [this.#draft(type, { status: "streaming", content: content as ContentBlock })];
    }
    const drafts = this.#closeBlock();
    this.#open = { type, messageId };
    drafts.push(this.#draft(type, { status: "start", content: content as ContentBlock }));
    return drafts;
  }

  #closeBlock(): EventDraft[] {
    const open = this.#open;
    if (!open) return [];
    this.#open = undefined;
    return [this.#draft(open.type, { status: "end", content: { ...END_CONTENT } })];
  }

  /** The open block closed, then `draft`. */
  #closed(draft: EventDraft): EventDraft[] {
    const drafts = this.#closeBlock();
    drafts.push(draft);
    return drafts;
  }

  #runtime(payload: RuntimeUpdatePayload): EventDraft[] {
    return this.#closed(this.#draft("runtime_update", payload));
  }

  #error(message: string): EventDraft[] {
    return this.#closed(this.#draft("error", { message }));
  }

  #invalid(variant: string, field: string): EventDraft[] {
    return this.#error(`invalid session update ${variant}: bad or missing ${field}`);
  }

  #draft<T extends EventType>(type: T, payload: EventPayloads[T]): EventDraft {
    const draft: Record<string, unknown> = { type, payload };
    if (this.#sessionId !== undefined) draft.sessionId = this.#sessionId;
    // runtime_update is run state, not turn content: it never carries a turnId.
    if (this.#turnId !== undefined && type !== "runtime_update") draft.turnId = this.#turnId;
    return draft as EventDraft;
  }
}

/** The state.json session field an update changes, and the phase-event reason for it. */
export interface MetadataChange {
  field: "availableCommands" | "configOptions" | "sessionInfo" | "currentMode";
  reason: "commands-updated" | "config-updated" | "session-info-updated" | "mode-updated";
}

const METADATA: Record<string, MetadataChange> = {
  available_commands_update: { field: "availableCommands", reason: "commands-updated" },
  config_option_update: { field: "configOptions", reason: "config-updated" },
  session_info_update: { field: "sessionInfo", reason: "session-info-updated" },
  current_mode_update: { field: "currentMode", reason: "mode-updated" },
};

/**
 * Which state.json session field `update` changes, so the runner can persist it and emit the
 * follow-up `runtime_update{phase}` event. Undefined for every other update (usage included).
 */
export function metadataChange(update: unknown): MetadataChange | undefined {
  if (!isRecord(update) || typeof update.sessionUpdate !== "string") return undefined;
  const change = METADATA[update.sessionUpdate];
  return change ? { ...change } : undefined;
}

/** The phase-event reason for a set of changed fields: one field's reason, else "metadata-updated". */
export function metadataReason(changes: MetadataChange[]): string {
  const reasons = new Set(changes.map((c) => c.reason));
  return reasons.size === 1 ? [...reasons][0] : "metadata-updated";
}

type ToolUpdate =
  | Extract<SessionUpdate, { sessionUpdate: "tool_call" }>
  | Extract<SessionUpdate, { sessionUpdate: "tool_call_update" }>;

/** tool_call / tool_result payload; a result's missing status is "unknown". */
function toolPayload(u: ToolUpdate, isResult: boolean): ToolCallPayload {
  const p: ToolCallPayload = {
    id: u.toolCallId,
    kind: typeof u.kind === "string" ? u.kind : "",
    title: typeof u.title === "string" ? u.title : "",
  };
  if (u._meta) p._meta = u._meta;
  if (typeof u.name === "string") p.name = u.name;
  if (typeof u.status === "string") p.status = u.status;
  else if (isResult) p.status = "unknown";
  if (Array.isArray(u.content)) p.content = u.content;
  if (Array.isArray(u.locations)) p.locations = u.locations as ToolCallPayload["locations"];
  if (u.rawInput !== undefined) p.rawInput = u.rawInput;
  if (u.rawOutput !== undefined) p.rawOutput = u.rawOutput;
  return p;
}

function withMeta<T extends object>(
  obj: T,
  meta: Record<string, unknown> | null | undefined,
): T & { _meta?: Record<string, unknown> } {
  return meta ? { ...obj, _meta: meta } : obj;
}

function withoutDiscriminator(update: Record<string, unknown>): Record<string, unknown> {
  const { sessionUpdate: _, ...rest } = update;
  return rest;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
