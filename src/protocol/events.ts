/**
 * Every event a worker reports to the main thread: one typed map, and a record of where each comes from.
 * The record has a key per event, so adding an event without deciding its source fails to compile.
 */
export interface TipEvent {
  readonly height: number;
  readonly hash: string;
  readonly chainwork: string;
  readonly time: number;
}

export interface ReorgEvent {
  readonly forkHeight: number;
  /** Hashes that left the best chain, ascending height. */
  readonly disconnected: readonly string[];
  /** Hashes that joined it, ascending height. */
  readonly connected: readonly string[];
  readonly tip: TipEvent;
}

export interface PeerEvent {
  readonly kind: 'connected' | 'disconnected';
  readonly address: string;
  readonly userAgent: string;
  /** Why a peer went away (an error code), or null for an ordinary close. */
  readonly code: string | null;
}

export interface SyncedEvent {
  readonly height: number;
  readonly hash: string;
}

/** A deposit or withdrawal changed state in the alliance worker (reason: an error code, or null). */
export interface DepositEvent {
  readonly txid: string;
  readonly state: string;
  readonly reason: string | null;
}

export interface WithdrawalEvent {
  readonly id: string;
  readonly state: string;
  readonly reason: string | null;
}

export interface NodeEvents {
  tip: TipEvent;
  reorg: ReorgEvent;
  peer: PeerEvent;
  synced: SyncedEvent;
  deposit: DepositEvent;
  withdrawal: WithdrawalEvent;
}

export type NodeEventName = keyof NodeEvents;

/** Which worker emits each event. */
export const EVENT_SOURCES: { readonly [K in NodeEventName]: 'chain' | 'net' | 'alliance' } = {
  tip: 'chain',
  reorg: 'chain',
  peer: 'net',
  synced: 'net',
  deposit: 'alliance',
  withdrawal: 'alliance',
};

/** The message a worker posts on its events port. */
export type EventMessage = { [K in NodeEventName]: { readonly event: K; readonly data: NodeEvents[K] } }[NodeEventName];

export type EmitEvent = <K extends NodeEventName>(event: K, data: NodeEvents[K]) => void;

export function isEventMessage(m: unknown): m is EventMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { event?: unknown }).event === 'string' &&
    (m as { event: string }).event in EVENT_SOURCES
  );
}
