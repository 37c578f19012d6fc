/**
 * The simulator's notion of "now". Job statuses, artifact expiry and signed-URL expiry are all
 * read from this clock, so a test moves time forward explicitly instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, as the simulated GitLab sees it. */
  now(): number;
  /** Moves time forward: jobs change status, artifacts and signed URLs expire. */
  advance(ms: number): void;
}

/** Time moves only when the test says so. */
export class ManualClock implements Clock {
  protected offset = 0;
  constructor(readonly start: number) {}
  now(): number {
    return this.start + this.offset;
  }
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`the clock only moves forward, not by ${ms} ms`);
    this.offset += ms;
  }
}

/** Wall-clock time from the scenario's start, which can still be moved forward. */
export class RealClock extends ManualClock {
  readonly #startedAt = performance.now();
  override now(): number {
    return super.now() + Math.floor(performance.now() - this.#startedAt);
  }
}
