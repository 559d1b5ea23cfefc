/** What the process is doing while a step runs, for the one line printed if it ends meanwhile. */
export interface StepInFlight {
  version: number;
  name: string;
  file: string;
  direction: 'up' | 'down';
  transactional: boolean;
}
