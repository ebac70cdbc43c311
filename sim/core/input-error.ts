import { escapeControl } from './warning.js';

/**
 * A mistake in the user's input (scenario YAML, phone .cfg, CLI flags). The CLI prints only the
 * message — "file:line: key: what was expected" — and exits 2; never a stack trace.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string | undefined,
    readonly problem: string,
  ) {
    // Escaped here, once, so every message stays one readable line whatever the input echoed.
    super(escapeControl(`${file}${line !== undefined ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${problem}`));
    this.name = 'InputError';
  }
}
