import type { Direction } from './types.ts';

/** A dry run's step: what would run and the SQL it would send. */
export interface PlannedStep {
  version: number;
  name: string;
  direction: Direction;
  transactional: boolean;
  file: string;
  statements: string[];
}
