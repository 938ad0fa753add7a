import type { Logger } from '../log/logger.js';

/** Logs progress at info at most every `everyMs` with percent, rate and ETA (architecture §6). */
export class ProgressMeter {
  private readonly began = Date.now();
  private lastLog = Date.now();

  constructor(
    private readonly log: Logger,
    private readonly total: number,
    private readonly message: string,
    private readonly everyMs = 10_000,
  ) {}

  update(done: number, height: number): void {
    const now = Date.now();
    if (now - this.lastLog < this.everyMs) return;
    this.lastLog = now;
    const secs = (now - this.began) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const etaSeconds = rate > 0 ? Math.round((this.total - done) / rate) : null;
    this.log.info(
      {
        height,
        done,
        total: this.total,
        percent: Math.round((1000 * done) / this.total) / 10,
        headersPerSecond: Math.round(rate),
        etaSeconds,
      },
      this.message,
    );
  }
}
