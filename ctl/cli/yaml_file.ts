/**
 * YAML input files (compose, agent, workspace) validated by zod schemas, with errors that
 * name the field and the line it is on: `compose.yaml:7: spec.runs[0].agent: is required`.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node as YamlNode } from "yaml";
import type { z } from "zod";
import { CliError } from "./errors.ts";

export type IssuePath = readonly PropertyKey[];

export interface ParsedYaml {
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest ancestor present in the file. */
  lineOf(path: IssuePath): number | undefined;
}

/** Parses one YAML document; syntax errors become a CliError with file and line. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
    throw new CliError(`${file}:${line}: invalid YAML: ${firstLine(e.message)}`);
  }
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // The yaml package reports some problems (an alias to an anchor not yet set, alias
    // bombs) only when the document is turned into values, as a plain exception.
    throw new CliError(
      `${file}: invalid YAML: ${firstLine(err instanceof Error ? err.message : String(err))}`,
    );
  }
  return {
    value,
    lineOf(path) {
      let node: unknown = doc.contents;
      let line: number | undefined = rangeStart(node, lineAt);
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && scalarKey(p.key) === String(key));
          if (!pair) break;
          // A key's own line: for a missing child, the parent key is where to look.
          line = rangeStart(pair.key, lineAt) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
          node = node.items[key];
          line = rangeStart(node, lineAt) ?? line;
        } else {
          break;
        }
      }
      return line;
    },
  };
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

function rangeStart(node: unknown, lineAt: (offset: number) => number): number | undefined {
  const range = (node as YamlNode | null)?.range;
  return range ? lineAt(range[0]) : undefined;
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim();
}

/** `spec.runs[0].agent` */
export function formatPath(path: IssuePath): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(top level)";
}

function valueAt(value: unknown, path: IssuePath): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

interface Issue {
  path: IssuePath;
  message: string;
}

/** Rewrites a zod issue into a path plus a message a user can act on. */
function explain(issue: z.core.$ZodIssue, value: unknown): Issue {
  const path = issue.path as IssuePath;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(", ")})` : "";
    return { path: [...path, key], message: `unknown field${more}` };
  }
  const missing = path.length > 0 && valueAt(value, path) === undefined;
  const detail = issue.message.replace(/^Invalid input:\s*/, "");
  if (missing && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    const expected = issue.code === "invalid_value"
      ? issue.values.map((v) => JSON.stringify(v)).join(" | ")
      : issue.expected;
    return { path, message: `is required (expected ${expected})` };
  }
  return { path, message: detail };
}

/** Formats zod issues as `file:line: field: message`, joined into one line. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  parsed: ParsedYaml,
  file: string,
): string {
  const parts = issues.slice(0, 3).map((raw) => {
    const issue = explain(raw, parsed.value);
    const line = parsed.lineOf(issue.path);
    return `${file}${line ? `:${line}` : ""}: ${formatPath(issue.path)}: ${issue.message}`;
  });
  if (issues.length > 3) parts.push(`(${issues.length - 3} more)`);
  return parts.join("; ");
}

/** Parses and validates a YAML file's text; every problem becomes one CliError line. */
export function parseYamlWith<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
): z.output<S> {
  const parsed = parseYaml(text, file);
  if (parsed.value === null || parsed.value === undefined) {
    throw new CliError(`${file}: the file is empty`);
  }
  const result = schema.safeParse(parsed.value);
  if (!result.success) throw new CliError(describeIssues(result.error.issues, parsed, file));
  return result.data;
}

/** Reads a file given on the command line (`-` = stdin) as text. */
export async function readInputFile(path: string): Promise<string> {
  try {
    if (path === "-") return await new Response(Deno.stdin.readable).text();
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new CliError(`${path}: no such file`);
    if (err instanceof Deno.errors.IsADirectory) throw new CliError(`${path}: is a directory`);
    throw new CliError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
