/** `emptyDir` source: a fresh managed directory. */

/** Creates `target` (and missing parents), mode 0755. */
export async function makeEmptyDir(target: string): Promise<void> {
  await Deno.mkdir(target, { recursive: true, mode: 0o755 });
}
