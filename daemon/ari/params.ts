/**
 * Params validation for ARI handlers: zod schemas in, -32602 with a one-line message out.
 */
import type { z } from "zod";
import { InvalidParamsError } from "../../specs/errors.ts";
import { ListOptionsSchema } from "../../specs/ari.ts";
import { ARI_METHODS, type AriMethodName, type AriMethodTable } from "../../specs/ari_methods.ts";
import type { ListOptions } from "../../specs/ari.ts";
import { clip } from "../../specs/lib/clip.ts";

/** Renders zod issues as one line, each naming its field: `metadata.name: expected string`. */
export function describeZodError(err: z.ZodError): string {
  // Paths hold the client's record keys and messages may quote them: clip both.
  const parts = err.issues.slice(0, 3).map((issue) => {
    const field = issue.path.map((p) => clip(String(p))).join(".");
    const message = clip(issue.message, 200);
    return field ? `${field}: ${message}` : message;
  });
  if (err.issues.length > 3) parts.push(`(${err.issues.length - 3} more)`);
  return parts.join("; ").replace(/\s*\n\s*/g, " ");
}

/** Validates `params`; missing params → -32602 "missing params", bad fields → -32602. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  if (params === undefined || params === null) throw new InvalidParamsError("missing params");
  const res = schema.safeParse(params);
  if (!res.success) throw new InvalidParamsError(`invalid params: ${describeZodError(res.error)}`);
  return res.data;
}

/**
 * Validates `params` against the schema the ARI table (specs/ari_methods.ts) declares for
 * `method`: the handler and the typed client read the same declaration.
 */
export function methodParams<M extends AriMethodName>(
  method: M,
  params: unknown,
): z.output<AriMethodTable[M]["params"]> {
  return parseParams(ARI_METHODS[method].params, params) as z.output<AriMethodTable[M]["params"]>;
}

/** `*\/list` params: absent or null means "everything". */
export function parseListParams(params: unknown): ListOptions {
  if (params === undefined || params === null) return {};
  // Positional `[]` from some clients means no options.
  if (Array.isArray(params) && params.length === 0) return {};
  const opts = parseParams(ListOptionsSchema, params);
  return opts ?? {};
}
