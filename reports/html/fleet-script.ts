import { TIME_JS } from './script.js';

/**
 * The fleet charts' inline script: it follows the timeline's zoom. The timeline's script
 * writes its window to #tl's data-view (µs, "a b") on every change; this one watches that
 * attribute, so neither script calls the other. Each chart's plot group holds its points in
 * seconds, so a zoom is a new transform (x = X0 + (t − a)·(X1 − X0)/(b − a)) and new ticks.
 */
export const FLEET_SCRIPT = String.raw`(function () {
'use strict';
var tl = document.getElementById('tl');
var charts = document.querySelectorAll('svg.fc-svg');
var NS = 'http://www.w3.org/2000/svg';
function r1(v) { return Math.round(v * 10) / 10; }
${TIME_JS}
function follow() {
  var v = (tl.getAttribute('data-view') || '').split(' ').map(Number);
  if (v.length !== 2 || !(v[1] > v[0])) return;
  var a = v[0] / 1e6, b = v[1] / 1e6;
  for (var i = 0; i < charts.length; i++) {
    var c = charts[i], X0 = +c.getAttribute('data-x0'), X1 = +c.getAttribute('data-x1');
    var top = +c.getAttribute('data-ytop'), bottom = +c.getAttribute('data-ybottom');
    var k = (X1 - X0) / (b - a);
    c.querySelector('g.fc-plot').setAttribute('transform', 'matrix(' + k + ' 0 0 1 ' + (X0 - a * k) + ' 0)');
    var g = c.querySelector('g.fc-xaxis');
    while (g.firstChild) g.removeChild(g.firstChild);
    var ts = ticks(a, b, 10);
    for (var j = 0; j < ts.length; j++) {
      var at = r1(X0 + (ts[j] - a) * k);
      var l = document.createElementNS(NS, 'line');
      l.setAttribute('class', 'fc-grid'); l.setAttribute('x1', at); l.setAttribute('x2', at);
      l.setAttribute('y1', top); l.setAttribute('y2', bottom + 4);
      var t = document.createElementNS(NS, 'text');
      t.setAttribute('class', 'tl'); t.setAttribute('x', at); t.setAttribute('y', bottom + 16);
      t.textContent = fmt(Math.round(ts[j] * 1e6));
      g.appendChild(l); g.appendChild(t);
    }
  }
}
if (tl && charts.length) new MutationObserver(follow).observe(tl, { attributes: true, attributeFilter: ['data-view'] });
})();
`;
