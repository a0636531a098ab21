/**
 * What one live-stream client has not been sent yet. Bounded: an entry with a key (a robot's status, its
 * latest map, a fleet row) replaces the pending entry with the same key, and when the buffer is over its
 * entry or byte limit the oldest droppable entry goes and is counted — telemetry (rank 1) before events
 * (rank 2) — so a slow browser costs at most the limits. Only when keyed entries alone exceed `hardMaxBytes` does push() report
 * overflow; the caller then closes the stream (the browser reconnects and starts from a fresh snapshot).
 * Pure: no I/O.
 */

export interface BufferLimits {
  maxEntries: number;
  maxBytes: number;
  hardMaxBytes: number;
}

export const DEFAULT_BUFFER_LIMITS: BufferLimits = {
  maxEntries: 2000,
  maxBytes: 2 * 1024 * 1024,
  hardMaxBytes: 32 * 1024 * 1024,
};

/** 0: never dropped; 1: dropped first (telemetry); 2: dropped when no rank-1 entry is left (events). */
export type DropRank = 0 | 1 | 2;

interface Entry {
  key: string | null;
  rank: DropRank;
  text: string;
}

export class ClientBuffer {
  private entries: Entry[] = [];
  private bytes = 0;
  /** Droppable entries discarded since the last take(). */
  private droppedSinceTake = 0;
  /** Droppable entries discarded over the buffer's life. */
  droppedTotal = 0;

  constructor(private readonly limits: BufferLimits = DEFAULT_BUFFER_LIMITS) {}

  get pendingEntries(): number {
    return this.entries.length;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  /** Queues `text`; false when the buffer cannot be brought within hardMaxBytes. */
  push(text: string, opts: { key?: string; rank?: DropRank } = {}): boolean {
    const key = opts.key ?? null;
    if (key !== null) {
      const at = this.entries.findIndex((e) => e.key === key);
      if (at >= 0) this.removeAt(at);
    }
    this.entries.push({ key, rank: opts.rank ?? 0, text });
    this.bytes += text.length;
    while (this.entries.length > this.limits.maxEntries || this.bytes > this.limits.maxBytes) {
      let at = this.entries.findIndex((e) => e.rank === 1);
      if (at < 0) at = this.entries.findIndex((e) => e.rank === 2);
      if (at < 0) break;
      this.removeAt(at);
      this.droppedSinceTake++;
      this.droppedTotal++;
    }
    return this.bytes <= this.limits.hardMaxBytes;
  }

  /** Everything pending, oldest first, and how many droppable entries were lost before it; empties the buffer. */
  take(): { texts: string[]; dropped: number } {
    const texts = this.entries.map((e) => e.text);
    const dropped = this.droppedSinceTake;
    this.entries = [];
    this.bytes = 0;
    this.droppedSinceTake = 0;
    return { texts, dropped };
  }

  private removeAt(index: number): void {
    this.bytes -= this.entries[index]!.text.length;
    this.entries.splice(index, 1);
  }
}
