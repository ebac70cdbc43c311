/**
 * Where a streaming writer's bytes go: a file, a FIFO, stdout. Writers batch records into
 * chunks of about CHUNK bytes, so a run makes few system calls and holds little in memory.
 */
export type ByteWriter = (chunk: Buffer) => void;

export const CHUNK = 256 * 1024;

/** Collects chunks in memory: for tests and for small outputs rendered whole. */
export function memoryWriter(): { write: ByteWriter; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return { write: (c) => void chunks.push(c), bytes: () => Buffer.concat(chunks) };
}
