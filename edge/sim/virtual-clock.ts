/**
 * A clock whose time only moves when the simulation advances it. Timers fire in (due time, creation
 * order), so the same program and seed always produce the same interleaving. Between two timers the
 * pending promise callbacks are drained, so async driver code behaves as it would in real time.
 */
import type { Clock, TimerHandle } from '../../shared/clock.ts';

interface Timer {
  id: number;
  due: number;
  seq: number;
  period: number; // 0 = one-shot
  fn: () => void;
}

const drainPending = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  private t: number;
  private heap: Timer[] = [];
  private readonly live = new Set<number>();
  private nextId = 1;
  private seq = 0;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, delay: number): TimerHandle {
    return this.add(fn, Math.max(0, delay), 0);
  }

  setInterval(fn: () => void, period: number): TimerHandle {
    if (!(period > 0)) throw new RangeError(`setInterval period must be > 0, got ${period}`);
    return this.add(fn, period, period);
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) this.live.delete(handle.id);
  }

  sleep(delay: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delay));
  }

  /** Time of the next live timer, or Infinity. */
  nextDue(): number {
    while (this.heap.length > 0 && !this.live.has(this.heap[0]!.id)) this.pop();
    return this.heap.length > 0 ? this.heap[0]!.due : Infinity;
  }

  /** Runs every timer due up to and including `until`, in order, then sets the time to `until`. */
  async advanceTo(until: number): Promise<void> {
    await drainPending();
    for (;;) {
      const due = this.nextDue();
      if (due > until) break;
      const timer = this.pop()!;
      this.t = Math.max(this.t, timer.due);
      if (timer.period > 0) {
        timer.due += timer.period;
        timer.seq = this.seq++;
        this.push(timer);
      } else {
        this.live.delete(timer.id);
      }
      timer.fn();
      await drainPending();
    }
    this.t = Math.max(this.t, until);
  }

  advanceBy(dt: number): Promise<void> {
    return this.advanceTo(this.t + dt);
  }

  private add(fn: () => void, delay: number, period: number): TimerHandle {
    const timer: Timer = { id: this.nextId++, due: this.t + delay, seq: this.seq++, period, fn };
    this.live.add(timer.id);
    this.push(timer);
    return { id: timer.id };
  }

  private less(a: Timer, b: Timer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
