import { expect } from 'chai';
import fc from 'fast-check';
import { CallEffect, CallInput, CallMachineState, initialCall, nextCall } from '../../sim/phone/call-machine.js';

/** Runs inputs through the pure machine from idle; no clock, no network. */
function drive(servers: number, inputs: CallInput[]): { state: CallMachineState; effects: CallEffect[][] } {
  let state = initialCall(servers);
  const effects: CallEffect[][] = [];
  for (const input of inputs) {
    const step = nextCall(state, input);
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects };
}

/** Effects without their human reasons, for structural comparison. */
function shape(effects: CallEffect[]): unknown[] {
  return effects.map((e) => {
    if (e.type !== 'transition') return e;
    const { reason: _reason, ...rest } = e;
    return rest;
  });
}

const reasonOf = (effects: CallEffect[]): string => effects.find((e) => e.type === 'transition')?.reason ?? '';

const start: CallInput = { type: 'start' };
const final = (status: number, reason = 'x'): CallInput => ({ type: 'final', status, reason });
const provisional = (status: number, reason = 'x'): CallInput => ({ type: 'provisional', status, reason });
const timeoutB: CallInput = { type: 'timeout', timer: 'B' };
const retryCounts: CallInput = { type: 'timeout', timer: 'retry-counts' };
const icmp: CallInput = { type: 'transport-error', cause: 'ICMP port unreachable from srv1' };
const hangup: CallInput = { type: 'hangup' };

describe('call machine (reference R1)', () => {
  describe('idle → trying: start', () => {
    it('sends the INVITE to server 0 first', () => {
      const { state, effects } = drive(3, [start]);
      expect(shape(effects[0]!)).to.deep.equal([
        { type: 'transition', from: 'idle', to: 'trying', index: 0 },
        { type: 'send-invite', index: 0 },
      ]);
      expect(state).to.deep.equal({ phase: 'trying', index: 0, servers: 3, tried: [0], afterProvisional: 'rfc', transactions: [], sent: 1 });
    });

    it('with no server configured the call fails at once, with an outcome', () => {
      const { state, effects } = drive(0, [start]);
      expect(shape(effects[0]!)).to.deep.equal([
        { type: 'transition', from: 'idle', to: 'failed', index: -1 },
        { type: 'outcome', outcome: 'failed', via: null },
      ]);
      expect(state.tried).to.deep.equal([]);
    });
  });

  describe('trying → trying (next server): failover', () => {
    const causes: [string, CallInput, RegExp][] = [
      ['503', final(503, 'Service Unavailable'), /503 Service Unavailable/],
      ['Timer B', timeoutB, /Timer B/],
      ['retry counts', retryCounts, /retry counts/],
      ['a transport error', icmp, /ICMP port unreachable/],
    ];
    for (const [name, input, why] of causes) {
      it(`${name} on server 0 moves to server 1, saying why`, () => {
        const { state, effects } = drive(3, [start, input]);
        expect(shape(effects[1]!)).to.deep.equal([
          { type: 'transition', from: 'trying', to: 'trying', index: 1 },
          { type: 'send-invite', index: 1 },
        ]);
        expect(reasonOf(effects[1]!)).to.match(why).and.to.match(/next server/);
        expect(state).to.deep.equal({ phase: 'trying', index: 1, servers: 3, tried: [0, 1], afterProvisional: 'rfc', transactions: [], sent: 1 });
      });

      it(`${name} after a provisional (proceeding) also moves on`, () => {
        const { state, effects } = drive(2, [start, provisional(180, 'Ringing'), input]);
        expect(shape(effects[2]!)).to.deep.equal([
          { type: 'transition', from: 'proceeding', to: 'trying', index: 1 },
          { type: 'send-invite', index: 1 },
        ]);
        expect(state.tried).to.deep.equal([0, 1]);
      });
    }

    it('walks the whole list: 503, Timer B, ICMP, then 200 on the last server', () => {
      const { state, effects } = drive(4, [start, final(503), timeoutB, icmp, final(200, 'OK')]);
      expect(effects.map((e) => e.filter((x) => x.type === 'send-invite'))).to.deep.equal([
        [{ type: 'send-invite', index: 0 }],
        [{ type: 'send-invite', index: 1 }],
        [{ type: 'send-invite', index: 2 }],
        [{ type: 'send-invite', index: 3 }],
        [],
      ]);
      expect(state).to.deep.equal({ phase: 'answered', index: 3, servers: 4, tried: [0, 1, 2, 3], afterProvisional: 'rfc', transactions: [], sent: 1 });
      expect(effects[4]!.find((e) => e.type === 'outcome')).to.deep.equal({ type: 'outcome', outcome: 'answered', via: 3 });
    });
  });

  describe('→ failed: every server exhausted', () => {
    for (const [name, input] of [['503', final(503)], ['Timer B', timeoutB], ['transport error', icmp]] as const) {
      it(`${name} on the last server fails the call with an outcome`, () => {
        const { state, effects } = drive(2, [start, final(503), input]);
        expect(shape(effects[2]!)).to.deep.equal([
          { type: 'transition', from: 'trying', to: 'failed', index: 1 },
          { type: 'outcome', outcome: 'failed', via: null },
        ]);
        expect(reasonOf(effects[2]!)).to.match(/every server tried/);
        expect(state).to.deep.equal({ phase: 'failed', index: 1, servers: 2, tried: [0, 1], afterProvisional: 'rfc', transactions: [], sent: 1 });
      });
    }
  });

  describe('→ busy / failed without failover: the callee or the request is the problem', () => {
    for (const status of [486, 600]) {
      it(`${status} → busy via the server that answered, no other server tried`, () => {
        const { state, effects } = drive(3, [start, final(status, 'Busy')]);
        expect(shape(effects[1]!)).to.deep.equal([
          { type: 'transition', from: 'trying', to: 'busy', index: 0 },
          { type: 'outcome', outcome: 'busy', via: 0 },
        ]);
        expect(state.tried).to.deep.equal([0]);
      });
    }

    for (const status of [302, 403, 404, 408, 480, 487, 500, 504, 603]) {
      it(`${status} → failed, no other server tried`, () => {
        const { state, effects } = drive(3, [start, provisional(180), final(status, 'Nope')]);
        expect(shape(effects[2]!)).to.deep.equal([
          { type: 'transition', from: 'proceeding', to: 'failed', index: 0 },
          { type: 'outcome', outcome: 'failed', via: null },
        ]);
        expect(reasonOf(effects[2]!)).to.contain(String(status));
        expect(state.tried).to.deep.equal([0]);
      });
    }
  });

  describe('trying → proceeding → answered → ended', () => {
    it('1xx → proceeding; 2xx → answered + send-ack + outcome + schedule-hangup; hangup → ended + send-bye', () => {
      const { state, effects } = drive(2, [start, provisional(180, 'Ringing'), final(200, 'OK'), hangup]);
      expect(shape(effects[1]!)).to.deep.equal([{ type: 'transition', from: 'trying', to: 'proceeding', index: 0 }]);
      expect(reasonOf(effects[1]!)).to.equal('180 Ringing');
      expect(shape(effects[2]!)).to.deep.equal([
        { type: 'transition', from: 'proceeding', to: 'answered', index: 0 },
        { type: 'send-ack' },
        { type: 'outcome', outcome: 'answered', via: 0 },
        { type: 'schedule-hangup' },
      ]);
      expect(shape(effects[3]!)).to.deep.equal([
        { type: 'transition', from: 'answered', to: 'ended', index: 0 },
        { type: 'send-bye' },
      ]);
      expect(state.phase).to.equal('ended');
    });

    it('a 2xx straight from trying (no provisional) is answered too', () => {
      const { state, effects } = drive(1, [start, final(200, 'OK')]);
      expect(effects[1]!.map((e) => e.type)).to.deep.equal(['transition', 'send-ack', 'outcome', 'schedule-hangup']);
      expect(state.phase).to.equal('answered');
    });
  });

  describe('inputs in the wrong phase are ignored (no state change, no effect)', () => {
    const cases: [string, CallInput[], CallInput][] = [
      ['start twice', [start], start],
      ['provisional before start', [], provisional(180)],
      ['final before start', [], final(200)],
      ['timeout before start', [], timeoutB],
      ['hangup before answer', [start], hangup],
      ['second provisional in proceeding', [start, provisional(180)], provisional(183)],
      ['2xx retransmission when answered', [start, final(200)], final(200)],
      ['503 when answered', [start, final(200)], final(503)],
      ['timeout when answered', [start, final(200)], timeoutB],
      ['transport error when answered', [start, final(200)], icmp],
      ['hangup twice', [start, final(200), hangup], hangup],
      ['final after busy', [start, final(486)], final(200)],
      ['timeout after failed', [start, final(404)], timeoutB],
      ['start after failed', [start, final(404)], start],
      ['provisional after ended', [start, final(200), hangup], provisional(180)],
    ];
    for (const [name, before, input] of cases) {
      it(name, () => {
        const { state } = drive(3, before);
        const step = nextCall(state, input);
        expect(step.effects).to.deep.equal([]);
        expect(step.state).to.deep.equal(state);
      });
    }
  });

  describe('properties', () => {
    const status = fc.constantFrom(200, 202, 302, 404, 486, 487, 500, 503, 600, 603);
    const input: fc.Arbitrary<CallInput> = fc.oneof(
      fc.constant(start),
      fc.constantFrom(100, 180, 183).map((s) => provisional(s)),
      status.map((s) => final(s)),
      fc.constantFrom('B', 'retry-counts').map((timer): CallInput => ({ type: 'timeout', timer })),
      fc.constant(icmp),
      fc.constant(hangup),
    );

    it('for any input sequence: at most one attempt per server, tried strictly increasing, one outcome once final', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 4 }), fc.array(input, { maxLength: 30 }), (servers, inputs) => {
          let state = initialCall(servers);
          let outcomes = 0;
          let invites: number[] = [];
          let lastTo: string = 'idle';
          for (const i of inputs) {
            const step = nextCall(state, i);
            for (const e of step.effects) {
              if (e.type === 'outcome') outcomes++;
              if (e.type === 'send-invite') invites = [...invites, e.index];
              if (e.type === 'transition') {
                expect(e.from, 'transitions chain').to.equal(lastTo);
                lastTo = e.to;
              }
            }
            expect(step.state.phase).to.equal(lastTo);
            state = step.state;
            expect(state.tried.length).to.be.at.most(servers);
            for (let k = 1; k < state.tried.length; k++) expect(state.tried[k]!).to.be.greaterThan(state.tried[k - 1]!);
            expect(state.tried.every((t) => t >= 0 && t < servers)).to.equal(true);
            expect(invites, 'one INVITE per server tried').to.deep.equal(state.tried);
            const done = ['answered', 'ended', 'failed', 'busy'].includes(state.phase);
            expect(outcomes, `phase ${state.phase}`).to.equal(done ? 1 : 0);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('the outcome names the server that answered or was busy, and none for a failure', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4 }), fc.array(input, { maxLength: 30 }), (servers, inputs) => {
          let state = initialCall(servers);
          for (const i of inputs) {
            const step = nextCall(state, i);
            for (const e of step.effects) {
              if (e.type !== 'outcome') continue;
              if (e.outcome === 'failed') expect(e.via).to.equal(null);
              else expect(e.via).to.equal(state.tried.at(-1));
            }
            state = step.state;
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('call machine: no answer', () => {
  it('ringing too long: CANCEL first, then failed with an outcome — no failover to the next server', async () => {
    const { initialCall, nextCall } = await import('../../sim/phone/call-machine.js');
    let s = nextCall(initialCall(2), { type: 'start' }).state;
    s = nextCall(s, { type: 'provisional', status: 180, reason: 'Ringing' }).state;
    const step = nextCall(s, { type: 'no-answer' });
    expect(step.state.phase).to.equal('failed');
    expect(step.state.tried).to.deep.equal([0]);
    expect(step.effects.map((e) => e.type)).to.deep.equal(['send-cancel', 'transition', 'outcome']);
    expect(nextCall(nextCall(initialCall(2), { type: 'start' }).state, { type: 'no-answer' }).effects).to.deep.equal([]);
  });
});

describe('call machine: AMB-03 provisionalStopsFailover', () => {
  const ringing = (mode: 'rfc' | 'appTimer' | 'noFailoverAfter1xx'): CallMachineState =>
    nextCall(nextCall(initialCall(2, mode), start).state, provisional(180, 'Ringing')).state;
  it('appTimer: ringing too long is the server failing — CANCEL, then the INVITE to server 1', () => {
    const step = nextCall(ringing('appTimer'), { type: 'no-answer' });
    expect([step.state.phase, step.state.index, step.state.tried]).to.deep.equal(['trying', 1, [0, 1]]);
    expect(step.effects.map((e) => e.type)).to.deep.equal(['send-cancel', 'transition', 'send-invite']);
  });
  it('appTimer on the last server: CANCEL, then failed — every server tried', () => {
    let s = nextCall(ringing('appTimer'), { type: 'no-answer' }).state;
    s = nextCall(s, provisional(180, 'Ringing')).state;
    const step = nextCall(s, { type: 'no-answer' });
    expect(step.state.phase).to.equal('failed');
    expect(reasonOf(step.effects)).to.match(/every server tried$/);
  });
  it('noFailoverAfter1xx: a 503 or a transport error after the 180 fails the call; before any 1xx they still fail over', () => {
    for (const input of [final(503, 'Service Unavailable'), icmp]) {
      const step = nextCall(ringing('noFailoverAfter1xx'), input);
      expect([step.state.phase, step.state.tried], input.type).to.deep.equal(['failed', [0]]);
    }
    const early = nextCall(nextCall(initialCall(2, 'noFailoverAfter1xx'), start).state, final(503, 'Service Unavailable'));
    expect([early.state.phase, early.state.index]).to.deep.equal(['trying', 1]);
  });
  it('rfc (default): a 503 after the 180 fails over', () => {
    expect(nextCall(ringing('rfc'), final(503)).state.index).to.equal(1);
  });
});

describe('call machine: AMB-01 retryCounts = transactions (whole INVITE transactions per server)', () => {
  const feed = (s: CallMachineState, inputs: CallInput[]): { state: CallMachineState; effects: CallEffect[][] } => {
    const effects: CallEffect[][] = [];
    for (const i of inputs) {
      const step = nextCall(s, i);
      s = step.state;
      effects.push(step.effects);
    }
    return { state: s, effects };
  };
  it('3 transactions on server 0: the 1st and 2nd Timer B send another INVITE to server 0, the 3rd moves to server 1', () => {
    const { state, effects } = feed(initialCall(2, 'rfc', [3, 1]), [start, timeoutB, timeoutB, timeoutB]);
    expect(effects.slice(1).map((e) => e.filter((x) => x.type === 'send-invite'))).to.deep.equal([
      [{ type: 'send-invite', index: 0 }], [{ type: 'send-invite', index: 0 }], [{ type: 'send-invite', index: 1 }],
    ]);
    expect(reasonOf(effects[1]!)).to.equal('Timer B fired: no response; INVITE transaction 2 of 3 to this server (retryCounts = transactions)');
    expect(reasonOf(effects[2]!)).to.equal('Timer B fired: no response; INVITE transaction 3 of 3 to this server (retryCounts = transactions)');
    expect([state.index, state.tried, state.sent]).to.deep.equal([1, [0, 1], 1]);
  });
  it('a 503 or a transport error still moves on at once, whatever transactions are left', () => {
    for (const input of [final(503), icmp]) {
      const { state } = feed(initialCall(2, 'rfc', [3, 1]), [start, timeoutB, input]);
      expect([state.phase, state.index], input.type).to.deep.equal(['trying', 1]);
    }
  });
  it('transactions 1 (every other reading): the first timeout moves on', () => {
    expect(feed(initialCall(2, 'rfc', [1, 1]), [start, timeoutB]).state.index).to.equal(1);
  });
});
