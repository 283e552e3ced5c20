import type { Reporter } from "@playwright/test/reporter";

/** Options of the reporter, given in playwright.config: `["tooken-mock/playwright/reporter", { outputFile }]`. */
export interface CoverageReporterOptions {
  /** Where to write the merged coverage (default `tooken-mock-coverage.json`, relative to the working directory). */
  outputFile?: string;
}

/** The merged coverage file: `{ sessions, states: [{ state, served, count }], never_met: [state] }`. */
export interface MergedCoverage {
  /** How many tests' coverage was merged. */
  sessions: number;
  states: { state: string; served: boolean; count: number }[];
  /** The states no test met, in the order of `GET /__admin/coverage`. */
  never_met: string[];
}

/** Merges every test's `tooken-mock-coverage` attachment, writes {@link MergedCoverage} and prints the states no test met. */
export default class TookenMockCoverageReporter implements Reporter {
  constructor(options?: CoverageReporterOptions);
  printsToStdio(): boolean;
  onTestEnd(...args: Parameters<NonNullable<Reporter["onTestEnd"]>>): void;
  onEnd(): void;
}
