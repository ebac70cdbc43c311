import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writePcap } from '../../reports/pcap.js';
import { payloadText } from '../../sim/core/trace.js';
import { escapeHtml, jsonForScript } from '../../reports/html/escape.js';
import { writeFleetScenario } from '../helpers/fleet-scenario.js';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark.js';
import { bundled, countInMarkup, EVIL, expectedFromTrace, renderRun, timelineSvg, writeEvilScenario } from './html-fixtures.js';

const SCENARIOS = ['01-all-well', '02-server1-silent', '03-server1-unreachable', '07-lossy-link', '08-srv-failover', '13-tcp-primary-silent', '14-tcp-server-crash', '15-tls-handshake', '22-incoming-calls', '23-two-accounts', '24-seed-outgoing-call', '25-register-on-enable'];

describe('HTML timeline page (no browser)', () => {
  it('two runs of one scenario give byte-identical pages', () => {
    for (const id of ['02-server1-silent', '13-tcp-primary-silent']) {
      expect(renderRun(bundled(id)).html).to.equal(renderRun(bundled(id)).html);
    }
  });

  for (const id of SCENARIOS) {
    it(`${id}: lanes, arrows, losses, retransmissions and bands match the trace`, () => {
      const { run, html } = renderRun(bundled(id));
      expect(countInMarkup(html)).to.deep.equal(expectedFromTrace(run));
    });
  }

  it('is self-contained: no external URL, one inline style and two inline scripts', () => {
    const { html } = renderRun(bundled('08-srv-failover'));
    expect(html).not.to.match(/\b(?:src|href)=/);
    expect(html).not.to.match(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<script\b/g)).to.have.length(2);
    expect(html.match(/<\/script>/g)).to.have.length(2);
    expect(html).to.contain("default-src 'none'");
  });

  it('draws server outages on the failed server lane, link loss on the network lane, and marks lost packets with the reason', () => {
    const { html } = renderRun(bundled('07-lossy-link'));
    expect(html).to.match(/<g class="lane r-network"[^>]*data-host="network links"/);
    expect(html).to.match(/class="band net-loss" data-band="link" data-a="30000000"/);
    expect(html).to.contain('LOST: lost on the link');
    const silent = renderRun(bundled('02-server1-silent')).html;
    const sip1Lane = silent.slice(silent.indexOf('data-host="sip1"'), silent.indexOf('data-host="sip2"'));
    expect(sip1Lane).to.match(/class="band out-silent" data-band="outage" data-a="30000000" data-b="180000000"/);
    expect(silent).to.contain('LOST: destination silent');
  });

  it('styles TCP control segments, RSTs and ICMP apart from SIP', () => {
    const tcp = renderRun(bundled('12-tcp-primary-refused')).html;
    expect(tcp).to.match(/<g class="msg k-rst/);
    expect(tcp).to.match(/<g class="msg k-tcp-ctl/);
    expect(renderRun(bundled('03-server1-unreachable')).html).to.match(/<g class="msg k-icmp/);
  });

  it('embeds each message text once: retransmissions point at their original text', () => {
    const { run, html } = renderRun(bundled('02-server1-silent'));
    const data = JSON.parse(/<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)![1]!) as { texts: string[] };
    const payloads = new Set(run.records.flatMap((r) => (r.kind === 'net.send' && r.bytes.length > 0 && r.encoding === undefined ? [payloadText(r)] : [])));
    expect(data.texts.length).to.equal(payloads.size);
    const invite = [...payloads].find((p) => p.startsWith('INVITE sip:') && p.includes('10.0.0.1'))!;
    expect(html.split(escapeHtml(invite.slice(0, 40))).length - 1).to.equal(0, 'SIP text is not repeated in the markup');
    expect(data.texts).to.include(invite);
  });

  it('shows the dns.query / dns.answer summary for DNS packets instead of base64', () => {
    const { html } = renderRun(bundled('08-srv-failover'));
    const data = JSON.parse(/id="data">(.*?)<\/script>/s.exec(html)![1]!) as { texts: string[] };
    expect(data.texts.some((t) => t.includes('dns.query SRV _sip._udp.pbx.example.com to dns (attempt 1)'))).to.equal(true);
    expect(data.texts.some((t) => t.includes('dns.answer SRV _sip._udp.pbx.example.com from dns: NOERROR') && t.includes('IN SRV 10 50 5060 sip1.pbx.example.com.'))).to.equal(true);
    expect(data.texts.join('')).not.to.contain('AAEBAAAB');
  });

  it('links every expectation to its instant', () => {
    const { run, html } = renderRun(bundled('02-server1-silent'));
    run.verdicts.forEach((v, i) => {
      const button = new RegExp(`id="v${i}" data-w0="\\d+" data-w1="\\d+"${v.at !== undefined ? ` data-t="${v.at}"` : ''}>`);
      expect(html).to.match(button);
    });
    expect(run.verdicts.filter((v) => v.at !== undefined).length).to.equal(9); // the `never` has no instant
  });

  it('escapes script tags in scenario name, description, display name, user part and called number', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-html-'));
    const { run, html } = renderRun(writeEvilScenario(dir));
    expect(run.scenario.name).to.equal(EVIL);
    expect(run.records.some((r) => r.kind === 'net.send' && payloadText(r).includes('</script><script>alert(2)</script>'))).to.equal(true);
    expect(html).not.to.contain('<script>alert');
    expect(html).not.to.contain('<img');
    expect(html.match(/<\/script>/g)).to.have.length(2);
    expect(html).to.contain(`<title>evil: ${escapeHtml(EVIL)} — sipsim</title>`);
    const data = JSON.parse(/id="data">(.*?)<\/script>/s.exec(html)![1]!) as { texts: string[] };
    expect(data.texts.some((t) => t.includes(`From: "</script><script>alert(2)</script>"`))).to.equal(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('jsonForScript keeps `</script>`, `<!--` and line separators out of the script text', () => {
    const text = jsonForScript({ a: '</script><!--\u2028&>' });
    expect(text).not.to.match(/[<>&\u2028]/);
    expect(JSON.parse(text)).to.deep.equal({ a: '</script><!--\u2028&>' });
  });

  it('over maxHosts shows servers and the first phones, says how many are hidden, and counts only what it shows', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-html-fleet-'));
    const { file } = writeFleetScenario(dir, 50);
    const { run, html } = renderRun(file);
    const shown = new Set(['sip1', 'sip2', ...Array.from({ length: 38 }, (_, i) => `p${i}`)]);
    expect(countInMarkup(html)).to.deep.equal(expectedFromTrace(run, shown));
    expect(html).to.contain('12 phones hidden');
    expect(html).to.match(/the first 38 phones \(\d+ messages from or to hidden phones are not drawn\)/);
    // 50 phones written out one by one are no fleet: no metrics, so no charts, and the note says how to get them.
    expect(html).to.contain('Aggregate charts (phones registered per server over time, request and shed rates per server) are drawn for fleets');
    expect(html).not.to.contain('<section id="fleet">');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('draws as many message arrows as tshark counts SIP and DNS packets (and all others) in the same run\'s pcap', function () {
    if (!tsharkAvailable()) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-html-pcap-'));
    for (const id of ['08-srv-failover', '13-tcp-primary-silent', '24-seed-outgoing-call']) {
      const { run, html } = renderRun(bundled(id));
      const pcap = path.join(dir, `${id}.pcap`);
      fs.writeFileSync(pcap, writePcap(run.records));
      const arrows = countInMarkup(html).arrows;
      expect(tsharkFields(pcap, ['frame.number']).length, `${id}: all frames`).to.equal(arrows);
      const sipDns = tsharkFields(pcap, ['frame.number'], 'sip || dns').length;
      const sipDnsArrows = (timelineSvg(html).match(/<g class="msg k-(?:request|response|dns-query|dns-answer)\b/g) ?? []).length;
      expect(sipDns, `${id}: SIP and DNS frames`).to.equal(sipDnsArrows);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
