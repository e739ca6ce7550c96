// One progress line on stderr, redrawn in place: bytes done of the total, rate, time left, the
// file being read. Only on a terminal (a log file or CI output would fill with carriage
// returns), not for work that ends within PROGRESS_DELAY_MS, at most 10 redraws a second, and
// erased at the end so that the report prints on a clean line.

import { escapeForTerminal } from "../core/escape.js";
import { gigabytes } from "../core/text.js";
import { PROGRESS_DELAY_MS, PROGRESS_REDRAW_MS } from "../core/limits.js";
import type { HashProgress } from "./hash-pool.js";

/** What the reporter needs of process.stderr; a fake in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressReporter {
  update(p: HashProgress): void;
  /** Erases the line if one was drawn. Safe to call more than once. */
  done(): void;
}

export interface ProgressOptions {
  /** First word of the line: "verifying", "scanning". */
  label?: string;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
  delayMs?: number;
  intervalMs?: number;
}

const SILENT: ProgressReporter = { update() {}, done() {} };

const ERASE = "\r\x1b[K";
const DEFAULT_COLUMNS = 80;

export function progressReporter(
  stream: ProgressStream,
  options: ProgressOptions = {},
): ProgressReporter {
  if (stream.isTTY !== true) return SILENT;
  const now = options.now ?? (() => performance.now());
  const delay = options.delayMs ?? PROGRESS_DELAY_MS;
  const interval = options.intervalMs ?? PROGRESS_REDRAW_MS;
  const label = options.label ?? "verifying";
  const start = now();
  let drawnAt = -Infinity;
  let drawn = false;
  let finished = false;
  return {
    update(p) {
      if (finished) return;
      const t = now();
      if (t - start < delay || t - drawnAt < interval) return;
      drawnAt = t;
      drawn = true;
      // Some terminals (and `script`) report 0 columns: treat that as unknown, not as narrow.
      const width = Math.max(20, (stream.columns || DEFAULT_COLUMNS) - 1);
      stream.write(ERASE + fit(progressLine(label, p, (t - start) / 1000), width));
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) stream.write(ERASE);
    },
  };
}

/** The line's text, without the carriage return; exported for tests. */
export function progressLine(label: string, p: HashProgress, seconds: number): string {
  const done = Number(p.bytesDone);
  const total = Number(p.bytesTotal);
  const parts = [label, `${gigabytes(done)} / ${gigabytes(total)} GB`];
  if (total > 0) parts.push(`${Math.floor((done / total) * 100)} %`);
  const rate = seconds > 0 ? done / seconds : 0;
  if (rate > 0) {
    parts.push(`${gigabytes(rate)} GB/s`);
    parts.push(`${clock(Math.max(0, total - done) / rate)} left`);
  }
  const current = p.active[0];
  if (current !== undefined) {
    const more = p.active.length > 1 ? ` +${p.active.length - 1}` : "";
    parts.push(escapeForTerminal(baseName(current)) + more);
  }
  return parts.join("  ");
}

function clock(seconds: number): string {
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** Cut to the terminal width so that the line never wraps (a wrapped line cannot be redrawn). */
function fit(s: string, width: number): string {
  const chars = Array.from(s);
  return chars.length <= width ? s : chars.slice(0, width - 1).join("") + "…";
}
