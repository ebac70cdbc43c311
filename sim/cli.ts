#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ByteWriter } from '../reports/byte-sink.js';
import { HtmlTimeline } from '../reports/html/timeline.js';
import { JsonlSink } from '../reports/jsonl.js';
import { renderJunit } from '../reports/junit.js';
import { LADDER_ALL_HOSTS_MAX, LadderSink } from '../reports/ladder.js';
import { renderMetricsCsv, renderMetricsJson } from '../reports/metrics-output.js';
import { PcapSink } from '../reports/pcap.js';
import { renderSummary } from '../reports/summary.js';
import { checkOutputClashes, expandScenarioPaths, perScenario } from './cli-files.js';
import { errnoReason, OpenOutput, OutputSet, targetKind } from './cli-outputs.js';
import { ladderWindow, parseInstantFlag } from './cli-window.js';
import { explainConfig } from './explain.js';
import { checkHeapFits } from './scenario/heap-check.js';
import { InputError } from './core/input-error.js';
import { didYouMean } from './core/suggest.js';
import type { TraceSink } from './core/trace.js';
import { formatWarning } from './core/warning.js';
import { packageVersion } from './core/package-version.js';
import { readInputFile } from './core/read-input.js';
import { parseCfg } from './phone/cfg-file.js';
import type { ModelOptions } from './phone/model-options.js';
import { modelHelp, parseModel, parseOutputPath, parseSeed } from './cli-flags.js';
import { buildPhoneConfig } from './phone/phone-config.js';
import { cfgRules } from './phone/options/dns.js';
import { loadScenario } from './scenario/load-scenario.js';
import { runScenarioAsync, RunResult } from './scenario/run-scenario.js';
import { runProgressBar, RunProgressBar } from './run-progress.js';
import type { Scenario } from './scenario/scenario.js';
import { scenarioJsonSchema } from './scenario/schema.js';
import { scenarioHosts } from './scenario/world.js';
import { mergeCommand } from './batch/merge-command.js';
import { exploreCommand, ExploreFlags, parseExploreSeed, parseFaults, parseObjective, parseRuns } from './batch/explore-command.js';
import { Axis, parseAxis } from './batch/plan.js';
import { applySettings, modelSettings, parseSetting, Setting } from './batch/settings.js';
import { parseJobs, settle, startSweep, SweepFlags } from './batch/sweep-command.js';
import { compareCommand, CompareFlags } from './capture/compare-command.js';

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
  ladder?: string;
  from?: number;
  to?: number;
  metrics?: string;
  model: Partial<ModelOptions>;
  set: Setting[];
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
    .option('--out [dir]', 'also write every output (ladder, JSONL trace, pcap, HTML, JUnit) into this directory (default out/)', parseOutputPath('--out', 'directory'))
    .option('--pcap <file>', 'write a libpcap capture of every SIP packet and ICMP error', parseOutputPath('--pcap', 'file'))
    .option('--json <file>', 'write the trace as JSON Lines', parseOutputPath('--json', 'file'))
    .option('--html <file>', 'write a self-contained HTML timeline page (lanes, message arrows, outage and registration bands, verdicts)', parseOutputPath('--html', 'file'))
    .option('--junit <file>', 'write JUnit XML, one test case per expectation', parseOutputPath('--junit', 'file'))
    .option('--metrics <file>', 'write the fleet and server metrics per simulated second: F.csv (a table) or F.json (with distributions and recovery instants)')
    .option('--quiet', 'print only the summaries, not the ladders')
    .option('--ladder <hosts>', `the hosts the ladder shows, comma-separated (default: every host; past ${LADDER_ALL_HOSTS_MAX} hosts the servers, DNS and the first phones)`)
    .option('--from <t>', 'cut the ladder to rows at or after this instant, a duration like 1m30s', parseInstantFlag('--from'))
    .option('--to <t>', 'cut the ladder to rows at or before this instant, a duration like 2m', parseInstantFlag('--to'))
    .addOption(new Option('--model <key=value>', `set a model option (${modelHelp()}); repeatable`).argParser(parseModel).default({}, 'the documented defaults'))
    .addOption(new Option('--set <key=value>', 'override a phone .cfg key on every phone (sip.timer_t1=1), a model option (model.inviteFailover=retry-counts) or network.default.delay|jitter|loss; repeatable (what sweep replay commands use)').argParser((v: string, prev: Setting[]) => [...prev, parseSetting(v, '--set')]).default([], 'none'))
    .addHelpText('after', `
Examples:
  sipsim run scenarios/                              every bundled scenario
  sipsim run scenarios/02-server1-silent.yaml --pcap out/s1.pcap --json out/s1.jsonl
  sipsim run my.yaml --seed 7 --model inviteFailover=retry-counts --quiet
Exit codes: 0 every expectation holds, 1 an expectation failed, 2 invalid input or usage.`)
    .action((paths: string[], flags: RunFlags) => {
      settle(runCommand(paths, flags));
    });

  program
    .command('sweep')
    .description('run one scenario over many seeds and --set combinations on every core; per-run rows, per-combination distributions, an HTML page; exit 1 if an expectation failed in any run')
    .argument('<scenario>', 'a scenario .yaml file')
    .requiredOption('--seeds <first..last>', 'the seeds to run, e.g. 1..1000')
    .addOption(new Option('--set <key=v1,v2>', 'values to sweep: a phone .cfg key (sip.timer_t1=0.5,1), model.<option> or network.default.delay|jitter|loss; repeatable (the cartesian product is run)').argParser((v: string, prev: Axis[]) => parseAxis(v, prev)).default([], 'none'))
    .option('--jobs <n>', 'worker threads (default: the number of cores)', parseJobs)
    .option('--shard <K/N>', 'run only the K-th of N deterministic slices (then `sipsim merge` the N outputs)')
    .option('--out <dir>', 'output directory (default out/<id>-sweep, out/<id>-sweep-K-of-N for a shard)', parseOutputPath('--out', 'directory'))
    .action((file: string, flags: SweepFlags) => {
      settle(startSweep(file, flags, toStdout));
    });

  program
    .command('explore')
    .description('random fault schedules over a scenario\'s hosts, checked against invariants; failures shrunk to a minimal scenario file; --objective searches for the worst schedule; exit 1 if an invariant failed')
    .argument('<scenario>', 'a scenario .yaml file (its own faults are dropped; hosts, boots and calls kept)')
    .option('--runs <n>', 'random schedules to run (default 1000)', parseRuns, 1000)
    .option('--faults <k>', 'at most this many faults per schedule (default 3)', parseFaults, 3)
    .option('--seed <s>', 'seed of the schedule generator (default 1)', parseExploreSeed, 1)
    .option('--objective <o>', 'also search for the schedule maximising gap | failed-calls | setup (as many search runs again)', parseObjective)
    .option('--jobs <n>', 'worker threads (default: the number of cores)', parseJobs)
    .option('--out <dir>', 'output directory (default out/<id>-explore)', parseOutputPath('--out', 'directory'))
    .option('--check', 'run the file as written (its own faults) under the invariants, e.g. a schedule explore wrote')
    .action((file: string, flags: ExploreFlags) => {
      settle(exploreCommand(file, flags, toStdout));
    });

  program
    .command('merge')
    .description('combine the outputs of sweep shards into exactly what one unsharded sweep writes')
    .argument('<shard...>', 'shard output directories (or their sweep.json / runs.jsonl)')
    .option('--out <dir>', 'output directory (default out/<id>-sweep)', parseOutputPath('--out', 'directory'))
    .action((paths: string[], flags: { out?: string }) => {
      code = mergeCommand(paths, flags, toStdout);
    });

  program
    .command('compare')
    .description("compare a real phone's capture (pcap/pcapng) with the model's run of the twin scenario, instant by instant; exit 1 if an instant differs beyond the tolerance")
    .argument('<capture>', 'a pcap or pcapng file (Ethernet, Linux cooked SLL/SLL2 or raw IPv4)')
    .argument('<scenario>', 'the twin scenario .yaml file')
    .requiredOption('--phone <name>', 'the scenario phone the capture shows')
    .option('--address <ip>', "the phone's address in the capture (default: its scenario address)")
    .addOption(new Option('--map <capture-ip=host>', 'name a capture address as a scenario host; repeatable').argParser((v: string, prev: string[]) => [...prev, v]).default([], 'none'))
    .option('--tolerance <duration>', 'largest |model − capture| that still matches (default 5ms)')
    .option('--anchor <instant>', "the instant both timelines count from, by its name in the table (default: the phone's first SIP request or TCP SYN)")
    .option('--relative <mode>', "what each delta is measured against: anchor (default, also 'first'; each instant's time from the anchor) or previous (each instant's interval from the phone's previous send in the same exchange, else its previous send: for stacks that re-arm each timer from when the last one actually fired, like SIPp)")
    .option('--json <file>', 'also write the table as JSON', parseOutputPath('--json', 'file'))
    .option('--capture-point <where>', "where the capture was taken: phone (next to the phone: what it receives is stamped on arrival; default) or sender (each packet as it leaves its sender, as sipsim's own --pcap)")
    .option('--seed <n>', 'run seed (overrides the scenario\'s seed)', parseSeed)
    .addOption(new Option('--model <key=value>', 'set a model option; repeatable').argParser(parseModel).default({}, 'the documented defaults'))
    .addHelpText('after', `
Examples:
  sipsim compare lab/t54w-sip1-pulled.pcapng twin.yaml --phone alice --address 192.168.1.50 --map 192.168.1.10=sip1
  sipsim compare lab.pcap twin.yaml --phone alice --tolerance 10ms --json out/compare.json
  sipsim compare sipp-lab.pcapng twin.yaml --phone ua --relative previous
Exit codes: 0 every instant matches, 1 an instant differs or is on one side only, 2 unreadable input.`)
    .action((capture: string, scenario: string, flags: CompareFlags) => {
      code = compareCommand(capture, scenario, flags, toStdout);
    });

  program
    .command('validate')
    .description('check scenario files and phone .cfg files without running; exit 2 at the first bad input')
    .argument('<file...>', 'scenario .yaml files (or directories) and .cfg files')
    .addOption(new Option('--model <key=value>', 'set a model option, e.g. how .cfg files are read (configOutOfRange=clampWithWarning); repeatable').argParser(parseModel).default({}, 'the documented defaults'))
    .action((files: string[], flags: { model: Partial<ModelOptions> }) => {
      code = validateCommand(files, flags.model);
    });

  program
    .command('explain')
    .description('print the effective redundancy settings of phone .cfg files, defaults filled in (later files win)')
    .argument('<cfg...>', 'phone .cfg files, e.g. the common file then <MAC>.cfg')
    .addOption(new Option('--model <key=value>', 'set a model option, e.g. how .cfg files are read (configLegacyKeys=reject); repeatable').argParser(parseModel).default({}, 'the documented defaults'))
    .action((files: string[], flags: { model: Partial<ModelOptions> }) => {
      process.stdout.write(explainConfig(files.map((f) => parseCfg(readText(f), f)), cfgRules(flags.model)));
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

/**
 * `sipsim run`. Asynchronous only so that a long run lets the event loop in between slices of
 * events (runScenarioAsync): Ctrl-C is then heard mid-run (nothing half-written is left) and a
 * terminal shows the run's progress. Bad input rejects with its InputError (exit 2, via settle).
 */
async function runCommand(paths: string[], flags: RunFlags): Promise<number> {
  // Validate everything first: a bad file stops the run before anything is written.
  // The model options of --set and --model also decide how the phones' .cfg files are read (AMB-27/28).
  const cliModel = { ...modelSettings(flags.set), ...flags.model };
  const scenarios = expandScenarioPaths(paths).map((f) => applySettings(loadScenario(f, cliModel), flags.set));
  for (const s of scenarios) checkHeapFits(s);
  const several = scenarios.length > 1;
  // A stream (stdout, /dev/null, a FIFO) is one target: it cannot get one name per scenario.
  const streamed = (f: string | undefined): boolean => f !== undefined && targetKind(f) !== 'file';
  if (several && streamed(flags.pcap)) {
    throw new InputError(flags.pcap!, undefined, '--pcap', 'several scenarios cannot share one capture stream (each capture has its own header and clock): name a file, which gets each scenario id, or run one scenario');
  }
  if (several && streamed(flags.html)) {
    throw new InputError(flags.html!, undefined, '--html', 'several scenarios cannot share one page stream: name a file, which gets each scenario id, or run one scenario');
  }
  if (flags.metrics !== undefined && !/\.(csv|json)$/i.test(flags.metrics) && targetKind(flags.metrics) === 'file') {
    throw new InputError(flags.metrics, undefined, '--metrics', 'expected a file name ending in .csv or .json (the format follows the extension)');
  }
  checkOutputClashes(scenarios, flags, flags.out === true ? 'out' : flags.out);
  const picks = scenarios.map((s) => (flags.ladder !== undefined ? ladderPick(flags.ladder, s) : undefined));
  const window = ladderWindow(flags.from, flags.to);
  // When stdout carries an output (`--json -`), the ladders and summaries move to stderr.
  const say = [flags.pcap, flags.json, flags.html, flags.junit].some((f) => f !== undefined && targetKind(f) === 'stdout') ? (s: string) => void process.stderr.write(s) : toStdout;
  const runs: RunResult[] = [];
  // No output may land on a scenario or .cfg file of the run (`--html s.yaml`).
  const outputs = new OutputSet(toStdout, scenarios.flatMap((s) => s.inputs ?? [s.file]));
  // An interrupt mid-run leaves nothing half-written behind: the staged files go.
  let bar: RunProgressBar | undefined;
  const interrupted = (): void => {
    bar?.stop();
    outputs.abort();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  const outDir = flags.out === true ? 'out' : flags.out;
  try {
    // One stream for every scenario's lines: a FIFO's reader sees one stream, not one per scenario.
    const jsonShared = flags.json && streamed(flags.json) ? outputs.open('--json', flags.json) : undefined;
    for (const [i, s] of scenarios.entries()) {
      if (several && process.stderr.isTTY) process.stderr.write(`[${i + 1}/${scenarios.length}] ${s.id}\n`);
      const sinks: TraceSink[] = [];
      const ends: (() => void)[] = [];
      const jsonTargets = [
        ...(jsonShared ? [jsonShared] : flags.json ? [outputs.open('--json', perScenario(flags.json, s.id, several))] : []),
        ...(outDir ? [outputs.open('--out', join(outDir, `${s.id}.trace.jsonl`))] : []),
      ];
      if (jsonTargets.length > 0) {
        const jsonl = new JsonlSink(tee(jsonTargets));
        sinks.push(jsonl);
        ends.push(() => jsonl.end());
      }
      const pcapTargets = [
        ...(flags.pcap ? [outputs.open('--pcap', perScenario(flags.pcap, s.id, several))] : []),
        ...(outDir ? [outputs.open('--out', join(outDir, `${s.id}.pcap`))] : []),
      ];
      if (pcapTargets.length > 0) {
        const pcap = new PcapSink(tee(pcapTargets));
        sinks.push(pcap);
        ends.push(() => pcap.end());
      }
      // The ladder keeps records only when something shows it: with --quiet and no --out, never.
      const ladder = !flags.quiet || outDir ? new LadderSink(scenarioHosts(s), picks[i], window) : undefined;
      if (ladder) sinks.push(ladder);
      const page = flags.html || outDir ? new HtmlTimeline({ hosts: scenarioHosts(s) }) : undefined;
      if (page) sinks.push(page);
      bar = runProgressBar(several ? `[${i + 1}/${scenarios.length}] ${s.id}` : s.id);
      const progress = bar;
      let run: RunResult;
      try {
        run = await runScenarioAsync(s, {
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}), model: flags.model, sinks, ...(flags.metrics !== undefined ? { metrics: true } : {}),
          onProgress: (p) => progress.update(p),
        });
      } finally {
        bar.stop();
        bar = undefined;
      }
      for (const end of ends) end();
      runs.push(run);
      const ladderText = ladder ? ladder.render() : '';
      const summary = renderSummary(run);
      say(`${'='.repeat(100)}\n${s.id}: ${s.name}\n${'='.repeat(100)}\n`);
      if (!flags.quiet) say(`${ladderText}\n`);
      say(summary);
      if (outDir) outputs.put('--out', join(outDir, `${s.id}.ladder.txt`), `${ladderText}\n${summary}`);
      if (page) {
        // render() finishes the page's state: once, for every target.
        const html = page.render({ ...run, summaryText: summary });
        if (flags.html) outputs.put('--html', perScenario(flags.html, s.id, several), html);
        if (outDir) outputs.put('--out', join(outDir, `${s.id}.html`), html);
      }
      if (flags.metrics !== undefined && run.metrics) {
        const json = /\.json$/i.test(flags.metrics);
        outputs.put('--metrics', perScenario(flags.metrics, s.id, several), json ? renderMetricsJson(run.metrics) : renderMetricsCsv(run.metrics));
      }
      if (outDir && run.metrics) outputs.put('--out', join(outDir, `${s.id}.metrics.json`), renderMetricsJson(run.metrics));
    }
    if (flags.junit) outputs.put('--junit', flags.junit, renderJunit(runs));
    if (outDir) outputs.put('--out', join(outDir, 'junit.xml'), renderJunit(runs));
    outputs.commit();
  } catch (e) {
    outputs.abort();
    throw e;
  } finally {
    process.removeListener('SIGINT', interrupted);
  }
  const failed = runs.flatMap((r) => r.verdicts).filter((v) => !v.pass).length;
  const total = runs.reduce((n, r) => n + r.verdicts.length, 0);
  say(`\n${runs.length} scenario${runs.length > 1 ? 's' : ''}: ${total - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** One writer feeding several outputs (`--json F` and `--out D` share one serialisation). */
function tee(targets: OpenOutput[]): ByteWriter {
  return targets.length === 1 ? (c) => targets[0]!.write(c) : (c) => targets.forEach((t) => t.write(c));
}

/** `--ladder alice,sip1`: the hosts a ladder shows; every name must be a host of the scenario. */
function ladderPick(list: string, s: Scenario): Set<string> {
  const hosts = scenarioHosts(s).map((h) => h.name);
  const known = new Set(hosts);
  const names = list.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new InputError('--ladder', undefined, undefined, 'expected host names separated by commas, e.g. --ladder alice,sip1');
  for (const n of names) {
    if (!known.has(n)) throw new InputError('--ladder', undefined, undefined, `${s.file} has no host "${n}"${didYouMean(n, hosts)}`);
  }
  return new Set(names);
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

function validateCommand(files: string[], model: Partial<ModelOptions>): number {
  for (const f of files) {
    if (f.endsWith('.cfg')) {
      const config = buildPhoneConfig([parseCfg(readText(f), f)], cfgRules(model));
      for (const w of config.warnings) process.stderr.write(`warning: ${formatWarning(w)}\n`);
      process.stdout.write(`ok: ${f}\n`);
      continue;
    }
    for (const s of expandScenarioPaths([f]).map((file) => loadScenario(file, model))) {
      for (const w of s.warnings) process.stderr.write(`warning: ${formatWarning(w)}\n`);
      process.stdout.write(`ok: ${s.file}\n`);
    }
  }
  return 0;
}

function readText(file: string): string {
  return readInputFile(file);
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
