/**
 * What the demo agent offers (modes, models, commands) and remembers per session, and the
 * pure text helpers its turns use.
 */
import type * as acp from "@agentclientprotocol/sdk";

export const DEMO_AGENT_INFO: acp.Implementation = { name: "mass-demo", version: "0.1.0" };

export const DEMO_MODES: acp.SessionMode[] = [
  { id: "default", name: "Default", description: "Answer, read files and write when allowed" },
  { id: "plan", name: "Plan", description: "Plan and read only; never writes files" },
];

/** Model ids offered through the `model` config option, with their context sizes. */
export const DEMO_MODELS: Record<string, { name: string; contextSize: number }> = {
  "demo-small": { name: "Demo Small", contextSize: 8_192 },
  "demo-large": { name: "Demo Large", contextSize: 131_072 },
};

export const DEMO_COMMANDS: acp.AvailableCommand[] = [
  { name: "hello", description: "Say hello" },
  { name: "plan", description: "Make a plan for a task", input: { hint: "what to plan" } },
];

/** What this process remembers about one session. */
export type DemoSession = {
  id: string;
  cwd: string;
  modeId: string;
  model: string;
  /** Transcript replayed by session/load. */
  history: { role: "user" | "agent"; text: string }[];
  usedTokens: number;
  toolSeq: number;
  /** Aborted by session/cancel; present only while a turn runs. */
  turn?: AbortController;
};

/** Flattens prompt content blocks to plain text (links and resources by their uri). */
export function promptText(blocks: acp.ContentBlock[]): string {
  return blocks.map((block) => {
    switch (block.type) {
      case "text":
        return block.text;
      case "resource_link":
        return `@${block.uri}`;
      case "resource":
        return "text" in block.resource ? block.resource.text : `@${block.resource.uri}`;
      default:
        return `[${block.type}]`;
    }
  }).join("\n");
}

/** The file a "write" prompt asks for: the word after "write" if it looks like a file name. */
export function writeTarget(text: string): string | undefined {
  const match = /\bwrite\b\s*(\S*)/i.exec(text);
  if (!match) return undefined;
  const word = match[1].replace(/[.,;:!?'"`]+$/, "");
  return /^[\w][\w.-]*\.[\w]+$/.test(word) ? word : "hello.txt";
}

/** `text` on one line, cut to `max` characters. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Words per agent_message_chunk. */
const WORDS_PER_CHUNK = 3;

/** Splits text into chunks of a few words, keeping the whitespace so chunks concatenate. */
export function wordGroups(text: string, size = WORDS_PER_CHUNK): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const groups: string[] = [];
  for (let i = 0; i < words.length; i += size) groups.push(words.slice(i, i + size).join(""));
  return groups;
}

/** The session/new (load, resume) `modes` of `session`. */
export function modeState(session: DemoSession): acp.SessionModeState {
  return { currentModeId: session.modeId, availableModes: DEMO_MODES };
}

/** The config options of `session`: the `model` select. */
export function configOptions(session: DemoSession): acp.SessionConfigOption[] {
  return [{
    id: "model",
    name: "Model",
    description: "Which pretend model answers",
    category: "model",
    type: "select",
    currentValue: session.model,
    options: Object.entries(DEMO_MODELS).map(([value, m]) => ({ value, name: m.name })),
  }];
}
