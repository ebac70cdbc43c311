import { expect } from 'chai';
import fc from 'fast-check';
import type { RegistrationState } from '../../sim/core/trace.js';
import {
  RegistrationInput, RegistrationMachineState, RegistrationPolicy, RegistrationStep, initialRegistration, nextRegistration,
} from '../../sim/phone/registration-machine.js';

const policy: RegistrationPolicy = {
  retryInterval: 30_000_000,
  refreshAfter: (granted) => Math.round(granted * 0.9 * 1_000_000),
};

function drive(inputs: RegistrationInput[], from: RegistrationMachineState = initialRegistration): RegistrationStep[] {
  let state = from;
  return inputs.map((i) => {
    const step = nextRegistration(state, i, policy);
    state = step.state;
    return step;
  });
}

const start: RegistrationInput = { type: 'start', reason: 'boot' };
const ok = (grantedSeconds: number): RegistrationInput => ({ type: 'ok', grantedSeconds, status: '200 OK' });
const fail = (reason: string, retryAfter?: number): RegistrationInput => ({ type: 'fail', reason, ...(retryAfter !== undefined ? { retryAfter } : {}) });
const refreshDue: RegistrationInput = { type: 'refresh-due' };
const retryDue: RegistrationInput = { type: 'retry-due' };

describe('registration machine (reference R3, R9)', () => {
  it('unregistered → registering on start, sending a REGISTER', () => {
    const [s] = drive([start]);
    expect(s).to.deep.equal({
      state: { phase: 'registering', failures: 0 },
      effects: [{ type: 'transition', from: 'unregistered', to: 'registering', reason: 'boot' }, { type: 'send-register' }],
    });
  });

  it('registering → registered on ok, scheduling the refresh from the granted lifetime', () => {
    const [, s] = drive([start, ok(3600)]);
    expect(s).to.deep.equal({
      state: { phase: 'registered', failures: 0 },
      effects: [
        { type: 'transition', from: 'registering', to: 'registered', reason: '200 OK, expires 3600s' },
        { type: 'schedule-refresh', after: 3_240_000_000 },
      ],
    });
  });

  it('uses the policy for the refresh: a shorter grant refreshes sooner', () => {
    const [, s] = drive([start, ok(60)]);
    expect(s!.effects.at(-1)).to.deep.equal({ type: 'schedule-refresh', after: 54_000_000 });
  });

  it('registered + refresh-due: a REGISTER goes out, the state stays registered (no transition)', () => {
    const [, , s] = drive([start, ok(3600), refreshDue]);
    expect(s).to.deep.equal({ state: { phase: 'registered', failures: 0 }, effects: [{ type: 'send-register' }] });
  });

  it('a successful renewal schedules the next refresh without a transition', () => {
    const [, , , s] = drive([start, ok(3600), refreshDue, ok(1800)]);
    expect(s!.effects).to.deep.equal([{ type: 'schedule-refresh', after: 1_620_000_000 }]);
  });

  describe('failure and retry', () => {
    const table: { name: string; retryAfter?: number; wait: number }[] = [
      { name: 'no Retry-After: the retry interval', wait: 30_000_000 },
      { name: 'Retry-After longer than the interval wins (120 s)', retryAfter: 120_000_000, wait: 120_000_000 },
      { name: 'Retry-After shorter than the interval is not honoured below it (10 s)', retryAfter: 10_000_000, wait: 30_000_000 },
      { name: 'Retry-After 0', retryAfter: 0, wait: 30_000_000 },
    ];
    for (const row of table) {
      it(`registering → failed, retry after max(interval, Retry-After): ${row.name}`, () => {
        const [, s] = drive([start, fail('503 Service Unavailable', row.retryAfter)]);
        expect(s).to.deep.equal({
          state: { phase: 'failed', failures: 1 },
          effects: [
            { type: 'transition', from: 'registering', to: 'failed', reason: '503 Service Unavailable' },
            { type: 'schedule-retry', after: row.wait },
          ],
        });
      });
    }

    it('failed → registering on retry-due, counting failures in the reason', () => {
      const steps = drive([start, fail('Timer F fired: no response'), retryDue, fail('Timer F fired: no response'), retryDue]);
      expect(steps[2]).to.deep.equal({
        state: { phase: 'registering', failures: 1 },
        effects: [{ type: 'transition', from: 'failed', to: 'registering', reason: 'retry after 1 failure' }, { type: 'send-register' }],
      });
      expect(steps[4]!.effects[0]).to.deep.equal({ type: 'transition', from: 'failed', to: 'registering', reason: 'retry after 2 failures' });
      expect(steps[4]!.state.failures).to.equal(2);
    });

    it('a success resets the failure count', () => {
      const steps = drive([start, fail('x'), retryDue, fail('x'), retryDue, ok(3600)]);
      expect(steps.at(-1)!.state).to.deep.equal({ phase: 'registered', failures: 0 });
    });

    it('a failed renewal takes registered → failed and schedules a retry', () => {
      const [, , , s] = drive([start, ok(3600), refreshDue, fail('ICMP port unreachable from srv1')]);
      expect(s).to.deep.equal({
        state: { phase: 'failed', failures: 1 },
        effects: [
          { type: 'transition', from: 'registered', to: 'failed', reason: 'ICMP port unreachable from srv1' },
          { type: 'schedule-retry', after: 30_000_000 },
        ],
      });
    });
  });

  describe('inputs in the wrong phase are ignored', () => {
    const cases: [string, RegistrationInput[], RegistrationInput][] = [
      ['start while registering', [start], start],
      ['refresh-due while unregistered', [], refreshDue],
      ['refresh-due while registering', [start], refreshDue],
      ['refresh-due while failed', [start, fail('x')], refreshDue],
      ['retry-due while unregistered', [], retryDue],
      ['retry-due while registering', [start], retryDue],
      ['retry-due while registered', [start, ok(3600)], retryDue],
    ];
    for (const [name, before, input] of cases) {
      it(name, () => {
        const steps = drive(before);
        const state = steps.at(-1)?.state ?? initialRegistration;
        expect(nextRegistration(state, input, policy)).to.deep.equal({ state, effects: [] });
      });
    }
  });

  it('property: transitions chain, entering registering always sends a REGISTER, a failure always schedules a retry', () => {
    const input: fc.Arbitrary<RegistrationInput> = fc.oneof(
      fc.constant(start),
      fc.integer({ min: 30, max: 7200 }).map(ok),
      fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }).map((s) => fail('x', s === undefined ? undefined : s * 1_000_000)),
      fc.constant(refreshDue),
      fc.constant(retryDue),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        let state = initialRegistration;
        for (const i of inputs) {
          const step = nextRegistration(state, i, policy);
          const transitions = step.effects.filter((e) => e.type === 'transition');
          expect(transitions.length).to.be.at.most(1);
          const tr = transitions[0] as { from: RegistrationState; to: RegistrationState } | undefined;
          if (tr) {
            expect(tr.from).to.equal(state.phase);
            expect(tr.to).to.equal(step.state.phase);
          } else if (step.state.phase !== state.phase) {
            expect.fail(`phase changed ${state.phase} → ${step.state.phase} without a transition effect`);
          }
          // Entering registering always sends a REGISTER; a failure always schedules a retry.
          if (tr?.to === 'registering') expect(step.effects.some((e) => e.type === 'send-register')).to.equal(true);
          if (step.state.phase === 'failed' && i.type === 'fail') expect(step.effects.some((e) => e.type === 'schedule-retry')).to.equal(true);
          state = step.state;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('registration retry back-off (reference A7, RFC 5626 §4.5) end to end', function () {
  this.timeout(30_000);
  it('reg_failed_retry_min_time 10 / max_time 60: waits of 50–100 % of min(60, 10·2^n) s between failures, seeded', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { loadScenario } = await import('../../sim/scenario/load-scenario.js');
    const { runRecorded } = await import('../../sim/scenario/run-scenario.js');
    const { repoRoot } = await import('../helpers/run-cli.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-backoff-'));
    const phones = path.join(repoRoot, 'scenarios/phones');
    const file = path.join(dir, 'b.yaml');
    fs.writeFileSync(file, [
      // The back-off is read over many failures: registrationRetryScope unbounded (the ★ retryCounts
      // would give up after retry_counts = 3 repeats, AMB-35).
      'name: backoff', 'duration: 10m', 'model: { registrationRetryScope: unbounded }',
      `phones: { bob: { address: 10.0.0.11, config: [${phones}/common.cfg, ${phones}/bob.cfg], settings: { account.1.reg_failed_retry_min_time: 10, account.1.reg_failed_retry_max_time: 60 } } }`,
      'servers: { sip1: { address: 10.0.0.1 } }',
      'events: [ { at: 0s, fail: sip1, mode: unreachable }, { at: 0s, boot: bob } ]',
    ].join('\n'));
    const run = runRecorded(loadScenario(file));
    const t = (r: { t: number }): number => r.t / 1e6;
    const failed = run.records.filter((r) => r.kind === 'phone.registration' && r.to === 'failed').map(t);
    const retried = run.records.filter((r) => r.kind === 'phone.registration' && r.from === 'failed' && r.to === 'registering').map(t);
    expect(failed.length).to.be.greaterThan(5);
    retried.forEach((at, i) => {
      const cap = Math.min(60, 10 * 2 ** (i + 1));
      const wait = at - failed[i]!;
      expect(wait, `wait after failure ${i + 1}`).to.be.within(cap / 2, cap);
    });
    const again = runRecorded(loadScenario(file)).records.filter((r) => r.kind === 'phone.registration').map(t);
    expect(again).to.deep.equal(run.records.filter((r) => r.kind === 'phone.registration').map(t));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('registration machine: AMB-35 maxRetries (registrationRetryScope = retryCounts)', () => {
  it('with maxRetries 2: the first failure and two repeats schedule a retry, the third repeat failing gives up (no retry effect)', () => {
    const bounded: RegistrationPolicy = { ...policy, maxRetries: 2 };
    let state = initialRegistration;
    const retries: boolean[] = [];
    for (const i of [start, fail('x'), retryDue, fail('x'), retryDue, fail('x')]) {
      const step = nextRegistration(state, i, bounded);
      state = step.state;
      if (i.type === 'fail') retries.push(step.effects.some((e) => e.type === 'schedule-retry'));
    }
    expect(retries).to.deep.equal([true, true, false]);
    expect(state).to.deep.equal({ phase: 'failed', failures: 3 });
  });
});
