import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { InputError } from './core/input-error.js';

/**
 * Writes the files of a run all or nothing. A full disk, a path under a file or a read-only
 * directory is the user's to fix, so each failure is an InputError naming the path (exit 2),
 * and no output of the run is left behind as if it had succeeded.
 */

/** One output of a run: the flag that asked for it (for the message), where, and what. */
export interface Output {
  flag: string;
  target: string;
  data: string | Buffer;
}

/**
 * How a target is written. A regular (or not yet existing) file is staged as a temporary file
 * then renamed over the old one, so a reader never sees half of it. A device, FIFO or socket
 * must be written in place: renaming over it would replace, e.g., /dev/null with a regular
 * file. `-` and any path that is the process's own stdout (/dev/stdout, /dev/fd/1) go through
 * process.stdout, so they neither truncate a redirected stdout nor interleave with it.
 */
export type TargetKind = 'file' | 'stream' | 'stdout';

export function targetKind(target: string): TargetKind {
  if (target === '-') return 'stdout';
  let st;
  try {
    st = statSync(target);
  } catch {
    // Not there (or not reachable): staging creates it, or reports why it cannot.
    return 'file';
  }
  if (st.isDirectory()) return 'file'; // writeOutputs reports it before staging anything
  // Only a file or pipe behind stdout needs it: `--pcap /dev/null > /dev/null` is still just a device.
  const out = st.isCharacterDevice() ? undefined : stdoutIdentity();
  if (out && st.dev === out.dev && st.ino === out.ino) return 'stdout';
  return st.isFile() ? 'file' : 'stream';
}

function stdoutIdentity(): { dev: number; ino: number } | undefined {
  try {
    const st = fstatSync(1);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** "ENOSPC" → "no space left on device (ENOSPC)", from the system's own table. */
export function errnoReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const entry = typeof err.errno === 'number' ? getSystemErrorMap().get(err.errno) : undefined;
  if (entry) return `${entry[1]} (${entry[0]})`;
  return err.code ?? String(e);
}

function cannotWrite(o: Output, e: unknown): InputError {
  return new InputError(o.target, undefined, o.flag, `cannot write the output: ${errnoReason(e)}`);
}

/**
 * Stages every regular file as `<file>.tmp-<pid>`, then writes the streams in place, then
 * renames the staged files. Any failure deletes every staged file and every directory made
 * for them, leaves the prior files untouched, and throws an InputError. `toStdout` writes to
 * the process's stdout and throws on failure (the CLI owns that stream).
 */
export function writeOutputs(outputs: Output[], toStdout: (data: string | Buffer) => void): void {
  const staged: { tmp: string; o: Output }[] = [];
  const madeDirs: string[] = [];
  const undo = (): void => {
    for (const s of staged) tryQuietly(() => unlinkSync(s.tmp));
    // Deepest first: a directory made for a file is empty once its temporary files are gone.
    for (const d of madeDirs.sort((a, b) => b.length - a.length)) tryQuietly(() => rmdirSync(d));
  };
  const kinds = outputs.map((o) => targetKind(o.target));
  try {
    for (const [i, o] of outputs.entries()) {
      if (kinds[i] !== 'file') continue;
      // Two flags naming one file: the later wins, as it would by writing over the first.
      if (outputs.slice(i + 1).some((later) => later.target === o.target)) continue;
      if (isDirectory(o.target)) throw new InputError(o.target, undefined, o.flag, 'cannot write the output: is a directory (EISDIR)');
      const tmp = `${o.target}.tmp-${process.pid}`;
      try {
        makeParents(dirname(o.target), madeDirs);
      } catch (e) {
        throw notADirectory(o, e);
      }
      try {
        staged.push({ tmp, o });
        writeFileSync(tmp, o.data);
      } catch (e) {
        throw (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? notADirectory(o, e) : cannotWrite(o, e);
      }
    }
    for (const [i, o] of outputs.entries()) {
      if (kinds[i] === 'stdout') toStdout(o.data);
      else if (kinds[i] === 'stream') writeInPlace(o);
    }
    while (staged.length > 0) {
      const s = staged[0]!;
      try {
        renameSync(s.tmp, s.o.target);
      } catch (e) {
        throw cannotWrite(s.o, e);
      }
      staged.shift();
    }
  } catch (e) {
    undo();
    throw e;
  }
}

/** Writes a device, FIFO or socket as it is. Opening a FIFO waits for its reader, as `cat > fifo` does. */
function writeInPlace(o: Output): void {
  let fd: number | undefined;
  try {
    fd = openSync(o.target, 'w');
    const buf = typeof o.data === 'string' ? Buffer.from(o.data) : o.data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    // A reader that went away (`head`, a closed Wireshark) chose to stop reading: not an error.
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw cannotWrite(o, e);
  } finally {
    if (fd !== undefined) tryQuietly(() => closeSync(fd!));
  }
}

/** `--out report.txt`: name the file that stands where a directory must be, not the errno of mkdir. */
function notADirectory(o: Output, e: unknown): InputError {
  for (let d = dirname(o.target); dirname(d) !== d; d = dirname(d)) {
    let st;
    try {
      st = statSync(d);
    } catch {
      continue;
    }
    if (!st.isDirectory()) return new InputError(d, undefined, o.flag, `is a file, not a directory, so it cannot hold ${o.target}`);
    break;
  }
  return new InputError(dirname(o.target), undefined, o.flag, `cannot make the directory: ${errnoReason(e)}`);
}

/**
 * mkdir -p that records each directory it makes in `made`, even when it fails half-way, so a
 * failed run can remove them again. Hand-made: Node's recursive mkdirSync spins forever on /proc.
 */
function makeParents(dir: string, made: string[]): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    mkdirSync(d);
    made.push(d);
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function tryQuietly(f: () => void): void {
  try {
    f();
  } catch {
    // Cleaning up after a failure: the first error is the one worth reporting.
  }
}
