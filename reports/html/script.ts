/**
 * The page's inline script (plain ES2017, no libraries: the page opens offline). It re-places
 * the SVG's time-stamped elements (data-a / data-b, µs) for the visible window, rebuilds the
 * axis with the same tick rule as d3's ticks() (ported below, d3-array 3, ISC licence), lays
 * the visible lanes out again when lanes are filtered, and shows a message's text on click.
 * The server-side render and this script place elements with the same formula and rounding, so
 * "reset" gives back the page as it was written.
 */
/**
 * Time formatting and the axis tick rule, shared by the timeline's script and the fleet
 * charts' (fleet-script.ts): one text, so both axes tick and read alike.
 */
export const TIME_JS = String.raw`function trim(n) { return String(Math.round(n * 1000) / 1000); }
/* sim/core/time.ts formatDuration */
function fmt(t) {
  if (t === 0) return '0s';
  var sign = t < 0 ? '-' : '', abs = Math.abs(t);
  if (abs < 1e6) return sign + trim(abs / 1000) + 'ms';
  var a = Math.round(abs / 1000) * 1000;
  var h = Math.floor(a / 3600000000); a -= h * 3600000000;
  var m = Math.floor(a / 60000000); a -= m * 60000000;
  var s = a / 1e6;
  return sign + (h ? h + 'h' : '') + (m ? m + 'm' : '') + (s ? trim(s) + 's' : '');
}
/* d3-array ticks(start, stop, count) for start < stop */
var e10 = Math.sqrt(50), e5 = Math.sqrt(10), e2 = Math.sqrt(2);
function tickSpec(start, stop, count) {
  var step = (stop - start) / Math.max(0, count), power = Math.floor(Math.log10(step)), error = step / Math.pow(10, power);
  var factor = error >= e10 ? 10 : error >= e5 ? 5 : error >= e2 ? 2 : 1, i1, i2, inc;
  if (power < 0) {
    inc = Math.pow(10, -power) / factor; i1 = Math.round(start * inc); i2 = Math.round(stop * inc);
    if (i1 / inc < start) ++i1; if (i2 / inc > stop) --i2; inc = -inc;
  } else {
    inc = Math.pow(10, power) * factor; i1 = Math.round(start / inc); i2 = Math.round(stop / inc);
    if (i1 * inc < start) ++i1; if (i2 * inc > stop) --i2;
  }
  if (i2 < i1 && 0.5 <= count && count < 2) return tickSpec(start, stop, count * 2);
  return [i1, i2, inc];
}
function ticks(start, stop, count) {
  if (start === stop) return [start];
  var s = tickSpec(start, stop, count), out = [];
  if (!(s[1] >= s[0])) return out;
  for (var i = 0; i <= s[1] - s[0]; i++) out.push(s[2] < 0 ? (s[0] + i) / -s[2] : (s[0] + i) * s[2]);
  return out;
}

`;

export const PAGE_SCRIPT = String.raw`(function () {
'use strict';
var svg = document.getElementById('tl');
var data = JSON.parse(document.getElementById('data').textContent);
var X0 = +svg.getAttribute('data-x0'), X1 = +svg.getAttribute('data-x1'), END = +svg.getAttribute('data-end');
var LOST = +svg.getAttribute('data-lost'), LIMIT = +svg.getAttribute('data-label-limit');
var NS = 'http://www.w3.org/2000/svg';
var view = { a: 0, b: END };
var hidden = [];
var laneY = [];
var lanes = svg.querySelectorAll('g.lane');
var msgs = svg.querySelectorAll('g.msg');
var timed = svg.querySelectorAll('#lanes [data-a]');
var cursor = document.getElementById('cursor');
var sel = document.getElementById('sel');
var height = 0;

function r1(v) { return Math.round(v * 10) / 10; }
function clamp(v) { return Math.max(-1e6, Math.min(1e6, v)); }
function x(t) { return X0 + (t / 1e6 - view.a / 1e6) / (view.b / 1e6 - view.a / 1e6) * (X1 - X0); }
function tAt(px) { return view.a + (px - X0) / (X1 - X0) * (view.b - view.a); }
${TIME_JS}function layout() {
  var y = data.axis;
  for (var i = 0; i < lanes.length; i++) {
    var g = lanes[i];
    if (hidden[i]) { g.style.display = 'none'; continue; }
    g.style.display = '';
    laneY[i] = y;
    g.setAttribute('transform', 'translate(0,' + y + ')');
    y += data.lanes[i].h + data.gap;
  }
  height = y + 4;
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', '0 0 ' + svg.getAttribute('width') + ' ' + height);
  sel.setAttribute('height', height - data.axis);
  cursor.setAttribute('y2', height);
}

function axis() {
  var g = document.getElementById('axis');
  while (g.firstChild) g.removeChild(g.firstChild);
  var ts = ticks(view.a / 1e6, view.b / 1e6, 10);
  for (var i = 0; i < ts.length; i++) {
    var at = r1(X0 + (ts[i] - view.a / 1e6) / (view.b / 1e6 - view.a / 1e6) * (X1 - X0));
    var l = document.createElementNS(NS, 'line');
    l.setAttribute('class', 'tick'); l.setAttribute('x1', at); l.setAttribute('x2', at);
    l.setAttribute('y1', data.axis - 6); l.setAttribute('y2', height);
    var t = document.createElementNS(NS, 'text');
    t.setAttribute('class', 'tl'); t.setAttribute('x', at); t.setAttribute('y', data.axis - 10);
    t.textContent = fmt(Math.round(ts[i] * 1e6));
    g.appendChild(l); g.appendChild(t);
  }
}

function place() {
  for (var i = 0; i < timed.length; i++) {
    var e = timed[i], xa = r1(clamp(x(+e.getAttribute('data-a'))));
    if (e.tagName === 'circle') { e.setAttribute('cx', xa); continue; }
    var xb = r1(clamp(x(+e.getAttribute('data-b'))));
    if (e.tagName === 'rect') {
      e.setAttribute('x', xa); e.setAttribute('width', r1(Math.max(xb - xa, 1)));
    } else {
      var left = Math.max(xa, X0), shown = Math.min(xb, X1) - left;
      e.setAttribute('x', r1(left + 2));
      e.style.display = shown < e.textContent.length * 5.6 + 4 ? 'none' : '';
    }
  }
  var visible = 0, tcp = svg.classList.contains('no-tcp');
  for (var j = 0; j < msgs.length; j++) {
    var m = msgs[j], f = +m.getAttribute('data-f'), g = +m.getAttribute('data-g');
    if (hidden[f] || hidden[g]) { m.style.display = 'none'; continue; }
    m.style.display = '';
    var y1 = laneY[f] + data.lanes[f].wire, yt = laneY[g] + data.lanes[g].wire;
    var y2 = m.classList.contains('lost') ? y1 + (yt - y1) * LOST : yt;
    var x1 = r1(clamp(x(+m.getAttribute('data-a')))), x2 = r1(clamp(x(+m.getAttribute('data-b'))));
    var ls = m.getElementsByTagName('line');
    for (var k = 0; k < ls.length; k++) {
      ls[k].setAttribute('x1', x1); ls[k].setAttribute('x2', x2);
      ls[k].setAttribute('y1', r1(y1)); ls[k].setAttribute('y2', r1(y2));
    }
    var tx = m.getElementsByTagName('text')[0];
    tx.setAttribute('x', r1(x1 + 3)); tx.setAttribute('y', r1(y1 + (yt > y1 ? 11 : -4)));
    if (x2 >= X0 && x1 <= X1 && !(tcp && m.classList.contains('k-tcp-ctl'))) visible++;
  }
  svg.classList.toggle('labels', visible <= LIMIT);
  cursor.setAttribute('x1', r1(x(+cursor.getAttribute('data-a'))));
  cursor.setAttribute('x2', cursor.getAttribute('x1'));
  axis();
  svg.setAttribute('data-view', view.a + ' ' + view.b);
  document.getElementById('window').textContent = fmt(Math.round(view.a)) + ' – ' + fmt(Math.round(view.b));
}

function zoomTo(a, b) {
  var span = Math.max(b - a, 200);
  a = Math.max(0, Math.min(a, END - span)); b = Math.min(END, a + span);
  view = { a: Math.round(a), b: Math.round(b) };
  place();
}
function zoomBy(k) {
  var mid = (view.a + view.b) / 2, half = (view.b - view.a) * k / 2;
  zoomTo(mid - half, mid + half);
}

function svgX(ev) {
  var p = svg.createSVGPoint(); p.x = ev.clientX; p.y = ev.clientY;
  return p.matrixTransform(svg.getScreenCTM().inverse()).x;
}
var drag = null;
svg.addEventListener('mousedown', function (ev) {
  var px = svgX(ev);
  if (px < X0 || px > X1 || ev.button !== 0) return;
  drag = { x: px };
  ev.preventDefault();
});
window.addEventListener('mousemove', function (ev) {
  if (!drag) return;
  var px = Math.max(X0, Math.min(X1, svgX(ev)));
  sel.style.display = '';
  sel.setAttribute('x', Math.min(px, drag.x)); sel.setAttribute('width', Math.abs(px - drag.x));
});
window.addEventListener('mouseup', function (ev) {
  if (!drag) return;
  var px = Math.max(X0, Math.min(X1, svgX(ev))), from = drag.x;
  drag = null; sel.style.display = 'none';
  if (Math.abs(px - from) > 4) zoomTo(tAt(Math.min(px, from)), tAt(Math.max(px, from)));
});

function show(m) {
  var old = svg.querySelector('g.msg.sel');
  if (old) old.classList.remove('sel');
  m.classList.add('sel');
  var d = document.getElementById('detail');
  while (d.firstChild) d.removeChild(d.firstChild);
  var h = document.createElement('p');
  h.className = 'head';
  h.textContent = m.getElementsByTagName('title')[0].textContent;
  var pre = document.createElement('pre');
  pre.textContent = data.texts[+m.getAttribute('data-m')];
  d.appendChild(h); d.appendChild(pre);
}
svg.addEventListener('click', function (ev) {
  var m = ev.target.closest ? ev.target.closest('g.msg') : null;
  if (m) show(m);
});

document.getElementById('zin').addEventListener('click', function () { zoomBy(0.5); });
document.getElementById('zout').addEventListener('click', function () { zoomBy(2); });
document.getElementById('reset').addEventListener('click', function () { cursor.style.display = 'none'; zoomTo(0, END); });
document.getElementById('tcpctl').addEventListener('change', function (ev) { svg.classList.toggle('no-tcp', !ev.target.checked); place(); });
var boxes = document.querySelectorAll('input.lanebox');
for (var i = 0; i < boxes.length; i++) {
  boxes[i].addEventListener('change', function (ev) {
    hidden[+ev.target.getAttribute('data-lane')] = !ev.target.checked;
    layout(); place();
  });
}
var gotos = document.querySelectorAll('button.goto');
for (var n = 0; n < gotos.length; n++) {
  gotos[n].addEventListener('click', function (ev) {
    var b = ev.currentTarget, t = b.getAttribute('data-t');
    if (t !== null) { cursor.setAttribute('data-a', t); cursor.style.display = ''; } else cursor.style.display = 'none';
    zoomTo(+b.getAttribute('data-w0'), +b.getAttribute('data-w1'));
    document.getElementById('chart').scrollIntoView({ block: 'nearest' });
  });
}
layout();
svg.setAttribute('data-view', view.a + ' ' + view.b);
window.sipsimTimeline = { zoomTo: zoomTo, view: function () { return [view.a, view.b]; } };
})();
`;
