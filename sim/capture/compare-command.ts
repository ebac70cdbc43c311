import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeOutputs } from '../cli-outputs.js';
import { InputError } from '../core/input-error.js';
import { parseDuration } from '../core/time.js';
import type { ModelOptions } from '../phone/model-options.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { runScenario } from '../scenario/run-scenario.js';
import { scenarioHosts } from '../scenario/world.js';
import { align, allMatch, RELATIVE_MODES, type Relative } from './align.js';
import { captureTimeline } from './capture-timeline.js';
import { comparisonJson, renderComparison } from './compare-table.js';
import { CapturePoint, ModelTimelineSink } from './model-timeline.js';

export interface CompareFlags {
  phone: string;
  address?: string;
  map: string[];
  tolerance?: string;
  anchor?: string;
  relative?: string;
  json?: string;
  capturePoint?: string;
  seed?: number;
  model?: Partial<ModelOptions>;
}

/** The most a capture may weigh: lab captures of one phone's outage are kB to MB. */
const MAX_CAPTURE_BYTES = 512 * 1024 * 1024;
const DEFAULT_TOLERANCE_US = 5000;

/**
 * `sipsim compare`: the phone's timeline in a real capture beside the model's run of the twin
 * scenario. Returns the exit code: 0 every instant matches within the tolerance, 1 otherwise;
 * unreadable input throws InputError (exit 2) before anything runs.
 */
export function compareCommand(capturePath: string, scenarioPath: string, flags: CompareFlags, say: (s: string) => void): number {
  const scenario = loadScenario(scenarioPath, flags.model ?? {});
  const phone = scenario.phones.find((p) => p.name === flags.phone);
  if (!phone) {
    const names = scenario.phones.filter((p) => p.fleet === undefined).map((p) => p.name);
    throw new InputError('--phone', undefined, undefined, `no phone '${flags.phone}' in ${scenarioPath} (its phones: ${names.slice(0, 10).join(', ') || 'none'})`);
  }
  const tolerance = flags.tolerance === undefined ? DEFAULT_TOLERANCE_US : parseDuration(flags.tolerance);
  if (tolerance === undefined) throw new InputError('--tolerance', undefined, undefined, `expected a duration like 5ms or 500us, found "${flags.tolerance}"`);
  const relative = relativeMode(flags.relative);
  const phoneIp = flags.address ?? phone.address;
  if (!isIpv4(phoneIp)) throw new InputError('--address', undefined, undefined, `expected an IPv4 address, found "${phoneIp}"`);
  const hosts = scenarioHosts(scenario);
  const names = new Map<string, string>();
  for (const h of hosts) names.set(h.ip, h.name);
  for (const m of flags.map) {
    const [ip, host] = m.split('=');
    if (!ip || !host || !isIpv4(ip)) throw new InputError('--map', undefined, undefined, `expected capture-ip=host like 192.168.1.20=sip1, found "${m}"`);
    if (!hosts.some((h) => h.name === host)) throw new InputError('--map', undefined, undefined, `'${host}' is not a host of ${scenarioPath} (hosts: ${hosts.slice(0, 10).map((h) => h.name).join(', ')})`);
    names.set(ip, host);
  }
  const captured = captureTimeline(readCaptureFile(capturePath), capturePath, phone.name, phoneIp, names);
  if (captured.packets === 0) throw new InputError(capturePath, undefined, undefined, `no IPv4 packet to or from the phone's address ${phoneIp} in the capture (use --address to name the phone's address in the lab)`);
  const point = (flags.capturePoint ?? 'phone') as CapturePoint;
  if (point !== 'phone' && point !== 'sender') throw new InputError('--capture-point', undefined, undefined, `expected phone or sender, found "${flags.capturePoint}"`);
  const sink = new ModelTimelineSink(phone.name, point);
  const run = runScenario(scenario, { sinks: [sink], ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(flags.model ? { model: flags.model } : {}) });
  const a = align(captured, sink.result(), run.end, { tolerance, relative, ...(flags.anchor !== undefined ? { anchor: flags.anchor } : {}) });
  if ('error' in a) throw new InputError(flags.anchor !== undefined ? '--anchor' : capturePath, undefined, undefined, a.error);
  say(renderComparison(a, `compare ${capturePath} (phone ${phoneIp}) with ${scenarioPath} (phone ${phone.name}, seed ${run.seed})`));
  // Staged and renamed like run's outputs, and never over the capture or the scenario's files.
  if (flags.json) writeOutputs([{ flag: '--json', target: flags.json, data: comparisonJson(a, capturePath, scenarioPath, phone.name) }], (c) => say(String(c)), [resolve(capturePath), ...(scenario.inputs ?? [])]);
  return allMatch(a) ? 0 : 1;
}

/** `--relative`: anchor (the default; `first` says the same: the default anchor is the phone's first send) or previous. */
function relativeMode(v: string | undefined): Relative {
  if (v === undefined || v === 'first') return 'anchor';
  if ((RELATIVE_MODES as readonly string[]).includes(v)) return v as Relative;
  throw new InputError('--relative', undefined, undefined, `expected ${RELATIVE_MODES.join(' or ')}, found "${v}"`);
}

function isIpv4(s: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split('.').every((o) => Number(o) <= 255);
}

/** Reads a capture as bytes; only a regular file (a FIFO or device would block or never end). */
function readCaptureFile(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InputError(file, undefined, undefined, `cannot read the capture: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(file, undefined, undefined, 'cannot read the capture: not a regular file');
    if (st.size > MAX_CAPTURE_BYTES) throw new InputError(file, undefined, undefined, `the capture is larger than ${MAX_CAPTURE_BYTES / 1024 / 1024} MiB: cut the phone's part out first (editcap -A/-B, or tshark -Y 'ip.addr==…')`);
    const b = Buffer.alloc(st.size);
    let got = 0;
    while (got < b.length) {
      const n = readSync(fd, b, got, b.length - got, null);
      if (n === 0) break;
      got += n;
    }
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
