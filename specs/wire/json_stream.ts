/**
 * Splits a byte stream into JSON values the way Go's `json.Decoder` reads a stream: any
 * whitespace (or none) between values, values may span lines. Unlike `json.Decoder`, a
 * syntax error is not fatal: the rest of that line is dropped, a parse error is reported
 * in its place and reading resumes on the next line.
 */
import { DEFAULT_MAX_FRAME_BYTES, FrameTooLargeError } from "./framing.ts";

/** One value from the stream, or a stretch of input that was not JSON. */
export type JsonFrame = { ok: true; value: unknown } | { ok: false };

// What the scanner expects next outside a string.
const VALUE = 0; // a value (top level, after ':' or after ',' in an array)
const VALUE_OR_CLOSE = 1; // after '['
const KEY_OR_CLOSE = 2; // after '{'
const KEY = 3; // after ',' in an object
const COLON = 4; // after a key
const AFTER = 5; // after a value inside a container: ',' or the closing bracket
const TOKEN = 6; // inside a number or true/false/null
const SKIP = 7; // after a syntax error: dropping input up to the next newline

// Nesting beyond this is refused like a syntax error (Go's decoder stops at the same depth).
const MAX_DEPTH = 10_000;
const OBJ = 0, ARR = 1;

const NL = 10, QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON_CH = 58;
const LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93;

function _isSpace(c: number): boolean {
  return c === 32 || c === NL || c === 13 || c === 9;
}

function _endsToken(c: number): boolean {
  return _isSpace(c) || c === COMMA || c === RBRACE || c === RBRACKET || c === COLON_CH ||
    c === LBRACE || c === LBRACKET || c === QUOTE;
}

const _NOT_JSON = Symbol("not JSON");

/**
 * Whether the bytes so far may end a whole message: the last non-blank byte closes an object
 * or array. A client may send one request without a newline and wait for the answer.
 */
function _mayEnd(work: Uint8Array): boolean {
  let i = work.length - 1;
  while (i >= 0 && _isSpace(work[i])) i--;
  return i >= 0 && (work[i] === RBRACE || work[i] === RBRACKET);
}

/**
 * Incremental JSON stream decoder with a cap on one value's size. `push` returns the frames
 * completed by a chunk; `end` flushes what the stream ended with.
 *
 * @example
 * ```ts
 * const d = new JsonStreamDecoder();
 * d.push(new TextEncoder().encode('{"a":1}{"b":\n2}\n')); // two frames
 * ```
 */
export class JsonStreamDecoder {
  // Bytes of the value being read (from its first byte); empty between values.
  #buf = new Uint8Array(0);
  #len = 0;
  // Scan position inside #buf of the next unread byte.
  #pos = 0;
  #state = VALUE;
  #inString = false;
  #stringIsKey = false;
  #stack: number[] = [];
  // Offset in #buf of a '{' that opened a line while a value was open: if a '"' follows,
  // the open value was a truncated message and the new line starts the next one.
  #resyncAt = -1;
  // The buffered bytes start a value on a line whose newline has not come yet; they are not
  // scanned unless they may already hold a whole value (see _mayEnd).
  #lazy = false;
  #atEof = false;
  readonly #decoder = new TextDecoder();

  constructor(readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes buffered for the current, unfinished value. */
  get pendingBytes(): number {
    return this.#len;
  }

  /** Frames completed by `chunk`; throws FrameTooLargeError (and resets) past the cap. */
  push(chunk: Uint8Array): JsonFrame[] {
    const out: JsonFrame[] = [];
    let work: Uint8Array;
    let len: number;
    let pos: number;
    // Start of the value being read in `work`, or -1 between values.
    let start: number;
    if (this.#len === 0) {
      work = chunk;
      len = chunk.length;
      pos = 0;
      start = -1;
    } else {
      const had = this.#len;
      this.#append(chunk);
      // A view of the filled part only: indexOf must not find stale bytes past it.
      work = this.#buf.subarray(0, this.#len);
      len = this.#len;
      pos = this.#pos;
      start = 0;
      if (this.#lazy) {
        const nl = work.indexOf(NL, had);
        if (nl === -1 && !this.#atEof && !_mayEnd(work)) {
          this.#keep(work, 0, len, 0);
          return out;
        }
        this.#lazy = false;
        pos = 0;
        if (nl !== -1 && nl <= this.maxFrameBytes) {
          const v = this.#parseLine(work, 0, nl);
          if (v !== _NOT_JSON) {
            out.push({ ok: true, value: v });
            pos = nl + 1;
            start = -1;
          }
        }
      }
    }
    let state = this.#state;
    let inString = this.#inString;
    const stack = this.#stack;
    let nextNl = -2; // cached position of the next newline at or after `pos` (-1: none)

    const emit = (end: number): void => {
      if (end - start > this.maxFrameBytes) {
        this.#reset();
        throw new FrameTooLargeError(this.maxFrameBytes);
      }
      const v = this.#parseLine(work, start, end);
      out.push(v === _NOT_JSON ? { ok: false } : { ok: true, value: v });
      start = -1;
      state = VALUE;
      stack.length = 0;
    };

    while (pos < len) {
      if (inString) {
        const q = work.indexOf(QUOTE, pos);
        if (nextNl !== -1 && nextNl < pos) nextNl = work.indexOf(NL, pos);
        const stop = q === -1 ? len : q;
        if (nextNl !== -1 && nextNl < stop) {
          // A raw newline cannot be inside a JSON string: the value was cut off.
          inString = false;
          state = SKIP;
          pos = nextNl;
          continue;
        }
        if (q === -1) {
          pos = len;
          break;
        }
        let k = q - 1;
        while (work[k] === BACKSLASH) k--;
        pos = q + 1;
        if ((q - 1 - k) % 2 === 1) continue; // escaped quote
        inString = false;
        if (this.#stringIsKey) state = COLON;
        else if (stack.length === 0) emit(pos);
        else state = AFTER;
        continue;
      }
      const c = work[pos];
      if (state === SKIP) {
        const nl = work.indexOf(NL, pos);
        if (nl === -1) {
          pos = len;
          break;
        }
        pos = nl + 1;
        start = -1;
        state = VALUE;
        stack.length = 0;
        out.push({ ok: false });
        continue;
      }
      if (state === TOKEN) {
        if (!_endsToken(c)) {
          pos++;
          continue;
        }
        if (stack.length === 0) {
          emit(pos);
          continue; // the delimiter is read again between values
        }
        state = AFTER;
      }
      if (_isSpace(c)) {
        pos++;
        continue;
      }
      if (this.#resyncAt !== -1) {
        const at = this.#resyncAt;
        this.#resyncAt = -1;
        if (pos === at + 1 && c === QUOTE) {
          out.push({ ok: false });
          start = at;
          stack.length = 0;
          state = VALUE;
          pos = at;
          continue;
        }
      }
      if (
        c === LBRACE && start !== -1 && start < pos && work[pos - 1] === NL && stack[0] === OBJ
      ) {
        // A '{' opening a line inside an open object, then '"': pretty-printers never write
        // that, so the open value was a truncated message and this line starts the next one.
        if (state === VALUE || state === VALUE_OR_CLOSE) {
          this.#resyncAt = pos;
        } else {
          out.push({ ok: false });
          start = pos;
          stack.length = 0;
          state = VALUE;
          continue;
        }
      }
      if (start === -1) {
        start = pos;
        // Fast path: a value alone on its line (what every encoder writes) is parsed whole,
        // without scanning; the scanner only handles what that does not cover.
        if (nextNl !== -1 && nextNl < pos) nextNl = work.indexOf(NL, pos);
        if (nextNl === -1) {
          if (!this.#atEof && !_mayEnd(work)) {
            this.#lazy = true;
            pos = len;
            break;
          }
        } else if (nextNl - pos <= this.maxFrameBytes) {
          const v = this.#parseLine(work, pos, nextNl);
          if (v !== _NOT_JSON) {
            out.push({ ok: true, value: v });
            pos = nextNl + 1;
            start = -1;
            continue;
          }
        }
      }
      switch (state) {
        case VALUE:
        case VALUE_OR_CLOSE:
          if ((c === LBRACE || c === LBRACKET) && stack.length >= MAX_DEPTH) {
            state = SKIP;
            continue;
          } else if (c === LBRACE) {
            stack.push(OBJ);
            state = KEY_OR_CLOSE;
          } else if (c === LBRACKET) {
            stack.push(ARR);
            state = VALUE_OR_CLOSE;
          } else if (c === QUOTE) {
            inString = true;
            this.#stringIsKey = false;
          } else if (state === VALUE_OR_CLOSE && c === RBRACKET) {
            stack.pop();
            if (stack.length === 0) {
              pos++;
              emit(pos);
              continue;
            }
            state = AFTER;
          } else if (c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110) {
            state = TOKEN; // - digit t f n
          } else {
            state = SKIP;
            continue;
          }
          break;
        case KEY_OR_CLOSE:
        case KEY:
          if (c === QUOTE) {
            inString = true;
            this.#stringIsKey = true;
          } else if (state === KEY_OR_CLOSE && c === RBRACE) {
            stack.pop();
            if (stack.length === 0) {
              pos++;
              emit(pos);
              continue;
            }
            state = AFTER;
          } else {
            state = SKIP;
            continue;
          }
          break;
        case COLON:
          if (c !== COLON_CH) {
            state = SKIP;
            continue;
          }
          state = VALUE;
          break;
        case AFTER: {
          const top = stack[stack.length - 1];
          if (c === COMMA) {
            state = top === OBJ ? KEY : VALUE;
          } else if (c === (top === OBJ ? RBRACE : RBRACKET)) {
            stack.pop();
            if (stack.length === 0) {
              pos++;
              emit(pos);
              continue;
            }
          } else {
            state = SKIP;
            continue;
          }
          break;
        }
      }
      pos++;
    }

    this.#state = state;
    this.#inString = inString;
    this.#keep(work, start, len, pos);
    return out;
  }

  /** Flushes what the stream ended on: values not followed by a newline, or a cut-off one. */
  end(): JsonFrame[] {
    this.#atEof = true;
    const out = this.#len === 0 ? [] : this.push(new Uint8Array(0));
    if (this.#len > 0) {
      // What is left is one unfinished value or a bare token the stream ended on.
      const v = this.#parseLine(this.#buf, 0, this.#len);
      out.push(v === _NOT_JSON ? { ok: false } : { ok: true, value: v });
    }
    this.#reset();
    return out;
  }

  /** `work[from, to)` parsed, or _NOT_JSON. */
  #parseLine(work: Uint8Array, from: number, to: number): unknown {
    try {
      return JSON.parse(this.#decoder.decode(work.subarray(from, to)));
    } catch {
      return _NOT_JSON;
    }
  }

  #reset(): void {
    this.#buf = new Uint8Array(0);
    this.#len = 0;
    this.#pos = 0;
    this.#state = VALUE;
    this.#inString = false;
    this.#stack.length = 0;
    this.#resyncAt = -1;
    this.#lazy = false;
    this.#atEof = false;
  }

  /** Keeps the unfinished value `work[start, len)` for the next push. */
  #keep(work: Uint8Array, start: number, len: number, pos: number): void {
    if (start === -1) {
      this.#len = 0;
      this.#pos = 0;
      this.#resyncAt = -1;
      return;
    }
    const size = len - start;
    if (size > this.maxFrameBytes) {
      this.#reset();
      throw new FrameTooLargeError(this.maxFrameBytes);
    }
    if (this.#resyncAt !== -1) this.#resyncAt -= start;
    if (work.buffer === this.#buf.buffer) {
      if (start > 0) this.#buf.copyWithin(0, start, len);
    } else {
      if (this.#buf.length < size) this.#buf = new Uint8Array(Math.max(size, 4096));
      this.#buf.set(work.subarray(start, len));
    }
    this.#len = size;
    this.#pos = pos - start;
  }

  #append(chunk: Uint8Array): void {
    const need = this.#len + chunk.length;
    if (need > this.#buf.length) {
      const cap = Math.min(
        Math.max(need, this.#buf.length * 2),
        Math.max(need, this.maxFrameBytes + 1),
      );
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(chunk, this.#len);
    this.#len = need;
  }
}
