import type { AllianceCounters } from '../protocol/alliance.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends Readonly<Record<string, number>> ? Record<string, number> : T[K] };

/** The alliance worker's counters; `snapshot()` is plain data for the main thread's /metrics. */
export class Counters {
  readonly c: Mutable<AllianceCounters> = {
    depositsSeen: 0,
    votesSent: 0,
    votesConfirmed: 0,
    votesFailed: 0,
    depositsRejected: {},
    depositReorgAlerts: 0,
    withdrawalsSeen: 0,
    withdrawalsSigned: 0,
    withdrawalRefusals: {},
    multiSignsConfirmed: 0,
    eventsSkipped: 0,
    pollErrors: 0,
  };

  byCode(map: Record<string, number>, code: string): void {
    map[code] = (map[code] ?? 0) + 1;
  }

  snapshot(): AllianceCounters {
    return { ...this.c, depositsRejected: { ...this.c.depositsRejected }, withdrawalRefusals: { ...this.c.withdrawalRefusals } };
  }
}
