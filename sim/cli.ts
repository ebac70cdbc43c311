#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HtmlTimeline } from '../reports/html/timeline.js';
import { renderJsonl } from '../reports/jsonl.js';
import { renderJunit } from '../reports/junit.js';
import { renderLadder } from '../reports/ladder.js';
import { writePcap } from '../reports/pcap.js';
import { renderSummary } from '../reports/summary.js';
import { expandScenarioPaths, perScenario } from './cli-files.js';
import { errnoReason, Output, targetKind, writeOutputs } from './cli-outputs.js';
import { explainConfig } from './explain.js';
import { InputError } from './core/input-error.js';
import { formatWarning } from './core/warning.js';
import { readInputFile } from './core/read-input.js';
import { parseCfg } from './phone/cfg-file.js';
import { checkModelValue, describeSpec, MODEL_OPTION_SPECS, ModelOptions } from './phone/model-options.js';
import { buildPhoneConfig } from './phone/phone-config.js';
import { loadScenario } from './scenario/load-scenario.js';
import { runScenario, RunResult } from './scenario/run-scenario.js';
import { scenarioJsonSchema } from './scenario/schema.js';

/**
 * The command line: the one module that wires sim/ and reports/. Exit codes: 0 every
 * expectation holds, 1 an expectation failed, 2 invalid input or usage (one clear message,
 * no stack trace, nothing written).
 */
interface RunFlags {
  seed?: number;
  out?: string | true;
  pcap?: string;
  json?: string;
  html?: string;
  junit?: string;
  quiet?: boolean;
  model: Partial<ModelOptions>;
}

function main(argv: string[]): number {
  const program = new Command('sipsim')
    .description('Discrete-event simulator of SIP desk phones and their server redundancy (failover/fallback) under scripted outages.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run sipsim --help for usage)');
  let code = 0;

  program
    .command('run')
    .description('run scenarios: print each ladder timeline and summary; exit 1 if an expectation fails')
    .argument('<scenario...>', 'scenario .yaml files, or directories of them')
    .option('--seed <n>', 'run seed (overrides the scenario\'s seed)', parseSeed)
    .option('--out [dir]', 'also write every output (ladder, JSONL trace, pcap, HTML, JUnit) into this directory (default out/)')
    .option('--pcap <file>', 'write a libpcap capture of every SIP packet and ICMP error')
    .option('--json <file>', 'write the trace as JSON Lines')
    .option('--html <file>', 'write a self-contained HTML timeline page (lanes, message arrows, outage and registration bands, verdicts)')
    .option('--junit <file>', 'write JUnit XML, one test case per expectation')
    .option('--quiet', 'print only the summaries, not the ladders')
    .addOption(new Option('--model <key=value>', `set a model option (${modelHelp()}); repeatable`).argParser(parseModel).default({}, 'the documented defaults'))
    .addHelpText('after', `
Examples:
  sipsim run scenarios/                              every bundled scenario
  sipsim run scenarios/02-server1-silent.yaml --pcap out/s1.pcap --json out/s1.jsonl
  sipsim run my.yaml --seed 7 --model inviteFailover=retry-counts --quiet
Exit codes: 0 every expectation holds, 1 an expectation failed, 2 invalid input or usage.`)
    .action((paths: string[], flags: RunFlags) => {
      code = runCommand(paths, flags);
    });

  program
    .command('validate')
    .description('check scenario files and phone .cfg files without running; exit 2 at the first bad input')
    .argument('<file...>', 'scenario .yaml files (or directories) and .cfg files')
    .action((files: string[]) => {
      code = validateCommand(files);
    });

  program
    .command('explain')
    .description('print the effective redundancy settings of phone .cfg files, defaults filled in (later files win)')
    .argument('<cfg...>', 'phone .cfg files, e.g. the common file then <MAC>.cfg')
    .action((files: string[]) => {
      process.stdout.write(explainConfig(files.map((f) => parseCfg(readText(f), f))));
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files (the bundled copy is schema/scenario.schema.json)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
    });

  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`sipsim: ${e.message}\n`);
      return 2;
    }
    // Not the user's mistake: a bug in sipsim. Say so, with the stack for the report, and use a
    // code of its own so CI does not read it as a failed expectation.
    process.stderr.write(`sipsim: internal error (please report it with the scenario): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 3;
  }
  return code;
}

function runCommand(paths: string[], flags: RunFlags): number {
  // Validate everything first: a bad file stops the run before anything is written.
  const scenarios = expandScenarioPaths(paths).map(loadScenario);
  const several = scenarios.length > 1;
  // A stream (stdout, /dev/null, a FIFO) is one target: it cannot get one name per scenario.
  const streamed = (f: string | undefined): boolean => f !== undefined && targetKind(f) !== 'file';
  if (several && streamed(flags.pcap)) {
    throw new InputError(flags.pcap!, undefined, '--pcap', 'several scenarios cannot share one capture stream (each capture has its own header and clock): name a file, which gets each scenario id, or run one scenario');
  }
  if (several && streamed(flags.html)) {
    throw new InputError(flags.html!, undefined, '--html', 'several scenarios cannot share one page stream: name a file, which gets each scenario id, or run one scenario');
  }
  // When stdout carries an output (`--json -`), the ladders and summaries move to stderr.
  const say = [flags.pcap, flags.json, flags.html, flags.junit].some((f) => f !== undefined && targetKind(f) === 'stdout') ? (s: string) => void process.stderr.write(s) : toStdout;
  const runs: RunResult[] = [];
  const outputs: Output[] = [];
  const add = (flag: string, target: string, data: string | Buffer): void => void outputs.push({ flag, target, data });
  const jsonStream: string[] = [];
  const outDir = flags.out === true ? 'out' : flags.out;
  for (const [i, s] of scenarios.entries()) {
    if (several && process.stderr.isTTY) process.stderr.write(`[${i + 1}/${scenarios.length}] ${s.id}\n`);
    const run = runScenario(s, { ...(flags.seed !== undefined ? { seed: flags.seed } : {}), model: flags.model });
    runs.push(run);
    // The ladder is rendered only when something shows it: with --quiet and no --out, never.
    const ladder = !flags.quiet || outDir ? renderLadder(run) : '';
    const summary = renderSummary(run);
    say(`${'='.repeat(100)}\n${s.id}: ${s.name}\n${'='.repeat(100)}\n`);
    if (!flags.quiet) say(`${ladder}\n`);
    say(summary);
    const jsonl = () => renderJsonl(run.records);
    const pcap = () => writePcap(run.records);
    if (flags.pcap) add('--pcap', perScenario(flags.pcap, s.id, several), pcap());
    const html = (): string => {
      const page = new HtmlTimeline({ hosts: run.hosts });
      for (const r of run.records) page.write(r);
      return page.render({ ...run, summaryText: summary });
    };
    if (flags.html) add('--html', perScenario(flags.html, s.id, several), html());
    if (flags.json && streamed(flags.json)) jsonStream.push(jsonl());
    else if (flags.json) add('--json', perScenario(flags.json, s.id, several), jsonl());
    if (outDir) {
      add('--out', join(outDir, `${s.id}.ladder.txt`), `${ladder}\n${summary}`);
      add('--out', join(outDir, `${s.id}.trace.jsonl`), jsonl());
      add('--out', join(outDir, `${s.id}.pcap`), pcap());
      add('--out', join(outDir, `${s.id}.html`), html());
    }
  }
  // One write for every scenario's lines: a FIFO's reader sees one stream, not one per scenario.
  if (flags.json && jsonStream.length > 0) add('--json', flags.json, jsonStream.join(''));
  if (flags.junit) add('--junit', flags.junit, renderJunit(runs));
  if (outDir) add('--out', join(outDir, 'junit.xml'), renderJunit(runs));
  writeOutputs(outputs, toStdout);
  const failed = runs.flatMap((r) => r.verdicts).filter((v) => !v.pass).length;
  const total = runs.reduce((n, r) => n + r.verdicts.length, 0);
  say(`\n${runs.length} scenario${runs.length > 1 ? 's' : ''}: ${total - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** The reader closed the pipe (`| head`): its choice; the run goes on and still writes its files. */
let stdoutClosed = false;
/** Set once a stdout failure has been reported, so the stream's late 'error' event is not reported twice. */
let stdoutFailed = false;

/**
 * Writes to stdout and reports a failure at once (the stream records it synchronously but emits
 * it only later), so a full disk behind stdout stops the run before any file is renamed into place.
 */
function toStdout(data: string | Buffer): void {
  if (stdoutClosed) return;
  process.stdout.write(data);
  const e = process.stdout.errored as NodeJS.ErrnoException | null;
  if (!e) return;
  if (e.code === 'EPIPE') {
    stdoutClosed = true;
    return;
  }
  stdoutFailed = true;
  throw new InputError('stdout', undefined, undefined, `cannot write: ${errnoReason(e)}`);
}

function validateCommand(files: string[]): number {
  for (const f of files) {
    if (f.endsWith('.cfg')) {
      const config = buildPhoneConfig([parseCfg(readText(f), f)]);
      for (const w of config.warnings) process.stderr.write(`warning: ${formatWarning(w)}\n`);
      process.stdout.write(`ok: ${f}\n`);
      continue;
    }
    for (const s of expandScenarioPaths([f]).map(loadScenario)) {
      for (const w of s.warnings) process.stderr.write(`warning: ${formatWarning(w)}\n`);
      process.stdout.write(`ok: ${s.file}\n`);
    }
  }
  return 0;
}

function readText(file: string): string {
  return readInputFile(file);
}

function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InputError('--seed', undefined, undefined, `expected an integer, found "${v}"`);
  return Number(v);
}

function parseModel(v: string, previous: Partial<ModelOptions>): Partial<ModelOptions> {
  const m = /^([A-Za-z]+)=(.+)$/.exec(v);
  const key = m?.[1] as keyof ModelOptions | undefined;
  if (!m || !key || !Object.hasOwn(MODEL_OPTION_SPECS, key)) {
    throw new InputError('--model', undefined, undefined, `expected key=value with key one of ${Object.keys(MODEL_OPTION_SPECS).join(', ')}, found "${v}"`);
  }
  const checked = checkModelValue(MODEL_OPTION_SPECS[key], m[2]!);
  if ('expected' in checked) throw new InputError('--model', undefined, key, `expected ${checked.expected}, found "${m[2]}"`);
  return { ...previous, [key]: checked.value };
}

function modelHelp(): string {
  return Object.entries(MODEL_OPTION_SPECS)
    .map(([k, spec]) => `${k}=${describeSpec(spec)}`)
    .join('; ');
}

function packageVersion(): string {
  // dist/sim/cli.js is two levels below package.json; the bundle dist/sipsim.cjs one.
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'sipsim') return pkg.version;
    } catch {
      // not there: try the next level
    }
  }
  return 'unknown';
}

// A closed pipe (`sipsim run … | head`) is the reader's choice, not an error worth a stack trace.
// A full disk or an I/O error behind stdout is the user's to fix: one line and exit 2 (the run
// itself reports it through toStdout; this catches the other commands and late pipe writes).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  if (e.code === 'ERR_STREAM_DESTROYED' || stdoutFailed) return;
  stdoutFailed = true;
  process.stderr.write(`sipsim: stdout: cannot write: ${errnoReason(e)}\n`);
  process.exitCode = 2;
});
process.exitCode = main(process.argv.slice(2));
