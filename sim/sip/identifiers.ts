/**
 * Deterministic SIP identifiers from per-host counters (never Math.random, unlike SIP.js):
 * the same run always produces the same branches, tags and Call-IDs, so traces and captures diff.
 */
export class Identifiers {
  private branches = 0;
  private tags = 0;
  private calls = 0;

  constructor(
    private readonly host: string,
    private readonly ip: string,
  ) {}

  /** RFC 3261 §8.1.1.7: branches start with the magic cookie z9hG4bK. */
  branch(): string {
    return `z9hG4bK-${this.host}-${++this.branches}`;
  }

  tag(): string {
    return `${this.host}-${++this.tags}`;
  }

  callId(): string {
    return `${++this.calls}-${this.host}@${this.ip}`;
  }
}
