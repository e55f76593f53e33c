/** Job states in the IPP vocabulary, and the one table of allowed transitions. */
export const JOB_STATES = ['pending', 'processing', 'completed', 'aborted', 'canceled', 'held'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  pending: ['processing', 'canceled', 'held', 'aborted'],
  processing: ['completed', 'aborted', 'canceled', 'pending', 'held'],
  held: ['pending', 'canceled'],
  completed: [],
  aborted: [],
  canceled: [],
};

export const TERMINAL_STATES: readonly JobState[] = ['completed', 'aborted', 'canceled'];
/** States in which a job counts against the printer's queue. */
export const QUEUED_STATES: readonly JobState[] = ['pending', 'processing', 'held'];

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

const SOURCES = new Map<JobState, readonly JobState[]>(JOB_STATES.map((to) => [to, Object.freeze(JOB_STATES.filter((from) => canTransition(from, to)))]));

/** The states from which `to` may be entered (used as the guard of a compare-and-set UPDATE); worked out once per state. */
export function sourcesOf(to: JobState): readonly JobState[] {
  return SOURCES.get(to)!;
}

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}
