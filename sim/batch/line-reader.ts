import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { errnoReason } from '../cli-outputs.js';
import { InputError } from '../core/input-error.js';

/**
 * A UTF-8 text file one line at a time, read 1 MB at a time: a shard's runs.jsonl of millions of
 * rows is past V8's string limit as one string, and a merge reads several shards side by side.
 * A character split across two reads is decoded whole. Errors name the file (exit 2).
 */
export class LineReader {
  private fd: number | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private lines: string[] = [];
  private at = 0;
  private rest = '';
  private eof = false;
  /** The number of the line next() last returned (1-based). */
  line = 0;

  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, 'r');
    } catch (e) {
      throw new InputError(file, undefined, undefined, `cannot read the shard output: ${errnoReason(e)}`);
    }
  }

  /** The next line, without its newline; undefined at the end (the file is then closed). */
  next(): string | undefined {
    while (this.at === this.lines.length) {
      if (this.eof) return undefined;
      this.fill();
    }
    this.line++;
    return this.lines[this.at++];
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private fill(): void {
    let got: number;
    try {
      got = readSync(this.fd!, this.buf, 0, this.buf.length, null);
    } catch (e) {
      this.close();
      throw new InputError(this.file, undefined, undefined, `cannot read the shard output: ${errnoReason(e)}`);
    }
    const text = this.rest + (got === 0 ? this.decoder.end() : this.decoder.write(this.buf.subarray(0, got)));
    this.lines = text.split('\n');
    this.at = 0;
    if (got === 0) {
      this.eof = true;
      this.rest = '';
      // A file that ends with its newline has no last line after it.
      if (this.lines[this.lines.length - 1] === '') this.lines.pop();
      this.close();
    } else {
      this.rest = this.lines.pop()!;
    }
  }
}
