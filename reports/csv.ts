import { stringify } from 'csv-stringify/sync';

/**
 * CSV text of rows, for the spreadsheets QA opens it in: a text cell that starts with = + - @
 * (or a tab or CR) gets a leading ' so that Excel, LibreOffice and Sheets show it instead of
 * evaluating it as a formula — a fleet or server named `=HYPERLINK(…)` in a scenario file is
 * text from the file (OWASP "CSV injection"). Numbers, negative ones too, are written as numbers.
 */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return stringify(rows as (string | number)[][], { escape_formulas: true });
}
