import type { Micros } from '../core/clock.js';

export interface LinkParams {
  /** One-way delay, µs. */
  delay: Micros;
  /** Extra delay drawn uniformly from [0, jitter] per packet, µs. */
  jitter: Micros;
  /** Loss probability in [0, 1], applied per packet in each direction. */
  loss: number;
}

/** Unordered host pair key: links and partitions are symmetric. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * Link parameters for every host pair: a default plus per-pair overrides, and the set of
 * partitioned pairs. Scenario events change entries; packets read them when sent.
 */
export class LinkTable {
  private readonly overrides = new Map<string, LinkParams>();
  private readonly partitions = new Set<string>();
  private _frozen = false;

  constructor(private defaults: LinkParams) {}

  /**
   * True once the owner has said no link will change for the rest of the run (a scenario with
   * no `link` events): an ideal link's packets then need no random draws at all, not even counted.
   */
  get frozen(): boolean {
    return this._frozen;
  }

  freeze(): void {
    this._frozen = true;
  }

  get(a: string, b: string): LinkParams {
    // Most scenarios override no pair: skip building the key on every packet.
    if (this.overrides.size === 0) return this.defaults;
    return this.overrides.get(pairKey(a, b)) ?? this.defaults;
  }

  /** Changes some parameters of one pair, keeping the others as they are now. */
  update(a: string, b: string, change: Partial<LinkParams>): void {
    if (this._frozen) throw new Error(`Cannot change the link ${a}–${b}: the link table was frozen (no link changes expected in this run)`);
    this.overrides.set(pairKey(a, b), { ...this.get(a, b), ...change });
  }

  partition(a: string, b: string): void {
    this.partitions.add(pairKey(a, b));
  }

  heal(a: string, b: string): void {
    this.partitions.delete(pairKey(a, b));
  }

  isPartitioned(a: string, b: string): boolean {
    return this.partitions.size > 0 && this.partitions.has(pairKey(a, b));
  }
}
