import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliResult, bundledScenarioIds, cliPath, heavyScenarioIds, repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * An output that cannot be written (a path under a file, a directory, a full disk, stdout on a
 * full device) is the user's to fix: exit 2, one line naming the path and the reason, no stack
 * trace, no temporary file left, and no output of the run left as if it had succeeded. Devices,
 * FIFOs and stdout are written in place, never replaced by a regular file.
 */

const ONE = path.join(repoRoot, 'scenarios', '01-all-well.yaml');
const TWO = path.join(repoRoot, 'scenarios', '02-server1-silent.yaml');

/**
 * A private copy of /dev/null (minor 3) or /dev/full (minor 7) in a fresh directory. The tests
 * never aim the CLI at the machine's own nodes: they run as root, and a regression that renamed
 * a file over the target would break /dev/null for every process on the machine.
 */
function device(name: 'null' | 'full'): string {
  const file = path.join(tmpDir(), name);
  const r = spawnSync('mknod', ['-m', '666', file, 'c', '1', name === 'null' ? '3' : '7']);
  if (r.status !== 0) throw new Error(`test setup: mknod ${file} failed: ${r.stderr}`);
  return file;
}

const made: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-out-fail-'));
  made.push(dir);
  return dir;
}
// The directories hold device nodes and FIFOs: leave none in /tmp.
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** Every path under `dir`, relative to it, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

function tmpLeftovers(dir: string): string[] {
  return tree(dir).filter((f) => /\.tmp-\d+$/.test(f));
}

/** Exit 2 with one line naming `where`, no stack trace. */
function expectOneLineError(r: CliResult, where: string): void {
  expect(r.code, r.stderr).to.equal(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^sipsim: /);
  expect(lines[0]).to.include(where);
  expect(r.stderr).not.to.match(/\n\s+at |internal error/);
}

/**
 * Runs the CLI with its stdout on an open file descriptor (a file, /dev/full, ...), as a shell's
 * `> target` does: spawnSync's stdio takes the fd itself, so the child writes to it directly.
 */
function runCliStdoutTo(args: string[], target: string, flags = 'w'): { code: number | null; stderr: string } {
  const fd = fs.openSync(target, flags);
  try {
    const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw r.error;
    return { code: r.status, stderr: r.stderr };
  } finally {
    fs.closeSync(fd);
  }
}

describe('CLI: an output that cannot be written is a user error (exit 2)', () => {
  it('--out naming a regular file: exit 2, the message names the file, nothing written', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'report.txt');
    fs.writeFileSync(file, 'mine');
    const r = runCli(['run', ONE, '--quiet', '--out', file, '--json', path.join(dir, 'trace.jsonl')]);
    expectOneLineError(r, `${file}: --out: is a file, not a directory`);
    expect(fs.readFileSync(file, 'utf8')).to.equal('mine');
    expect(tree(dir)).to.deep.equal(['report.txt']);
  });

  it('--out under a regular file: exit 2, the message names the file in the way', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'report.txt');
    fs.writeFileSync(file, 'mine');
    const r = runCli(['run', ONE, '--quiet', '--out', path.join(file, 'sub', 'dir')]);
    expectOneLineError(r, `${file}: --out: is a file, not a directory`);
    expect(tree(dir)).to.deep.equal(['report.txt']);
  });

  // An empty value (`--out "$OUT"` with OUT unset) used to be taken at its word: run wrote
  // nothing and said nothing, and sweep/explore/merge wrote their files into the working directory.
  const EMPTY_VALUE: [string, string[]][] = [
    ['--json', ['run', ONE, '--quiet']],
    ['--pcap', ['run', ONE, '--quiet']],
    ['--html', ['run', ONE, '--quiet']],
    ['--junit', ['run', ONE, '--quiet']],
    ['--out', ['run', ONE, '--quiet']],
    ['--out', ['sweep', ONE, '--seeds', '1..2', '--jobs', '1']],
    ['--out', ['explore', ONE, '--runs', '1', '--jobs', '1']],
    ['--json', ['compare', path.join(repoRoot, 'test', 'fixtures', 'none.pcap'), ONE, '--phone', 'alice']],
  ];
  for (const [flag, args] of EMPTY_VALUE) {
    it(`${args[0]} ${flag} "": exit 2 naming the flag, nothing written in the working directory`, () => {
      const cwd = tmpDir();
      const r = runCli([...args, flag, ''], { cwd });
      expectOneLineError(r, `${flag}: expected a ${flag === '--out' ? 'directory' : 'file'} name, found an empty value`);
      expect(tree(cwd)).to.deep.equal([]);
    });
  }

  // Staged outputs are renamed into place in order: two outputs aimed at one file used to leave
  // only the later (a pcap where the JSONL was asked for; b/x.yaml's ladder over a/x.yaml's).
  it('two flags naming one file: exit 2 before the run, nothing written', () => {
    const dir = tmpDir();
    const r = runCli(['run', ONE, '--quiet', '--json', path.join(dir, 'x'), '--pcap', path.join(dir, 'x')]);
    expectOneLineError(r, `${path.join(dir, 'x')}: --pcap: is also where --json writes another output`);
    expect(tree(dir)).to.deep.equal([]);
  });

  it('--json naming a file --out also writes: exit 2, nothing written', () => {
    const dir = tmpDir();
    const trace = path.join(dir, 'o', '01-all-well.trace.jsonl');
    const r = runCli(['run', ONE, '--quiet', '--out', path.join(dir, 'o'), '--json', trace]);
    expectOneLineError(r, `${trace}: --out: is also where --json writes another output`);
    expect(tree(dir)).to.deep.equal([]);
  });

  it('two scenarios with one file name in different directories, with --out: exit 2 naming both, nothing written', () => {
    const dir = tmpDir();
    for (const d of ['a', 'b']) {
      fs.mkdirSync(path.join(dir, d));
      fs.cpSync(path.join(repoRoot, 'scenarios', 'phones'), path.join(dir, d, 'phones'), { recursive: true });
    }
    fs.copyFileSync(ONE, path.join(dir, 'a', 'x.yaml'));
    fs.copyFileSync(TWO, path.join(dir, 'b', 'x.yaml'));
    const r = runCli(['run', path.join(dir, 'a', 'x.yaml'), path.join(dir, 'b', 'x.yaml'), '--quiet', '--out', path.join(dir, 'o')]);
    expectOneLineError(r, `${path.join(dir, 'b', 'x.yaml')}: has the same file name as ${path.join(dir, 'a', 'x.yaml')} (x)`);
    expect(fs.existsSync(path.join(dir, 'o'))).to.equal(false);
  });

  it('--json - with --pcap -: exit 2 (one stdout cannot hold a capture inside the JSONL)', () => {
    const r = runCli(['run', ONE, '--quiet', '--json', '-', '--pcap', '-']);
    expectOneLineError(r, '-: --pcap: is stdout, where --json writes already');
    expect(r.stdout).to.equal('');
  });

  // The sweep's last files are staged after every run: a directory in the way of one used to
  // be found only then. Ten million seeds would run for an hour: the 30 s limit of runCli fails
  // this test unless the error comes before the runs.
  it('sweep --out with a directory in the way of one of its files: exit 2 before any run', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'report.html'));
    const r = runCli(['sweep', ONE, '--seeds', '1..10000000', '--jobs', '1', '--out', dir]);
    expectOneLineError(r, `${path.join(dir, 'report.html')}: --out: cannot write the output: is a directory (EISDIR)`);
    expect(tree(dir)).to.deep.equal(['report.html']);
  });

  // An output aimed at an input replaced it: `--html s.yaml` left the scenario an HTML page.
  describe('an output aimed at one of the run\'s inputs', () => {
    function copyOfOne(): { dir: string; yaml: string; cfg: string } {
      const dir = tmpDir();
      fs.cpSync(path.join(repoRoot, 'scenarios', 'phones'), path.join(dir, 'phones'), { recursive: true });
      const yaml = path.join(dir, 'one.yaml');
      fs.copyFileSync(ONE, yaml);
      return { dir, yaml, cfg: path.join(dir, 'phones', 'common.cfg') };
    }
    const unchanged = (file: string, from: string): void => {
      expect(fs.readFileSync(file).equals(fs.readFileSync(from)), file).to.equal(true);
    };

    it('the scenario, a .cfg it reads, or a symlink to one: exit 2, the input untouched', () => {
      const { dir, yaml, cfg } = copyOfOne();
      expectOneLineError(runCli(['run', yaml, '--quiet', '--html', yaml]), `${yaml}: --html: is an input of this run: the output would replace it`);
      expectOneLineError(runCli(['run', yaml, '--quiet', '--pcap', cfg]), `${cfg}: --pcap: is an input of this run`);
      fs.symlinkSync(yaml, path.join(dir, 'link.yaml'));
      expectOneLineError(runCli(['run', yaml, '--quiet', '--json', path.join(dir, 'link.yaml')]), `--json: is the same file as ${yaml}, an input of this run`);
      unchanged(yaml, ONE);
      unchanged(cfg, path.join(repoRoot, 'scenarios', 'phones', 'common.cfg'));
      expect(tmpLeftovers(dir)).to.deep.equal([]);
    });

    it('compare --json naming the capture: exit 2, the capture untouched', () => {
      const { dir } = copyOfOne();
      const pcap = path.join(dir, 'cap.pcap');
      const lossy = path.join(repoRoot, 'scenarios', '07-lossy-link.yaml');
      expect(runCli(['run', lossy, '--quiet', '--pcap', pcap]).code).to.equal(0);
      const before = fs.readFileSync(pcap);
      const r = runCli(['compare', pcap, lossy, '--phone', 'alice', '--capture-point', 'sender', '--json', pcap]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.equal(`sipsim: ${pcap}: --json: is an input of this run: the output would replace it; name another file\n`);
      expect(fs.readFileSync(pcap).equals(before)).to.equal(true);
      expect(tmpLeftovers(dir)).to.deep.equal([]);
    });
  });

  it('merge --out "": exit 2 before any shard is read', () => {
    const cwd = tmpDir();
    const r = runCli(['merge', path.join(cwd, 'no-such-shard'), '--out', '   '], { cwd });
    expectOneLineError(r, '--out: expected a directory name, found an empty value');
    expect(tree(cwd)).to.deep.equal([]);
  });

  it('--json naming a directory: exit 2, "is a directory", the directory untouched', () => {
    const dir = tmpDir();
    const target = path.join(dir, 'trace.jsonl');
    fs.mkdirSync(target);
    const r = runCli(['run', ONE, '--quiet', '--json', target, '--pcap', path.join(dir, 'cap.pcap')]);
    expectOneLineError(r, `${target}: --json: cannot write the output: is a directory (EISDIR)`);
    expect(tree(dir)).to.deep.equal(['trace.jsonl']);
  });

  it('a directory even root cannot write into (/sys): exit 2, "permission denied"', function () {
    // Tests run as root, whom chmod does not stop; sysfs refuses new files to root too.
    if (!fs.existsSync('/sys/kernel')) this.skip();
    const target = '/sys/sipsim-test-trace.jsonl';
    const r = runCli(['run', ONE, '--quiet', '--json', target]);
    expectOneLineError(r, `${target}: --json: cannot write the output:`);
    expect(r.stderr).to.match(/permission denied|read-only file system|not permitted/);
    expect(fs.existsSync(target)).to.equal(false);
  });

  it('--pcap /dev/full (a private node, c 1 7): exit 2, "no space left on device", the other outputs not written', () => {
    const dir = tmpDir();
    const full = device('full');
    const r = runCli(['run', ONE, '--quiet', '--pcap', full, '--out', path.join(dir, 'out'), '--junit', path.join(dir, 'junit.xml')]);
    expectOneLineError(r, `${full}: --pcap: cannot write the output: no space left on device (ENOSPC)`);
    expect(fs.statSync(full).isCharacterDevice()).to.equal(true);
    expect(tmpLeftovers(path.dirname(full))).to.deep.equal([]);
    expect(tree(dir)).to.deep.equal([]);
  });

  it('two scenarios, the second one\'s pcap fails: the first one\'s outputs do not exist afterwards, prior files untouched', () => {
    const dir = tmpDir();
    // perScenario names the second capture cap-02-server1-silent.pcap: a directory stands there.
    fs.mkdirSync(path.join(dir, 'cap-02-server1-silent.pcap'));
    fs.writeFileSync(path.join(dir, 'junit.xml'), 'previous run');
    const r = runCli(['run', ONE, TWO, '--quiet', '--pcap', path.join(dir, 'cap.pcap'), '--json', path.join(dir, 'new', 'trace.jsonl'), '--junit', path.join(dir, 'junit.xml')]);
    expectOneLineError(r, `${path.join(dir, 'cap-02-server1-silent.pcap')}: --pcap:`);
    expect(tree(dir)).to.deep.equal(['cap-02-server1-silent.pcap', 'junit.xml']);
    expect(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).to.equal('previous run');
    expect(tmpLeftovers(dir)).to.deep.equal([]);
  });

  it('stdout on a full device (a private /dev/full): exit 2, one line naming stdout, no file written', () => {
    const dir = tmpDir();
    const r = runCliStdoutTo(['run', ONE, '--quiet', '--json', path.join(dir, 'trace.jsonl')], device('full'));
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.equal('sipsim: stdout: cannot write: no space left on device (ENOSPC)\n');
    expect(tree(dir)).to.deep.equal([]);
  });

  it('stdout full for a command other than run (schema): exit 2, one line', () => {
    const r = runCliStdoutTo(['schema'], device('full'));
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.equal('sipsim: stdout: cannot write: no space left on device (ENOSPC)\n');
  });

  it('stdout piped into `head -1`: exit 0, nothing on stderr, the files still written', () => {
    const dir = tmpDir();
    const json = path.join(dir, 'trace.jsonl');
    // Every bundled scenario's ladder: far more than a pipe holds, so head closes it mid-run. The
    // heavy fleet scenarios are left out: 27's trace alone runs to hundreds of MB and tens of seconds.
    const heavy = new Set(heavyScenarioIds());
    const files = bundledScenarioIds().filter((id) => !heavy.has(id)).map((id) => `scenarios/${id}.yaml`);
    const r = spawnSync('bash', ['-c', 'set -o pipefail; "$0" "$1" run "${@:3}" --json "$2" | head -1 >/dev/null', process.execPath, cliPath, json, ...files], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    expect(fs.existsSync(path.join(dir, 'trace-01-all-well.jsonl'))).to.equal(true);
  });
});

describe('CLI: special files are written in place, never replaced', () => {
  it('--pcap /dev/null (a private node, c 1 3): exit 0, it stays a character device, no temporary file beside it', () => {
    const devNull = device('null');
    const before = fs.statSync(devNull);
    const r = runCli(['run', ONE, '--quiet', '--pcap', devNull]);
    expect(r.code, r.stderr).to.equal(0);
    const after = fs.statSync(devNull);
    expect(after.isCharacterDevice()).to.equal(true);
    expect(after.rdev).to.equal(before.rdev);
    expect(tree(path.dirname(devNull))).to.deep.equal(['null']);
  });

  it('a FIFO with a reader receives exactly the bytes of the capture file', async function () {
    this.timeout(60_000);
    const dir = tmpDir();
    const fifo = path.join(dir, 'cap.fifo');
    const got = path.join(dir, 'got.pcap');
    const mk = spawnSync('mkfifo', [fifo]);
    if (mk.status !== 0) this.skip();
    // The reader copies into a file itself: the test's own event loop is blocked by spawnSync.
    const reader = spawn('sh', ['-c', 'cat "$0" > "$1"', fifo, got], { stdio: 'ignore' });
    const readerDone = new Promise<number | null>((resolve) => reader.on('close', resolve));
    try {
      const r = runCli(['run', ONE, '--quiet', '--pcap', fifo]);
      expect(r.code, r.stderr).to.equal(0);
      expect(await readerDone).to.equal(0);
    } finally {
      reader.kill();
    }
    expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
    const ref = path.join(dir, 'ref.pcap');
    expect(runCli(['run', ONE, '--quiet', '--pcap', ref]).code).to.equal(0);
    const bytes = fs.readFileSync(got);
    expect(bytes.length).to.be.greaterThan(24);
    expect(bytes.equals(fs.readFileSync(ref))).to.equal(true);
  });

  it('--json - writes the JSONL to stdout, the ladders and summaries to stderr', () => {
    const r = runCli(['run', ONE, '--json', '-']);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).to.be.greaterThan(10);
    for (const l of lines) expect(() => JSON.parse(l) as unknown, l).not.to.throw();
    expect(JSON.parse(lines[0]!)).to.include({ t: 0, kind: 'scenario.action' });
    expect(r.stderr).to.include('1 scenario: 7 passed, 0 failed');
    expect(fs.existsSync(path.join(repoRoot, '-'))).to.equal(false);
  });

  it('--json - with two scenarios: both traces on stdout, one after the other', () => {
    const one = runCli(['run', ONE, '--json', '-']).stdout;
    const two = runCli(['run', TWO, '--json', '-']).stdout;
    const both = runCli(['run', ONE, TWO, '--json', '-']);
    expect(both.code, both.stderr).to.equal(0);
    expect(both.stdout).to.equal(one + two);
  });

  it('--json /proc/self/fd/1 (what /dev/stdout links to) with stdout on a file: the file holds the JSONL, not truncated or replaced', () => {
    // Not /dev/stdout itself: a regression that renamed over the target would break it machine-wide.
    const dir = tmpDir();
    const file = path.join(dir, 'stdout.txt');
    const r = runCliStdoutTo(['run', ONE, '--json', '/proc/self/fd/1'], file);
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.readFileSync(file, 'utf8')).to.equal(runCli(['run', ONE, '--json', '-']).stdout);
    expect(tree(dir)).to.deep.equal(['stdout.txt']);
  });

  it('--pcap - with two scenarios: exit 2 before anything runs (one capture stream cannot hold two)', () => {
    const r = runCli(['run', ONE, TWO, '--pcap', '-']);
    expectOneLineError(r, '-: --pcap: several scenarios cannot share one capture stream');
    expect(r.stdout).to.equal('');
  });
});
