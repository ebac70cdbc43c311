// @ts-ignore TS7016
import { expect } from 'chai';
import { InputError } from '../../sim/core/input-error.js';

/** Runs `fn`, expecting an InputError (a user mistake, exit 2 in the CLI); returns it. */
export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InputError);
    return e as InputError;
  }
  expect.fail('expected an InputError, nothing was thrown');
}
