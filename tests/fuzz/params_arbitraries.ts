/**
 * fast-check generators of JSON-RPC params: anything at all, and objects shaped like the
 * real params (the right member names, wrong or random values), which get further into
 * each handler. No generator can produce a git source, a local path or hooks, so a fuzzed
 * call never reaches the network or runs a command.
 */
import fc from "fast-check";

/** Any value, or no params member at all (undefined). */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.anything({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Names: random strings, near-misses of the naming rule, and non-strings. */
export const nameArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/),
  fc.constantFrom("", "..", "a/b", "A", "-x", "x".repeat(64), "nope"),
  fc.anything({ maxDepth: 1 }),
);

const prompt = fc.oneof(
  junk,
  fc.array(
    fc.record({
      type: fc.constantFrom("text", "image", "resource_link", "bogus"),
      // Prefixed so that no line is one of the test agent's commands.
      text: fc.string({ maxLength: 40 }).map((t) => `fuzz ${t.replace(/\n/g, " ")}`),
      data: fc.string({ maxLength: 10 }),
      uri: fc.string({ maxLength: 10 }),
    }, { requiredKeys: ["type"] }),
    { maxLength: 3 },
  ),
);

/** Objects with the members ARI and runner-RPC methods read, filled with random values. */
export function shapedParams(key: fc.Arbitrary<{ workspace: unknown; name: unknown }>) {
  return fc.tuple(
    key,
    fc.record({
      metadata: fc.record({ name: nameArb, workspace: nameArb, labels: junk }, {
        requiredKeys: [],
      }),
      spec: fc.record({
        agent: nameArb,
        source: fc.record({ type: fc.constantFrom("emptyDir", "bogus", 3), path: junk }, {
          requiredKeys: [],
        }),
        command: fc.oneof(fc.string({ maxLength: 20 }), junk),
        args: junk,
        restartPolicy: fc.oneof(fc.constantFrom("never", "always", "sometimes"), junk),
        eventLog: junk,
      }, { requiredKeys: [] }),
      prompt,
      origin: fc.oneof(fc.constantFrom("user", "system"), junk),
      fromSeq: fc.oneof(fc.integer(), junk),
      watchId: fc.oneof(fc.uuid(), junk),
      modeId: fc.oneof(fc.constantFrom("default", "plan"), junk),
      modelId: fc.oneof(fc.constantFrom("demo-small", "test-small"), junk),
      configId: junk,
      value: junk,
      requestId: junk,
      optionId: fc.oneof(fc.constantFrom("allow", "reject"), junk),
      taskId: junk,
      text: fc.string({ maxLength: 30 }),
      to: nameArb,
      message: junk,
      fieldSelector: junk,
      labelSelector: junk,
      limit: junk,
    }, { requiredKeys: [] }),
  ).map(([k, rest]) => ({ ...rest, ...k }));
}
