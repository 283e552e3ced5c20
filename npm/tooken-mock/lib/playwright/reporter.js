// The coverage reporter: merges the `tooken-mock-coverage` attachments of every test and writes
// which states of GET /v1/tokens the run met, and which it never met.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

const ATTACHMENT = "tooken-mock-coverage";

/** @implements {import("@playwright/test/reporter").Reporter} */
export default class TookenMockCoverageReporter {
  /** @param {{ outputFile?: string }} [options] */
  constructor(options = {}) {
    this.outputFile = options.outputFile ?? "tooken-mock-coverage.json";
    /** @type {Map<string, { state: string, description?: string, served: boolean, count: number }>} */
    this.states = new Map();
    this.sessions = 0;
  }

  printsToStdio() {
    return false;
  }

  onBegin(config) {
    this.rootDir = config.rootDir;
  }

  onTestEnd(_test, result) {
    for (const attachment of result.attachments) {
      if (attachment.name !== ATTACHMENT) continue;
      const text = attachment.body ? attachment.body.toString("utf8") : attachment.path ? readFileSync(attachment.path, "utf8") : "";
      let report;
      try {
        report = JSON.parse(text);
      } catch {
        continue;
      }
      if (!Array.isArray(report.states)) continue;
      this.sessions += 1;
      for (const { state, description, served, count } of report.states) {
        const merged = this.states.get(state) ?? { state, description, served: false, count: 0 };
        merged.served ||= Boolean(served);
        merged.count += Number.isSafeInteger(count) ? count : 0;
        this.states.set(state, merged);
      }
    }
  }

  onEnd() {
    const states = [...this.states.values()];
    const neverMet = states.filter((s) => !s.served).map((s) => s.state);
    const file = resolve(this.outputFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({ sessions: this.sessions, states: states.map(({ state, served, count }) => ({ state, served, count })), never_met: neverMet }, null, 2) + "\n",
    );
    if (this.sessions === 0) {
      console.log(`tooken-mock: no test used the mock fixture; wrote ${file}`);
      return;
    }
    console.log(`tooken-mock: ${states.length - neverMet.length} of ${states.length} states met by ${this.sessions} tests; wrote ${file}`);
    if (neverMet.length > 0) {
      console.log("tooken-mock: states no test met:");
      for (const state of neverMet) {
        const { description } = this.states.get(state);
        console.log(`  ${state}${description ? `  (${description})` : ""}`);
      }
    }
  }
}
