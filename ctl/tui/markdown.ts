/**
 * A small markdown parser for terminal display: text in, styled lines out. It covers what
 * agents write (headings, bold, italic, inline code, fenced code, lists, quotes, rules,
 * links) and tolerates half-streamed input: an unclosed fence runs to the end, an unclosed
 * `**` stays literal.
 */

export interface Span {
  text: string;
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
  link?: boolean;
  /** Dimmed decoration (bullets, link targets, fence language). */
  dim?: boolean;
}

export type LineKind = "text" | "heading" | "code" | "quote" | "rule" | "blank";

export interface MdLine {
  kind: LineKind;
  spans: Span[];
  /** Heading level 1–6 for kind "heading". */
  level?: number;
}

const FENCE = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^(\s*)([-*+])\s+(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})([.)])\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const TASK = /^\[([ xX])\]\s+(.*)$/;

/** Parses markdown into display lines. */
export function parseMarkdown(text: string): MdLine[] {
  const out: MdLine[] = [];
  let fence: string | undefined;
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const f = FENCE.exec(raw);
    if (fence !== undefined) {
      if (f && f[2] === "" && f[1][0] === fence[0] && f[1].length >= fence.length) {
        fence = undefined;
        continue;
      }
      out.push({ kind: "code", spans: [{ text: raw, code: true }] });
      continue;
    }
    if (f) {
      fence = f[1];
      if (f[2]) out.push({ kind: "code", spans: [{ text: f[2], dim: true }] });
      continue;
    }
    out.push(parseLine(raw));
  }
  return out;
}

function parseLine(line: string): MdLine {
  if (line.trim() === "") return { kind: "blank", spans: [] };
  const h = HEADING.exec(line);
  if (h) return { kind: "heading", level: h[1].length, spans: parseInline(h[2]) };
  if (RULE.test(line)) return { kind: "rule", spans: [] };
  const q = QUOTE.exec(line);
  if (q) return { kind: "quote", spans: parseInline(q[1]) };
  const b = BULLET.exec(line);
  if (b) return listLine(b[1], "•", b[3]);
  const o = ORDERED.exec(line);
  if (o) return listLine(o[1], `${o[2]}${o[3]}`, o[4]);
  return { kind: "text", spans: parseInline(line) };
}

function listLine(indent: string, mark: string, rest: string): MdLine {
  const task = TASK.exec(rest);
  const bullet = task ? (task[1] === " " ? "☐" : "☑") : mark;
  const body = task ? task[2] : rest;
  return {
    kind: "text",
    spans: [{ text: `${indent}${bullet} `, dim: true }, ...parseInline(body)],
  };
}

// Inline: code spans first (they hide other markup), then links, bold, italic.
const INLINE =
  /(`+)(.+?)\1|\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__|\*(?=[^\s*])([^*]+?)\*|(?<![\p{L}\p{N}_])_(?=[^\s_])([^_]+?)_(?![\p{L}\p{N}_])/gu;

/** Parses inline markup into spans; `base` carries styles from enclosing markup. */
export function parseInline(text: string, base: Omit<Span, "text"> = {}): Span[] {
  const spans: Span[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) spans.push({ ...base, text: text.slice(last, at) });
    if (m[2] !== undefined) spans.push({ ...base, text: m[2].trim() || m[2], code: true });
    else if (m[3] !== undefined) {
      spans.push(...parseInline(m[3], { ...base, link: true }));
      spans.push({ ...base, text: ` (${m[4]})`, dim: true });
    } else if (m[5] !== undefined || m[6] !== undefined) {
      spans.push(...parseInline(m[5] ?? m[6], { ...base, bold: true }));
    } else {
      spans.push(...parseInline(m[7] ?? m[8], { ...base, italic: true }));
    }
    last = at + m[0].length;
  }
  if (last < text.length) spans.push({ ...base, text: text.slice(last) });
  return spans;
}

/** The plain text of a line, without styles (tests, width estimates). */
export function lineText(line: MdLine): string {
  return line.spans.map((s) => s.text).join("");
}
