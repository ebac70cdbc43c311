import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
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
  /** The bytes, or the file's parts in order (a sweep's rows: one string of them may pass V8's string limit; made as they are written). */
  data: string | Buffer | Iterable<string | Buffer>;
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

function cannotWrite(o: { flag: string; target: string }, e: unknown): InputError {
  return new InputError(o.target, undefined, o.flag, `cannot write the output: ${errnoReason(e)}`);
}

/** An output being written: bytes go out as they come (a JSONL trace, a capture), or all at once. */
export interface OpenOutput {
  write(chunk: Buffer | string): void;
}

interface Staged {
  tmp: string;
  o: { flag: string; target: string };
  fd: number | undefined;
}

/**
 * The outputs of one command, all or nothing. Regular files are streamed into
 * `<file>.tmp-<pid>-<n>` and renamed into place by commit(), in the order they were opened (so
 * of two flags naming one file the later wins); a device, FIFO or socket is written in place as
 * bytes come; stdout through the CLI's writer. Any failure, or abort() (a bad input found
 * mid-run, an interrupt), removes every staged file and every directory made for them and
 * leaves the prior files untouched.
 */
export class OutputSet {
  private readonly staged: Staged[] = [];
  private readonly streams: { fd: number | undefined; o: { flag: string; target: string }; gone: boolean }[] = [];
  private readonly madeDirs: string[] = [];
  /** Each file target's absolute path and the flag that asked for it: two outputs, one file, is refused. */
  private readonly files = new Map<string, string>();
  private done = false;

  /** The run's input files as (device, inode): an output is never written over one (a symlink or hard link to it included). */
  private readonly inputs: { dev: number; ino: number; file: string }[];

  constructor(
    private readonly toStdout: (data: string | Buffer) => void,
    inputs: readonly string[] = [],
  ) {
    this.inputs = inputs.flatMap((file) => {
      try {
        const st = statSync(file);
        return [{ dev: st.dev, ino: st.ino, file }];
      } catch {
        return [];
      }
    });
  }

  open(flag: string, target: string): OpenOutput {
    const o = { flag, target };
    const kind = targetKind(target);
    if (kind === 'stdout') return { write: (c) => this.toStdout(c) };
    if (kind === 'stream') return this.openStream(o);
    if (isDirectoryPath(target)) throw new InputError(target, undefined, flag, 'cannot write the output: is a directory (EISDIR)');
    const abs = resolve(target);
    const input = this.inputOf(target);
    if (input !== undefined) throw new InputError(target, undefined, flag, `is ${input === abs ? 'an input' : `the same file as ${input}, an input`} of this run: the output would replace it; name another file`);
    // Renamed into place in order, the later would silently replace the earlier.
    const owner = this.files.get(abs);
    if (owner !== undefined) throw sharedTarget(target, flag, owner);
    this.files.set(abs, flag);
    try {
      makeParents(dirname(target), this.madeDirs);
    } catch (e) {
      throw notADirectory(o, e);
    }
    const s: Staged = { tmp: `${target}.tmp-${process.pid}-${this.staged.length}`, o, fd: undefined };
    this.staged.push(s);
    try {
      s.fd = openSync(s.tmp, 'w');
    } catch (e) {
      throw (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? notADirectory(o, e) : cannotWrite(o, e);
    }
    return {
      write: (c) => {
        try {
          writeAll(s.fd!, c);
        } catch (e) {
          throw cannotWrite(o, e);
        }
      },
    };
  }

  private inputOf(target: string): string | undefined {
    if (this.inputs.length === 0) return undefined;
    let st;
    try {
      st = statSync(target);
    } catch {
      return undefined; // not there yet: it cannot be an input
    }
    return this.inputs.find((i) => i.dev === st.dev && i.ino === st.ino)?.file;
  }

  /** Writes one whole output. */
  put(flag: string, target: string, data: Output['data']): void {
    const out = this.open(flag, target);
    if (typeof data === 'string' || Buffer.isBuffer(data)) out.write(data);
    else for (const part of data) out.write(part);
  }

  /** Closes every output and renames the staged files into place. */
  commit(): void {
    try {
      for (const s of this.staged) {
        try {
          closeSync(s.fd!);
          s.fd = undefined;
        } catch (e) {
          throw cannotWrite(s.o, e);
        }
      }
      this.closeStreams();
      while (this.staged.length > 0) {
        const s = this.staged[0]!;
        try {
          renameSync(s.tmp, s.o.target);
        } catch (e) {
          throw cannotWrite(s.o, e);
        }
        this.staged.shift();
      }
      this.done = true;
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Removes everything staged (idempotent; a committed set keeps its files). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.closeStreams();
    for (const s of this.staged) {
      if (s.fd !== undefined) tryQuietly(() => closeSync(s.fd!));
      tryQuietly(() => unlinkSync(s.tmp));
    }
    // Deepest first: a directory made for a file is empty once its temporary files are gone.
    for (const d of this.madeDirs.sort((a, b) => b.length - a.length)) tryQuietly(() => rmdirSync(d));
  }

  /** A device, FIFO or socket, written as it is. Opening a FIFO waits for its reader, as `cat > fifo` does. */
  private openStream(o: { flag: string; target: string }): OpenOutput {
    const st = { fd: undefined as number | undefined, o, gone: false };
    this.streams.push(st);
    try {
      st.fd = openSync(o.target, 'w');
    } catch (e) {
      throw cannotWrite(o, e);
    }
    return {
      write: (c) => {
        if (st.gone) return;
        try {
          writeAll(st.fd!, c);
        } catch (e) {
          // A reader that went away (`head`, a closed Wireshark) chose to stop reading: not an error.
          if ((e as NodeJS.ErrnoException).code === 'EPIPE') st.gone = true;
          else throw cannotWrite(o, e);
        }
      },
    };
  }

  private closeStreams(): void {
    for (const st of this.streams) {
      if (st.fd !== undefined) tryQuietly(() => closeSync(st.fd!));
      st.fd = undefined;
    }
  }
}

/**
 * Writes whole outputs all or nothing (see OutputSet). `toStdout` writes to the process's
 * stdout and throws on failure (the CLI owns that stream).
 */
export function writeOutputs(outputs: Output[], toStdout: (data: string | Buffer) => void, inputs: readonly string[] = []): void {
  const set = new OutputSet(toStdout, inputs);
  try {
    for (const o of outputs) set.put(o.flag, o.target, o.data);
  } catch (e) {
    set.abort();
    throw e;
  }
  set.commit();
}

function writeAll(fd: number, c: Buffer | string): void {
  const buf = typeof c === 'string' ? Buffer.from(c) : c;
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
}

/** `--out report.txt`: name the file that stands where a directory must be, not the errno of mkdir. */
function notADirectory(o: { flag: string; target: string }, e: unknown): InputError {
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

/** Two outputs of one run aimed at one file (`owner` asked for it first). */
export function sharedTarget(target: string, flag: string, owner: string): InputError {
  return new InputError(target, undefined, flag, `is also where ${owner} writes another output: one file cannot hold both, name another`);
}

/** Whether p is a directory now (false when it is not there or cannot be looked at). */
export function isDirectoryPath(p: string): boolean {
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
