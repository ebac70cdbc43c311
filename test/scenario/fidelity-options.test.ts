import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Fidelity options found by comparing with real SIP stacks: each defaults to the seed's
 * behaviour (the goldens do not move) and, set, changes instants on the wire as pinned here.
 */

const PHONES = path.join(repoRoot, 'scenarios', 'phones');

function run(file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] {
  return runRecorded(loadScenario(file), { model }).records;
}

/** (seconds, label, source port) of every packet `from` sends to `to`. */
function packets(records: readonly TraceEvent[], from: string, to: string): [number, string, number][] {
  return records.flatMap((r) => (r.kind === 'net.send' && r.from === from && r.to === to ? [[r.t / 1e6, r.label, r.src.port] as [number, string, number]] : []));
}

describe('fidelity options', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fidelity-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** alice (UDP, 20 ms links) registers with sip1/sip2 and calls at 10 s; `sip1` is sip1's server entry. */
  function ringScenario(name: string, sip1: string, settings = ''): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(
      file,
      [
        'name: ring',
        'duration: 2m',
        'phones:',
        `  alice: { address: 10.0.0.10, config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg]${settings} }`,
        'servers:',
        `  sip1: { address: 10.0.0.1${sip1} }`,
        '  sip2: { address: 10.0.0.2 }',
        'network: { default: { delay: 20ms } }',
        'events:',
        '  - { at: 0s, boot: alice }',
        '  - { at: 10s, call: { from: alice, to: "2000", duration: 5s } }',
        '',
      ].join('\n'),
    );
    return file;
  }

  const inviteAnswers = (records: readonly TraceEvent[]): [number, string][] =>
    packets(records, 'sip1', 'alice').filter(([, l]) => l.endsWith('(INVITE)')).map(([t, l]) => [t, l]);

  describe('server ringDelay', () => {
    it('0 (default): the 180 leaves with the 100 as the INVITE arrives (10.02 s), the 200 ringTime (5 s) later', () => {
      expect(inviteAnswers(run(ringScenario('r0.yaml', ', ringTime: 5s')))).to.deep.equal([
        [10.02, '100 Trying (INVITE)'],
        [10.02, '180 Ringing (INVITE)'],
        [15.02, '200 OK (INVITE)'],
      ]);
    });

    it('2s with ringTime 5s: the 180 leaves 2 s after the INVITE arrives, the 200 still 5 s after it', () => {
      expect(inviteAnswers(run(ringScenario('r2.yaml', ', ringTime: 5s, ringDelay: 2s')))).to.deep.equal([
        [10.02, '100 Trying (INVITE)'],
        [12.02, '180 Ringing (INVITE)'],
        [15.02, '200 OK (INVITE)'],
      ]);
    });

    it('no 180 after the call was CANCELled: ringDelay 20s, the phone gives up at noAnswerTimeout (10 s) and gets 487 only', () => {
      const file = ringScenario('rc.yaml', ', ringTime: 30s, ringDelay: 20s');
      const answers = inviteAnswers(run(file, { noAnswerTimeout: 10 }));
      expect(answers.map(([, l]) => l)).to.deep.equal(['100 Trying (INVITE)', '487 Request Terminated (INVITE)']);
      expect(answers[1]![0]).to.be.below(30.02);
    });

    it('ringDelay longer than ringTime (or than the 1 s default) is refused: exit 2, file:line: servers.sip1.ringDelay', () => {
      for (const [name, entry, words] of [
        ['bad1.yaml', ', ringTime: 5s, ringDelay: 6s', 'at most ringTime (5s), found 6s'],
        ['bad2.yaml', ', ringDelay: 1.5s', 'at most ringTime (1s), found 1.5s'],
      ] as const) {
        const file = ringScenario(name, entry);
        const r = runCli(['run', file, '--quiet']);
        expect(r.code, name).to.equal(2);
        expect(r.stderr, name).to.equal(`sipsim: ${file}:6: servers.sip1.ringDelay: ${words}\n`);
      }
    });
  });

  describe('model option tcpSynLinearTimeouts (13-tcp-primary-silent: SYNs to the silent sip1 from 60 ms)', () => {
    const s13 = path.join(repoRoot, 'scenarios', '13-tcp-primary-silent.yaml');
    const syns = (model: Partial<ModelOptions>): number[] => packets(run(s13, model), 'frank', 'sip1').filter(([t, l]) => t < 40 && l.startsWith('SYN')).map(([t]) => t);

    it('0 (default): 1, 2, 4, 8, 16 s gaps; 2: three 1 s gaps, then doubling — Timer F still moves to sip2 at 32.06 s', () => {
      expect(syns({})).to.deep.equal([0.06, 1.06, 3.06, 7.06, 15.06, 31.06]);
      expect(syns({ tcpSynLinearTimeouts: 2 })).to.deep.equal([0.06, 1.06, 2.06, 3.06, 5.06, 9.06, 17.06]);
      const toSip2 = packets(run(s13, { tcpSynLinearTimeouts: 2 }), 'frank', 'sip2');
      expect(toSip2[0]!.slice(0, 2)).to.deep.equal([32.06, 'SYN']);
    });

    it('--model accepts integers 0..20 only (exit 2 otherwise); the summary\'s model line shows the value', () => {
      for (const bad of ['tcpSynLinearTimeouts=21', 'tcpSynLinearTimeouts=1.5', 'tcpSynLinearTimeouts=-1']) {
        const r = runCli(['run', s13, '--quiet', '--model', bad]);
        expect(r.code, bad).to.equal(2);
        expect(r.stderr, bad).to.match(/^sipsim: --model: tcpSynLinearTimeouts: expected an integer from 0 to 20/);
      }
      expect(runCli(['run', s13, '--model', 'tcpSynLinearTimeouts=4']).stdout).to.contain(' tcpSynLinearTimeouts=4 ');
    });
  });

  describe('model option tcpConnectOnTimeout (frank over TCP to sip1 only; sip1 silent from 0 s)', () => {
    /** sip1 silent at 0 s (back at `recover` if given); REGISTER Timer F at 32 s, retry 30 s later. */
    function tcpScenario(name: string, recover?: string): string {
      const file = path.join(tmp, name);
      fs.writeFileSync(
        file,
        [
          'name: tcp connect outlives its transaction',
          'duration: 3m',
          'phones:',
          '  frank:',
          '    address: 10.0.0.15',
          `    config: [${PHONES}/common.cfg, ${PHONES}/frank-tcp.cfg]`,
          '    settings: { account.1.sip_server.1.address: 10.0.0.1, account.1.sip_server.1.port: 5060 }',
          'servers: { sip1: { address: 10.0.0.1 } }',
          'network: { default: { delay: 10ms } }',
          'events:',
          '  - { at: 0s, fail: sip1, mode: silent }',
          '  - { at: 0s, boot: frank }',
          ...(recover ? [`  - { at: ${recover}, recover: sip1 }`] : []),
          '',
        ].join('\n'),
      );
      return file;
    }

    it('abandon (default): the connect is closed at Timer F (32 s); the retry at 62 s opens a new connection and registers at once', () => {
      const sent = packets(run(tcpScenario('a.yaml', '40s')), 'frank', 'sip1');
      expect(sent.filter(([t]) => t >= 60).map(([t, l]) => [t, l])).to.deep.equal([
        [62, 'SYN'],
        [62.02, 'ACK'],
        [62.02, 'REGISTER'],
        [62.04, 'ACK'],
      ]);
      expect(sent.find(([t]) => t === 62)![2], 'a new source port: a new connection').to.not.equal(sent[0]![2]);
    });

    it('keep: the SYNs go on after Timer F; the second REGISTER (62 s) waits on that connect and goes on it at 63.02 s, the stale one never goes', () => {
      const sent = packets(run(tcpScenario('k.yaml', '40s'), { tcpConnectOnTimeout: 'keep' }), 'frank', 'sip1');
      expect(sent.map(([t, l]) => [t, l])).to.deep.equal([
        [0, 'SYN'],
        [1, 'SYN [retransmission]'],
        [3, 'SYN [retransmission]'],
        [7, 'SYN [retransmission]'],
        [15, 'SYN [retransmission]'],
        [31, 'SYN [retransmission]'],
        [63, 'SYN [retransmission]'],
        [63.02, 'ACK'],
        [63.02, 'REGISTER'],
        [63.04, 'ACK'],
      ]);
      expect(new Set(sent.map(([, , port]) => port)).size, 'one connection throughout').to.equal(1);
    });

    it('keep, sip1 never back: the connect gives up at 127 s (tcpSynRetries 6), failing the REGISTER waiting on it; the next one at 157 s connects anew', () => {
      const records = run(tcpScenario('n.yaml'), { tcpConnectOnTimeout: 'keep' });
      const fails = records.flatMap((r) => (r.kind === 'phone.registration' && r.to === 'failed' ? [[r.t / 1e6, r.reason]] : []));
      expect(fails).to.deep.equal([
        [32, 'sip1: Timer F fired, no response'],
        [94, 'sip1: Timer F fired, no response'],
        [127, 'TCP connection to sip1 timed out'],
      ]);
      const syns = packets(records, 'frank', 'sip1').filter(([, l]) => l.startsWith('SYN'));
      expect(syns.map(([t]) => t)).to.deep.equal([0, 1, 3, 7, 15, 31, 63, 157, 158, 160, 164, 172]);
      expect(syns[7]![2]).to.not.equal(syns[0]![2]);
    });
  });
});
