/**
 * The one source of time. Pure modules take timestamps as arguments; shells take a Clock, so the
 * simulator can drive time faster than real time and deterministically.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Seconds since an arbitrary epoch fixed for the clock's lifetime. */
  now(): number;
  /** Calls fn once after `delay` seconds of this clock's time. */
  setTimeout(fn: () => void, delay: number): TimerHandle;
  /** Calls fn every `period` seconds of this clock's time. */
  setInterval(fn: () => void, period: number): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
  /** Resolves after `delay` seconds of this clock's time. */
  sleep(delay: number): Promise<void>;
}

/** Wall-clock time for a real robot or a real-time simulation. */
export class SystemClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;
  private readonly origin = performance.timeOrigin / 1000;

  now(): number {
    return this.origin + performance.now() / 1000;
  }

  setTimeout(fn: () => void, delay: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(
      id,
      setTimeout(
        () => {
          this.timers.delete(id);
          fn();
        },
        Math.max(0, delay * 1000),
      ),
    );
    return { id };
  }

  setInterval(fn: () => void, period: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, setInterval(fn, Math.max(1, period * 1000)));
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      clearInterval(t);
      this.timers.delete(handle.id);
    }
  }

  sleep(delay: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delay));
  }
}
