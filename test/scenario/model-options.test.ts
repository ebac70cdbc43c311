import { expect } from 'chai';
import { payloadText } from '../../sim/core/trace.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Where the vendor text is ambiguous, each reading is a named model option (model-options.ts).
 * These tests pin what each reading does to the wire: the instants of the INVITEs to server 1
 * and of the first INVITE to server 2 in 02-server1-silent (sip1 silent, call at 1m, T1 0.5 s,
 * alice.cfg retry_counts = 3), and the REGISTER refresh instant.
 */

const S02 = path.join(repoRoot, 'scenarios', '02-server1-silent.yaml');
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

/** Instants (s) of the requests `method` that `from` sends to `to` (every transmission). */
function sends(records: readonly TraceEvent[], method: string, from: string, to: string): number[] {
  return records
    .filter((r) => r.kind === 'net.send' && r.proto === 'udp' && r.from === from && r.to === to && payloadText(r).startsWith(`${method} `))
    .map((r) => r.t / 1_000_000);
}

function run(file: string, model: Partial<ModelOptions> = {}): { records: readonly TraceEvent[]; model: ModelOptions } {
  const result = runRecorded(loadScenario(file), { model });
  return { records: result.records, model: result.model };
}

/** 02-server1-silent with extra lines under alice (e.g. settings) — config paths made absolute. */
function variantOf02(dir: string, name: string, phoneExtra: string, top = ''): string {
  const text = fs
    .readFileSync(S02, 'utf8')
    .replace('config: [phones/common.cfg, phones/alice.cfg]', `config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg]${phoneExtra}`)
    .replace(/^duration: 3m$/m, `duration: 3m${top}`);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('model options: inviteFailover / retryCounts on 02-server1-silent (sip1 silent, call at 60 s)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-model-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const cases: { title: string; model: Partial<ModelOptions>; sip1: number[]; sip2: number }[] = [
    {
      title: 'timer-b (default): sip1 retransmits at T1 doubling until Timer B (64·T1 = 32 s) → sip2 at 1m32s',
      model: {},
      sip1: [60, 60.5, 61.5, 63.5, 67.5, 75.5, 91.5],
      sip2: 92,
    },
    {
      title: 'timer-b given explicitly = the default',
      model: { inviteFailover: 'timer-b' },
      sip1: [60, 60.5, 61.5, 63.5, 67.5, 75.5, 91.5],
      sip2: 92,
    },
    {
      title: 'retry-counts + retransmissions-then-wait: 3 retransmissions, then sip2 when the 4th would be due',
      model: { inviteFailover: 'retry-counts', retryCounts: 'retransmissions-then-wait' },
      sip1: [60, 60.5, 61.5, 63.5],
      sip2: 67.5,
    },
    {
      title: 'retry-counts + retransmissions-then-move: sip2 right after the 3rd retransmission',
      model: { inviteFailover: 'retry-counts', retryCounts: 'retransmissions-then-move' },
      sip1: [60, 60.5, 61.5, 63.5],
      sip2: 63.5,
    },
    {
      title: 'retry-counts + sends-in-all: 3 sends in all, then sip2 when the 4th would be due',
      model: { inviteFailover: 'retry-counts', retryCounts: 'sends-in-all' },
      sip1: [60, 60.5, 61.5],
      sip2: 63.5,
    },
    {
      title: 'retry-counts alone reads retry counts as retransmissions-then-wait (the default)',
      model: { inviteFailover: 'retry-counts' },
      sip1: [60, 60.5, 61.5, 63.5],
      sip2: 67.5,
    },
  ];

  for (const c of cases) {
    it(c.title, () => {
      const { records, model } = run(S02, c.model);
      for (const [k, v] of Object.entries(c.model)) expect(model[k as keyof ModelOptions]).to.equal(v);
      expect(sends(records, 'INVITE', 'alice', 'sip1')).to.deep.equal(c.sip1);
      const sip2 = sends(records, 'INVITE', 'alice', 'sip2');
      expect(sip2[0], 'first INVITE to sip2').to.equal(c.sip2);
      // sip2 answers: it gets exactly one INVITE, and sip1 gets nothing after the move.
      expect(sip2).to.have.length(1);
      expect(sends(records, 'INVITE', 'alice', 'sip1').every((t) => t <= c.sip2)).to.equal(true);
    });
  }

  it('invite-retry-counts with account.1.sip_server.1.invite_retry_counts = 1: one retransmission, then wait → sip2 at 61.5 s', () => {
    const file = variantOf02(tmp, 'irc1.yaml', '\n    settings: { account.1.sip_server.1.invite_retry_counts: 1 }');
    const { records } = run(file, { inviteFailover: 'invite-retry-counts' });
    expect(sends(records, 'INVITE', 'alice', 'sip1')).to.deep.equal([60, 60.5]);
    expect(sends(records, 'INVITE', 'alice', 'sip2')[0]).to.equal(61.5);
  });

  it('invite-retry-counts reads invite_retry_counts, not retry_counts (retry_counts = 1, invite_retry_counts default 3 → sip2 at 67.5 s)', () => {
    const file = variantOf02(tmp, 'rc1.yaml', '\n    settings: { account.1.sip_server.1.retry_counts: 1 }');
    const { records } = run(file, { inviteFailover: 'invite-retry-counts' });
    expect(sends(records, 'INVITE', 'alice', 'sip1')).to.deep.equal([60, 60.5, 61.5, 63.5]);
    expect(sends(records, 'INVITE', 'alice', 'sip2')[0]).to.equal(67.5);
    // …while retry-counts does read it: 1 retransmission, then wait.
    const rc = run(file, { inviteFailover: 'retry-counts' });
    expect(sends(rc.records, 'INVITE', 'alice', 'sip2')[0]).to.equal(61.5);
  });

  it('a scenario `model:` key selects the option, and --model on the CLI overrides it', () => {
    const file = variantOf02(tmp, 'model-key.yaml', '', '\nmodel: { inviteFailover: retry-counts, retryCounts: sends-in-all }');
    expect(sends(run(file).records, 'INVITE', 'alice', 'sip2')[0]).to.equal(63.5);
    const json = path.join(tmp, 'override.jsonl');
    const r = runCli(['run', file, '--quiet', '--model', 'retryCounts=retransmissions-then-move', '--json', json]);
    // The scenario's own expectations are written for Timer B, so they fail: exit 1.
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.contain('model inviteFailover=retry-counts retryCounts=retransmissions-then-move');
    const records = fs
      .readFileSync(json, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: number; kind: string; from?: string; to?: string; payload?: string });
    const firstToSip2 = records.find((x) => x.kind === 'net.send' && x.from === 'alice' && x.to === 'sip2' && x.payload?.startsWith('INVITE '));
    expect(firstToSip2?.t).to.equal(63.5);
  });

  it('the CLI --model flag reaches the simulation: 02-server1-silent with retry-counts fails its Timer B expectations', () => {
    const r = runCli(['run', 'scenarios/02-server1-silent.yaml', '--quiet', '--model', 'inviteFailover=retry-counts']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/FAIL scenarios\/02-server1-silent\.yaml:\d+ \{ at: 1m32s, sends: \{ from: alice, to: sip2, method: INVITE \} \}/);
    expect(r.stdout).to.match(/seen instead: .*1m7\.5s/);
  });
});

describe('model option refreshFraction and account.1.register_expires_overlap (expires 60 s)', function () {
  this.timeout(30_000);
  let tmp: string;
  let file: string;
  const scenario = (extraSettings: string): string => `name: refresh
duration: 2m
phones:
  alice:
    address: 10.0.0.10
    config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg]
    settings:
      account.1.sip_server.1.expires: 60${extraSettings}
servers:
  sip1: { address: 10.0.0.1 }
  sip2: { address: 10.0.0.2 }
events:
  - { at: 0s, boot: alice }
`;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-refresh-'));
    file = path.join(tmp, 'refresh.yaml');
    fs.writeFileSync(file, scenario(''));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  // The registration completes when the 200 OK arrives, at 40 ms (two 20 ms hops); the refresh
  // is scheduled from there: 0.9 × 60 s = 54 s later.
  it('default (0.9): the REGISTER refresh goes 54 s after the registration', () => {
    const { records, model } = run(file);
    expect(model.refreshFraction).to.equal(0.9);
    expect(sends(records, 'REGISTER', 'alice', 'sip1')).to.deep.equal([0, 54.04, 108.08]);
    // sip2 keeps its 3600 s lifetime: no refresh within 2 minutes.
    expect(sends(records, 'REGISTER', 'alice', 'sip2')).to.deep.equal([0]);
  });

  it('--model refreshFraction=0.5: the refresh goes 30 s after the registration', () => {
    expect(sends(run(file, { refreshFraction: 0.5 }).records, 'REGISTER', 'alice', 'sip1')).to.deep.equal([0, 30.04, 60.08, 90.12]);
    const json = path.join(tmp, 'half.jsonl');
    const r = runCli(['run', file, '--quiet', '--model', 'refreshFraction=0.5', '--json', json]);
    expect(r.code, r.stderr).to.equal(0);
    const refresh = fs
      .readFileSync(json, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: number; kind: string; to?: string; payload?: string })
      .filter((x) => x.kind === 'net.send' && x.to === 'sip1' && x.payload?.startsWith('REGISTER '))
      .map((x) => x.t);
    expect(refresh).to.deep.equal([0, 30.04, 60.08, 90.12]);
  });

  it('account.1.register_expires_overlap = 10: the refresh goes 10 s before expiry (50 s), whatever refreshFraction says', () => {
    const overlap = path.join(tmp, 'overlap.yaml');
    fs.writeFileSync(overlap, scenario('\n      account.1.register_expires_overlap: 10'));
    expect(sends(run(overlap).records, 'REGISTER', 'alice', 'sip1')).to.deep.equal([0, 50.04, 100.08]);
    expect(sends(run(overlap, { refreshFraction: 0.5 }).records, 'REGISTER', 'alice', 'sip1')).to.deep.equal([0, 50.04, 100.08]);
  });
});

/** Instants (s) of every packet `from` sends to `to`, with its label. */
function packets(records: readonly TraceEvent[], from: string, to: string): [number, string][] {
  return records.filter((r) => r.kind === 'net.send' && r.from === from && r.to === to).map((r) => [r.t / 1_000_000, r.kind === 'net.send' ? r.label : '']);
}

describe('model options for the stub resolver, TCP and TLS', function () {
  this.timeout(30_000);
  const scenario = (id: string): string => path.join(repoRoot, 'scenarios', `${id}.yaml`);

  it('tlsVersion: TLS 1.2 (default) sends the REGISTER after two handshake round trips (60 ms), TLS 1.3 after one (40 ms)', () => {
    const register = (model: Partial<ModelOptions>): number[] => packets(run(scenario('15-tls-handshake'), model).records, 'gina', 'sip1').filter(([, l]) => l.startsWith('REGISTER')).map(([t]) => t);
    expect(register({})).to.deep.equal([0.06]);
    expect(register({ tlsVersion: '1.3' })).to.deep.equal([0.04]);
  });

  it('tcpSynRetries: 6 (default) keeps sending SYNs to the silent primary until Timer F; 2 gives up at 7.06 s and registers with sip2 at once', () => {
    const syns = (model: Partial<ModelOptions>): number[] => packets(run(scenario('13-tcp-primary-silent'), model).records, 'frank', 'sip1').filter(([t, l]) => t < 40 && l.startsWith('SYN')).map(([t]) => t);
    expect(syns({})).to.deep.equal([0.06, 1.06, 3.06, 7.06, 15.06, 31.06]);
    expect(syns({ tcpSynRetries: 2 })).to.deep.equal([0.06, 1.06, 3.06]);
    const toSip2 = packets(run(scenario('13-tcp-primary-silent'), { tcpSynRetries: 2 }).records, 'frank', 'sip2');
    expect(toSip2[0]).to.deep.equal([7.06, 'SYN']);
  });

  it('dnsTimeout / dnsAttempts: the static cache takes over when the live query has had all its tries (dave in 09)', () => {
    const firstRegister = (model: Partial<ModelOptions>): number =>
      packets(run(scenario('09-dns-down-at-boot'), model).records, 'dave', 'sip1').filter(([, l]) => l.startsWith('REGISTER'))[0]![0];
    expect(firstRegister({})).to.equal(18); // SRV then A, each 3 tries × 3 s (query_timeout, retry_times + 1)
    expect(firstRegister({ dnsTimeout: 5, dnsAttempts: 2 })).to.equal(20); // glibc: each 2 tries × 5 s
    expect(firstRegister({ dnsTimeout: 2 })).to.equal(12); // each 3 tries × 2 s
    expect(firstRegister({ dnsTimeout: 2, dnsAttempts: 1 })).to.equal(4); // each 1 try × 2 s
  });

  it('--model rejects values outside an option\'s range with exit 2', () => {
    for (const bad of ['tcpSynRetries=11', 'tcpSynRetries=1.5', 'dnsAttempts=6', 'dnsAttempts=-1', 'tlsVersion=1.4', 'dnsQueryTiming=always', 'dnsTimeout=abc']) {
      const r = runCli(['run', scenario('15-tls-handshake'), '--quiet', '--model', bad]);
      expect(r.code, bad).to.equal(2);
      expect(r.stderr, bad).to.match(/^sipsim: --model: \w+: expected /);
    }
  });
});
