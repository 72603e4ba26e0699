/**
 * Printers for `get` commands: tab-aligned tables (plain and wide), JSON and YAML.
 *
 * JSON and YAML follow the original massctl: one named object prints as itself, anything
 * else as `{kind: "List", items}`. All functions here are pure and return strings.
 */
import type { Agent, AgentRun, Workspace } from "../../specs/ari.ts";
import type { AgentTask } from "../../specs/tasks.ts";

export const OUTPUT_FORMATS = ["table", "wide", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** True when `s` is one of OUTPUT_FORMATS. */
export function isOutputFormat(s: string): s is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(s);
}

/** Age as the original prints it: `Ns`, `Nm`, `Nh`, `Nd`, or `<unknown>`. */
export function formatAge(createdAt: string | undefined, now: Date): string {
  if (!createdAt) return "<unknown>";
  const t = Date.parse(createdAt);
  if (Number.isNaN(t)) return "<unknown>";
  const secs = Math.max(0, Math.floor((now.getTime() - t) / 1000));
  if (secs < 60) return `${secs}s`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m`;
  if (secs < 86400) return `${Math.floor(secs / 3600)}h`;
  return `${Math.floor(secs / 86400)}d`;
}

const SIZE_UNITS = ["KiB", "MiB", "GiB", "TiB"];

/** A byte count for people: `512B`, `1.5KiB`, `64MiB`, `1.2GiB` (one decimal under 10). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${Math.round(bytes)}B`;
  let value = bytes;
  let unit = "B";
  for (const u of SIZE_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  const shown = value < 10 ? Math.floor(value * 10) / 10 : Math.floor(value);
  return `${shown}${unit}`;
}

/** Padding between columns, as Go's tabwriter with padding 3. */
const PADDING = 3;

/** A cell never spans lines or breaks the column grid. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  return String(value).replace(/[\t\r\n]+/g, " ");
}

/**
 * Renders rows as a tab-aligned table: each column is as wide as its widest cell plus 3
 * spaces; the last column is not padded (Go tabwriter semantics).
 */
export function renderTable(rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cell));
  const widths: number[] = [];
  for (const r of cells) {
    r.forEach((c, i) => {
      if (i < r.length - 1) widths[i] = Math.max(widths[i] ?? 0, [...c].length);
    });
  }
  return cells.map((r) =>
    r.map((
      c,
      i,
    ) => (i < r.length - 1 ? c.padEnd(widths[i] + PADDING + c.length - [...c].length) : c))
      .join("")
  ).map((line) => line.trimEnd() + "\n").join("");
}

/** `k=v,k2=v2` or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "<none>";
  return entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(",");
}

function sourceText(ws: Workspace): string {
  const s = ws.spec?.source;
  if (!s) return "";
  switch (s.type) {
    case "git":
      return `git:${s.url}${s.ref ? `@${s.ref}` : ""}`;
    case "local":
      return `local:${s.path}`;
    default:
      return s.type;
  }
}

/** Workspaces as a table: NAME, PHASE, PATH, AGE; `wide` adds SOURCE and ERROR. */
export function workspaceTable(items: readonly Workspace[], wide: boolean, now: Date): string {
  const head = ["NAME", "PHASE", "PATH", "AGE"];
  if (wide) head.push("SOURCE", "ERROR");
  const rows = items.map((ws) => {
    const row = [
      ws.metadata.name,
      ws.status?.phase ?? "",
      ws.status?.path ?? "",
      formatAge(ws.metadata.createdAt, now),
    ];
    if (wide) row.push(sourceText(ws), ws.status?.errorMessage ?? "");
    return row;
  });
  return renderTable([head, ...rows]);
}

/** Agents as a table: NAME, ENABLED, COMMAND, ARGS, AGE; `wide` adds LABELS. */
export function agentTable(items: readonly Agent[], wide: boolean, now: Date): string {
  const head = ["NAME", "ENABLED", "COMMAND", "ARGS", "AGE"];
  if (wide) head.push("LABELS");
  const rows = items.map((a) => {
    const args = a.spec?.args ?? [];
    const row = [
      a.metadata.name,
      String(!a.spec?.disabled),
      a.spec?.command ?? "",
      args.length > 0 ? args.join(" ") : "<none>",
      formatAge(a.metadata.createdAt, now),
    ];
    if (wide) row.push(formatLabels(a.metadata.labels));
    return row;
  });
  return renderTable([head, ...rows]);
}

/**
 * Agent runs as a table: WORKSPACE, NAME, AGENT, PHASE, AGE; `wide` adds PID, RESTARTS,
 * PENDING, LOG and ERROR.
 */
export function agentRunTable(items: readonly AgentRun[], wide: boolean, now: Date): string {
  // PENDING: permission requests waiting for an answer (policy ask); the run needs attention.
  // It comes after the original's five columns, so scripts that cut those still work.
  const head = ["WORKSPACE", "NAME", "AGENT", "PHASE", "AGE", "PENDING"];
  // LOG: the event log's size on disk (as of the run's last idle, attach or exit).
  // WORKTREE: `branch (+N commits, dirty)` of a run in its own git worktree.
  // SANDBOX: the OS sandbox of the last start, e.g. bwrap/none (mode/network).
  if (wide) head.push("PID", "RESTARTS", "LOG", "WORKTREE", "SANDBOX", "ERROR");
  const rows = items.map((r) => {
    const row = [
      r.metadata.workspace,
      r.metadata.name,
      r.spec?.agent ?? "",
      r.status?.phase ?? "",
      formatAge(r.metadata.createdAt, now),
      String(r.status?.pendingPermissions ?? 0),
    ];
    if (wide) {
      row.push(
        r.status?.pid ? String(r.status.pid) : "",
        String(r.status?.restartCount ?? 0),
        formatBytes(r.status?.eventLogBytes),
        formatWorktree(r.status?.worktree),
        r.status?.sandbox ? `${r.status.sandbox.mode}/${r.status.sandbox.network}` : "",
        r.status?.errorMessage ?? "",
      );
    }
    return row;
  });
  return renderTable([head, ...rows]);
}

/** `mass/ws/a (+2, dirty)`; "" for a run without a worktree. */
export function formatWorktree(wt: AgentRun["status"]["worktree"]): string {
  if (!wt) return "";
  const notes = [...(wt.ahead ? [`+${wt.ahead}`] : []), ...(wt.dirty ? ["dirty"] : [])];
  return notes.length > 0 ? `${wt.branch} (${notes.join(", ")})` : wt.branch;
}

/** Longest prompt excerpt in `task get -o wide`. */
const PROMPT_EXCERPT = 60;

/**
 * Tasks as a table: ID, ASSIGNEE, ATTEMPT, DONE, REASON, AGE; `wide` adds UPDATED and a
 * prompt excerpt.
 */
export function taskTable(items: readonly AgentTask[], wide: boolean, now: Date): string {
  const head = ["ID", "ASSIGNEE", "ATTEMPT", "DONE", "REASON", "AGE"];
  if (wide) head.push("UPDATED", "PROMPT");
  const rows = items.map((t) => {
    const row = [
      t.id,
      t.assignee ?? "",
      String(t.attempt ?? ""),
      String(t.done === true),
      t.done ? (t.reason ?? "") : "pending",
      formatAge(t.createdAt, now),
    ];
    if (wide) {
      const prompt = cell(t.request?.prompt);
      row.push(
        t.updatedAt ? formatAge(t.updatedAt, now) : "",
        prompt.length > PROMPT_EXCERPT ? `${prompt.slice(0, PROMPT_EXCERPT - 1)}…` : prompt,
      );
    }
    return row;
  });
  return renderTable([head, ...rows]);
}

/** `{kind: "List", items}`: the shape of every multi-object JSON/YAML output. */
export interface ListOutput<T> {
  kind: "List";
  items: T[];
}

/** Wraps `items` as `{ kind: "List", items }`, the shape JSON/YAML output prints for lists. */
export function listOf<T>(items: readonly T[]): ListOutput<T> {
  return { kind: "List", items: [...items] };
}

/** `value` as indented JSON with a trailing newline. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

export type TableRenderer<T> = (items: readonly T[], wide: boolean, now: Date) => string;

export interface RenderOptions {
  format: OutputFormat;
  /** True when the user named exactly one object: JSON/YAML print it bare. */
  single: boolean;
  now: Date;
  /**
   * YAML's stringify (to_yaml.ts), needed for `format: "yaml"` only; passed in so that
   * printing a table never loads the yaml package.
   */
  toYaml?: (value: unknown) => string;
}

/** Renders objects in the requested format. */
export function renderObjects<T>(
  items: readonly T[],
  table: TableRenderer<T>,
  opts: RenderOptions,
): string {
  const value = opts.single && items.length === 1 ? items[0] : listOf(items);
  switch (opts.format) {
    case "json":
      return toJson(value);
    case "yaml":
      if (!opts.toYaml) throw new Error("renderObjects: yaml output needs opts.toYaml");
      return opts.toYaml(value);
    case "wide":
      return table(items, true, opts.now);
    case "table":
      return table(items, false, opts.now);
  }
}
