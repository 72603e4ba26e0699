/**
 * How many inputs a property test tries: `base` in the suite, scaled by MASS_FUZZ_SCALE for
 * the long mode (`MASS_FUZZ_SCALE=50 deno test -A tests/fuzz/`).
 */
export function fuzzRuns(base: number): number {
  const scale = Number(Deno.env.get("MASS_FUZZ_SCALE") ?? "1");
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
