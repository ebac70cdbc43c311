/**
 * Escaping for everything the HTML page embeds from the run: host and display names, SIP
 * payloads, scenario names and expectation texts are user input, so none may open a tag, end
 * an attribute or close the inline <script> that carries the data.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * JSON for a <script type="application/json"> block: `<` becomes \u003c so `</script>` or
 * `<!--` inside a payload cannot end or change the script; `>` and `&` likewise, and the line
 * separators U+2028/2029, which older JS parsers reject in string literals.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
