/**
 * Why a target is missed, as measured on the 2-core machine of the latest report; shown
 * beside a missed target. Keyed by the start of the target's text.
 */
export const TARGET_NOTES: Readonly<Record<string, string>> = {
  "warm prompt over ARI":
    "a fixed ~4-5 ms per turn: two more JSON-RPC hops (ARI → agentd → runner socket → agent) and, on the way back, the event-log write and the agentd → watcher forward; next to the test agent's ~2 ms turn that is ~3×, next to the demo agent's ~0.4 s turn it is within 1.10×",
  "prompt --wait":
    "massctl is a fresh `deno run` per command: ~290 ms start-up against ~30 ms for an empty file, mostly module loading; the `yaml` package alone costs ~130 ms (every command imports it statically through output.ts / yaml_file.ts) and commander ~40 ms. acpx talks to an already-running queue owner",
  "create → idle":
    "mass starts two Deno processes one after the other (the agent-run, which loads the ACP SDK, zod, commander and logtape, then the agent) and records the run in KV; the floor starts only the agent",
  "agent-run RSS":
    "a bare `deno run` is ~33 MB; importing the ACP SDK alone (which carries its zod schemas) reaches ~56 MB, and runner/cli.ts with its modules ~70 MB before any work. The V8 heap flags took ~5 MB off an idle agent-run and ~50 MB off one after a long turn; 60 MB would need an agent-run that does not load the SDK's schemas",
  "events to an ARI watcher":
    "the agent-run itself delivers ~31k events/s to a watcher on its own socket (tests/bench/runner_bench_json.ts, same machine; the floor reads ~51k/s from the agent); through agentd it drops to ~8.5k/s because agentd forwards each event with its own awaited write (daemon/runs/watch.ts → peer.notify), strictly after reading it from the runner socket, while its event consumer reads the same stream. Next step: a bounded number of frames in flight per watch and queued frames coalesced into one write (today specs/agentrun.md says each forward waits for the ARI write)",
  "agentd RSS":
    "agentd keeps, per live run, a runner connection, an event consumer and its cursor; ~88 MB with 1 run, ~158 MB with 100 (~0.7 MB a run). The V8 heap flags that helped the agent-run are not applied to agentd: `mass server` runs under the command line the user typed",
  "recovery of":
    "recovery re-attaches every live run in parallel; a miss here means agentd was starved of CPU during the run",
};

/** The note for `target`, if one applies. */
export function targetNote(target: string): string | undefined {
  const key = Object.keys(TARGET_NOTES).find((k) => target.startsWith(k));
  return key ? TARGET_NOTES[key] : undefined;
}
