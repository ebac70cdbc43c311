/**
 * A remark about the user's input that does not stop the run (a key sipsim ignores, a server
 * address no host has…): where it is, so the user can go and look, and what is odd about it.
 */
export interface Warning {
  file: string;
  line?: number;
  message: string;
}

/** "file:line: message", as `validate` and the run summary print it. */
export function formatWarning(w: Warning): string {
  return escapeControl(`${w.file}${w.line !== undefined ? `:${w.line}` : ''}: ${w.message}`);
}

/**
 * Echoed input may hold control characters (a BEL, a stray CR, U+2028 LINE SEPARATOR): written
 * raw they ring the terminal, move the cursor or split the one-line message. Shown escaped
 * (\x07, \u2028) the user sees exactly what the file holds.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
