import { Document, isMap, isPair, isScalar, isSeq, Node } from 'yaml';

/**
 * The yaml package's own duplicate-key check compares each new key with every earlier key of
 * its map: quadratic, minutes for a fleet of 100,000 phones. The scenario is therefore parsed
 * with `uniqueKeys: false` and this walk finds the first duplicate with one Map per map, by the
 * package's rule (two scalar keys are the same when their values are ===; any other key only
 * equals itself). Returns the offset of the first repeated key in document order, as the
 * package's DUPLICATE_KEY error would carry it, or undefined.
 */
export function firstDuplicateKey(doc: Document): number | undefined {
  let first: number | undefined;
  const note = (offset: number | undefined): void => {
    if (offset !== undefined && (first === undefined || offset < first)) first = offset;
  };
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        // NaN is never === itself, so the package never calls two NaN keys the same.
        if (isScalar(key) && !(typeof key.value === 'number' && Number.isNaN(key.value))) {
          if (seen.has(key.value)) note((key as Node).range?.[0]);
          else seen.add(key.value);
        }
        walk(key);
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          walk(item.key);
          walk(item.value);
        } else walk(item);
      }
    }
  };
  walk(doc.contents);
  return first;
}
