/**
 * Progress for long CLI steps: a redrawn bar on a terminal, a few plain lines otherwise
 * (CI logs, pipes), so output stays readable either way.
 */
export interface ProgressSink {
  /** True when the sink is an interactive terminal that supports redrawing a line. */
  readonly interactive: boolean;
  write(text: string): void;
}

const BAR_WIDTH = 30;

export class ProgressBar {
  readonly #sink: ProgressSink;
  readonly #label: string;
  readonly #total: number;
  readonly #startedAt = performance.now();
  #lastDrawnAt = 0;
  #lastQuarter = -1;

  constructor(sink: ProgressSink, label: string, total: number) {
    this.#sink = sink;
    this.#label = label;
    this.#total = Math.max(1, total);
  }

  /** Reports that `done` of `total` units are finished. */
  update(done: number): void {
    const fraction = Math.min(1, done / this.#total);
    if (this.#sink.interactive) {
      const now = performance.now();
      if (now - this.#lastDrawnAt < 50 && fraction < 1) return;
      this.#lastDrawnAt = now;
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
      this.#sink.write(`\r${this.#label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}%`);
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.#lastQuarter && quarter < 4) {
      this.#lastQuarter = quarter;
      this.#sink.write(`${this.#label}: ${quarter * 25}%\n`);
    }
  }

  /** Completes the bar and prints how long the step took. */
  finish(detail = ''): number {
    const elapsedMs = performance.now() - this.#startedAt;
    const suffix = `${(elapsedMs / 1000).toFixed(2)} s${detail ? `, ${detail}` : ''}`;
    if (this.#sink.interactive) this.#sink.write(`\r${this.#label} ${'█'.repeat(BAR_WIDTH)} 100% (${suffix})\n`);
    else this.#sink.write(`${this.#label}: done (${suffix})\n`);
    return elapsedMs;
  }
}
