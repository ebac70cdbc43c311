import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node } from 'yaml';
import { InputError } from '../core/input-error.js';

/**
 * How many nodes (scalars, maps, lists) a scenario's aliases may add when expanded. What is
 * spelled out in the file is bounded by the 16 MiB input limit (a 100,000-phone fleet written
 * out holds a few million nodes, and is fine); reusing an anchor is fine too, but a chain of
 * aliases multiplies (the "billion laughs": ten levels of ten reach 10^10), so the expansion,
 * not the number of aliases, is what is bounded.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

/**
 * Checks a parsed scenario document before it becomes JavaScript values, so that toJS can run
 * with the yaml package's alias counter off (it refuses an anchor reused more than 100 times,
 * however small) and still neither blow up nor throw:
 *  - every alias refers to an anchor defined before it, and not to a node that contains it;
 *  - its aliases expand to at most MAX_EXPANDED_NODES nodes in all;
 *  - no map key is "__proto__": as a JavaScript property it sets the prototype instead of a
 *    value, so the entry (a phone, a setting) would silently vanish.
 * Throws InputError naming the line of the alias or key.
 */
export function checkYamlStructure(doc: Document, lines: LineCounter, file: string): void {
  const anchors = new Map<string, Node>();
  const size = new Map<Node, number>();
  const open = new Set<Node>();
  let total = 0;
  const lineOf = (n: { range?: [number, number, number] | null }): number => lines.linePos(n.range?.[0] ?? 0).line;

  const walk = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw new InputError(file, lineOf(node), undefined, `alias *${node.source} has no anchor &${node.source} before it`);
      if (open.has(target)) throw new InputError(file, lineOf(node), undefined, `alias *${node.source} refers to the node that contains it`);
      const n = size.get(target)!;
      total += n;
      if (total > MAX_EXPANDED_NODES) {
        throw new InputError(
          file, lineOf(node), undefined,
          `alias *${node.source} expands to ${n} nodes, taking the aliases of the document past ${MAX_EXPANDED_NODES} nodes, the most a scenario's aliases may expand to`,
        );
      }
      return n;
    }
    const n = node as Node;
    if (n.anchor) anchors.set(n.anchor, n);
    open.add(n);
    let count = 1;
    if (isMap(n)) {
      for (const pair of n.items) {
        if (isScalar(pair.key) && pair.key.value === '__proto__') {
          throw new InputError(file, lineOf(pair.key), '__proto__', 'this key is not accepted: in JavaScript it names an object\'s prototype, and the entry would be lost');
        }
        count += walk(pair.key) + walk(pair.value);
      }
    } else if (isSeq(n)) {
      for (const item of n.items) count += isPair(item) ? walk(item.key) + walk(item.value) : walk(item);
    }
    open.delete(n);
    size.set(n, count);
    return count;
  };

  walk(doc.contents);
}
