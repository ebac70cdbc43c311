import { Document, LineCounter, isMap, isScalar, isSeq, Node, Pair, YAMLMap } from 'yaml';

export type YamlPath = (string | number)[];

/**
 * Finds the line of a value (or of a key in a map) in a parsed YAML document, so every
 * validation error can name the line the user has to fix. Falls back to the nearest existing
 * parent when the path does not exist (a missing key is reported on its parent's line).
 */
export class YamlLocator {
  /**
   * Each map's pairs by key, built the first time the map is searched: a fleet's `phones:` map
   * holds 100,000 entries and every phone asks for its own line, so a scan per lookup would be
   * quadratic. The first pair wins, as a scan from the top would find it.
   */
  private readonly index = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  line(path: YamlPath, key?: string): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.nodeAt(path.slice(0, n));
      if (!node) continue;
      if (n === path.length && key !== undefined && isMap(node)) {
        const pair = this.pair(node, key);
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return this.lineAt(keyNode.range[0]);
      }
      // For a map entry, point at its key: that is where the eye looks for it.
      const parent = n > 0 ? this.nodeAt(path.slice(0, n - 1)) : undefined;
      if (parent && isMap(parent)) {
        const pair = this.pair(parent, String(path[n - 1]));
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return this.lineAt(keyNode.range[0]);
      }
      if (node.range) return this.lineAt(node.range[0]);
    }
    return 1;
  }

  lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  private nodeAt(path: YamlPath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const step of path) {
      if (isMap(node)) node = this.pair(node, String(step))?.value;
      else if (isSeq(node) && typeof step === 'number') node = node.items[step];
      else return undefined;
      if (node === undefined || node === null) return undefined;
    }
    return node as Node;
  }

  private pair(map: YAMLMap, key: string): Pair | undefined {
    let byKey = this.index.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const p of map.items) {
        if (!isScalar(p.key)) continue;
        const k = String(p.key.value);
        if (!byKey.has(k)) byKey.set(k, p as Pair);
      }
      this.index.set(map, byKey);
    }
    return byKey.get(key);
  }
}

/** "events[2].mode" style rendering of a path, for messages. */
export function formatPath(path: YamlPath): string {
  return path.reduce<string>((acc, step) => (typeof step === 'number' ? `${acc}[${step}]` : acc ? `${acc}.${step}` : step), '');
}
