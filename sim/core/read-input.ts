import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from './input-error.js';

/**
 * The largest input file (scenario YAML, phone .cfg) sipsim reads. The bundled ones are a few
 * kB; a real provisioning file is tens of kB. 16 MiB is far beyond any hand-written input and
 * still small enough that parsing it cannot exhaust memory.
 */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a user's input file as UTF-8, or says in words why not. Only regular files are read:
 * a device (/dev/urandom) would be read for ever and a FIFO would block until a writer comes.
 * The file is opened non-blocking (so even a FIFO swapped in after a check cannot hang the
 * open), checked with fstat on the open descriptor, and read to at most MAX_INPUT_BYTES + 1
 * bytes, so a file that grows after the size check still cannot make us read more.
 */
export function readBoundedText(file: string): { text: string } | { problem: string } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { problem: cannotRead(e) };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { problem: 'cannot read the file: it is a directory' };
    if (!st.isFile()) return { problem: 'cannot read the file: not a regular file (a device, FIFO or socket)' };
    if (st.size > MAX_INPUT_BYTES) return { problem: tooLarge() };
    const chunks: Buffer[] = [];
    let total = 0;
    // Chunked, so a small file costs a small buffer; stops one byte past the limit.
    while (total <= MAX_INPUT_BYTES) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, MAX_INPUT_BYTES + 1 - total));
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      chunks.push(chunk.subarray(0, got));
      total += got;
    }
    if (total > MAX_INPUT_BYTES) return { problem: tooLarge() };
    return { text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (e) {
    return { problem: cannotRead(e) };
  } finally {
    closeSync(fd);
  }
}

/** readBoundedText for a file named on the command line: a failure is the file's own InputError. */
export function readInputFile(file: string): string {
  const r = readBoundedText(file);
  if ('problem' in r) throw new InputError(file, undefined, undefined, r.problem);
  return r.text;
}

function tooLarge(): string {
  return `the file is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, the most sipsim reads from one input file`;
}

function cannotRead(e: unknown): string {
  return `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
}
