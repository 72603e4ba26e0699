/** JSON-RPC outcomes in tests. */
import { errorCode } from "../../specs/errors.ts";

/** The JSON-RPC error code `p` fails with, or undefined when it succeeds. */
export async function codeOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (err) {
    return errorCode(err);
  }
  return undefined;
}
