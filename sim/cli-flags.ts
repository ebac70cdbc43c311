import { InputError } from './core/input-error.js';
import { checkModelValue, describeSpec, MODEL_OPTION_SPECS, ModelOptions } from './phone/model-options.js';

/** Flag parsers shared by the commands (commander argParser callbacks): bad values are InputErrors, exit 2. */

export function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InputError('--seed', undefined, undefined, `expected an integer, found "${v}"`);
  return Number(v);
}

export function parseModel(v: string, previous: Partial<ModelOptions>): Partial<ModelOptions> {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(v);
  const key = m?.[1] as keyof ModelOptions | undefined;
  if (!m || !key || !Object.hasOwn(MODEL_OPTION_SPECS, key)) {
    throw new InputError('--model', undefined, undefined, `expected key=value with key one of ${Object.keys(MODEL_OPTION_SPECS).join(', ')}, found "${v}"`);
  }
  const checked = checkModelValue(MODEL_OPTION_SPECS[key], m[2]!);
  if ('expected' in checked) throw new InputError('--model', undefined, key, `expected ${checked.expected}, found "${m[2]}"`);
  return { ...previous, [key]: checked.value };
}

export function modelHelp(): string {
  return Object.entries(MODEL_OPTION_SPECS)
    .map(([k, spec]) => `${k}=${describeSpec(spec)}`)
    .join('; ');
}

/**
 * An output path flag's parser. An empty value (`--out ""`, an unset shell variable) is a
 * mistake, not a request: commander would hand '' on, and `join('', 'runs.csv')` writes into
 * the working directory, so the outputs would land where the user never pointed.
 */
export function parseOutputPath(flag: string, what: 'file' | 'directory'): (v: string) => string {
  return (v: string): string => {
    if (v.trim() === '') throw new InputError(flag, undefined, undefined, `expected a ${what} name, found an empty value`);
    return v;
  };
}
