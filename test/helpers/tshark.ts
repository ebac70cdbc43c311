import { spawnSync } from 'node:child_process';

/** Display filter for packets Wireshark flags as malformed or with an error-severity expert item. */
export const MALFORMED_FILTER = '_ws.malformed || _ws.expert.severity == error';

let available: boolean | undefined;

/** True when a working `tshark` is on PATH (checked once per process). */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
    available = !r.error && r.status === 0;
  }
  return available;
}

/**
 * Runs `tshark -r FILE -T fields -e f1 … [-Y filter]` and returns one row per packet, split on tabs.
 * `extraArgs` go before `-r` (e.g. `['-o', 'udp.check_checksum:TRUE']`). Throws when tshark fails.
 */
export function tsharkFields(pcapPath: string, fields: string[], displayFilter?: string, extraArgs: string[] = []): string[][] {
  const args = [...extraArgs, '-r', pcapPath, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  if (displayFilter !== undefined) args.push('-Y', displayFilter);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

/** Number of packets tshark flags as malformed or carrying an error-level expert item. */
export function tsharkMalformedCount(pcapPath: string, extraArgs: string[] = []): number {
  return tsharkFields(pcapPath, ['frame.number'], MALFORMED_FILTER, extraArgs).length;
}
