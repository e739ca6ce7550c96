// Child process for stdin-source.test.ts, bundled from src by esbuild (nothing from dist): reads
// standard input as `inspect -` does and prints what it found as one JSON line.
//
//   inspect             run readSafetensors, then count what is left unread on stdin
//   reads <json plan>   serve [[offset, length], …] in turn and print each result

import { readSync } from "node:fs";
import { InspectError } from "../../../src/core/errors.js";
import { readSafetensors } from "../../../src/formats/safetensors/read.js";
import { StdinSource } from "../../../src/sources/stdin-source.js";

interface Report {
  available: boolean;
  size?: string | null;
  openError?: { code: string; message: string };
  findings?: Array<{ code: string; severity: string; message: string }>;
  names?: readonly string[] | null;
  left?: number;
  reads?: Array<string | { code: string; message: string }>;
}

/** Bytes still unread on fd 0: a reader that reads ahead would leave fewer. */
function drain(): number {
  const buf = Buffer.alloc(65536);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === "EOF") return total;
      throw e;
    }
    if (n === 0) return total;
    total += n;
  }
}

async function main(): Promise<Report> {
  const report: Report = { available: StdinSource.available() };
  let src: StdinSource;
  try {
    src = StdinSource.open();
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    report.openError = { code: e.code, message: e.message };
    return report;
  }
  report.size = src.size === undefined ? null : String(src.size);
  const mode = process.argv[2] ?? "inspect";
  if (mode === "inspect") {
    const file = await readSafetensors(src);
    report.findings = file.findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      message: f.message,
    }));
    report.names = file.header?.tensors.names ?? null;
    if (src.size === undefined) report.left = drain();
  } else {
    const plan = JSON.parse(process.argv[3] ?? "[]") as Array<[number, number]>;
    report.reads = [];
    for (const [offset, length] of plan) {
      try {
        report.reads.push((await src.read(BigInt(offset), length)).toString("latin1"));
      } catch (e) {
        if (!(e instanceof InspectError)) throw e;
        report.reads.push({ code: e.code, message: e.message });
      }
    }
  }
  await src.close();
  return report;
}

process.stdout.write(JSON.stringify(await main()) + "\n");
