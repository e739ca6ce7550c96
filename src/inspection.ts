// The composition: from a checkpoint to the report on it and the exit status it earns. It runs
// the stages above the checkpoint (the model summary, the hardware estimate, the optional
// verification) and puts their results together; --strict and the exit status are decided here
// and nowhere else. The CLI parses options and prints; the stages below know nothing of each other.

import type { ParameterCounts, QuantizationFacts } from "./analysis/facts.js";
import { summarize, type ModelSummary } from "./analysis/summary.js";
import type { Checkpoint } from "./checkpoint/checkpoint.js";
import { CODES } from "./core/codes.js";
import { InspectError } from "./core/errors.js";
import { EXIT, type ExitCode } from "./core/exit-codes.js";
import { capPerCode } from "./core/finding-sink.js";
import type { Finding } from "./core/findings.js";
import {
  estimateHardware,
  type HardwareOptions,
  type ModelFootprint,
} from "./hardware/estimate.js";
import type { HubRevision } from "./hub/api.js";
import type { StopReason } from "./integrity/interrupt.js";
import type { Verification } from "./integrity/verification.js";
import type { ModelConfig } from "./model/model-config.js";
import type { Report } from "./report/report.js";

export interface ReportOptions {
  /** Warnings become errors (ok false, exit 1). */
  strict?: boolean;
  /** Context, batch, KV dtype, reference server and fit target for the estimate. */
  hardware?: HardwareOptions;
  verification?: Verification;
  /** Findings of stages run after loading (verification). */
  extraFindings?: Finding[];
}

/** The report on a checkpoint: its model summary, the hardware estimate, the verification. */
export function buildReport(cp: Checkpoint, options: ReportOptions = {}): Report {
  return reportOf(summarize(cp), options);
}

function reportOf(m: ModelSummary, options: ReportOptions): Report {
  const components = m.components?.map((c) => ({
    name: c.name,
    summary: reportOf(c.summary, { ...options, verification: undefined, extraFindings: [] }),
  }));
  const findings = capPerCode([...m.findings, ...(options.extraFindings ?? [])]).map((f) =>
    options.strict && f.severity === "warning" ? { ...f, severity: "error" as const } : f,
  );
  const footprint = components
    ? combinedFootprint(components.map((c) => c.summary))
    : {
        ...footprintOf(m.parameters, m.residentBytes, m.quantization, m.modelConfig),
        ...(m.perToken
          ? {
              bytesPerToken: m.perToken.weightBytes,
              computeParameters: m.perToken.computeParameters,
            }
          : {}),
        ...(m.weightsOnlyCause !== undefined ? { weightsOnly: m.weightsOnlyCause } : {}),
        ...(m.layerWeights ? { layerWeights: m.layerWeights } : {}),
      };
  const { components: _, layerWeights: __, ...facts } = m;
  const report: Report = {
    ...facts,
    ok: m.files.length > 0 && !findings.some((f) => f.severity === "error"),
    // Alternatives are never loaded together: each component has its own estimate, none here.
    hardware: m.checkpoint.alternatives
      ? null
      : m.readable
        ? estimateHardware(footprint, options.hardware)
        : fromIndex(m, options.hardware),
    findings,
  };
  if (components) report.components = components;
  if (options.verification) report.verification = options.verification;
  return report;
}

/**
 * An index with none of its shards read: the estimate from the index's total_size and the
 * parameters config.json gives, so that the report still answers "what does it need?".
 */
function fromIndex(m: ModelSummary, options: HardwareOptions | undefined): Report["hardware"] {
  const bytes = m.checkpoint.index?.totalSize;
  if (!m.partial?.fromIndex || bytes === undefined || bytes === 0n) return null;
  return estimateHardware(
    {
      residentBytes: bytes,
      residentParameters: m.partial.fromIndex.parameters ?? 0n,
      ...(m.modelConfig ? { config: m.modelConfig } : {}),
    },
    options,
  );
}

/** What the hardware estimate needs: the weights that load, and how they could be quantized. */
function footprintOf(
  p: ParameterCounts,
  residentBytes: bigint,
  q: QuantizationFacts | undefined,
  config: ModelConfig | undefined,
): ModelFootprint {
  return {
    residentBytes,
    residentParameters: p.total - (p.optional?.parameters ?? 0n),
    ...(q?.method === "mxfp4" ? { mxfp4Parameters: q.packedParameters } : {}),
    ...(p.optional
      ? {
          optional: p.optional.modules.map((m) => ({
            kind: m.kind,
            name: m.name,
            parameters: m.parameters,
            bytes: m.bytes,
          })),
        }
      : {}),
    ...(config ? { config } : {}),
  };
}

/** Several models loaded together (a diffusers pipeline): their footprints add up. */
function combinedFootprint(parts: Report[]): ModelFootprint {
  const each = parts.map((s) =>
    footprintOf(s.parameters, s.residentBytes, s.quantization, undefined),
  );
  return {
    residentBytes: each.reduce((a, f) => a + f.residentBytes, 0n),
    residentParameters: each.reduce((a, f) => a + f.residentParameters, 0n),
    mxfp4Parameters: each.reduce((a, f) => a + (f.mxfp4Parameters ?? 0n), 0n),
    optional: each.flatMap((f) => f.optional ?? []),
  };
}

export interface StatusGates {
  /** --require-fit: exit 3 when the estimate does not fit the target given. */
  requireFit?: boolean;
  /** A signal stopped the run: exit 130 (SIGINT) or 143 (SIGTERM) whatever was read. */
  interrupted?: "SIGINT" | "SIGTERM";
}

/**
 * The exit status a report earns: 2 for an input that could not be opened (codes with an exit
 * of their own), 1 for errors, 3 for a fit gate that fails, 130 when interrupted, else 0.
 */
export function exitStatus(r: Report, gates: StatusGates = {}): ExitCode {
  if (gates.interrupted === "SIGINT") return EXIT.interrupted;
  if (gates.interrupted === "SIGTERM") return EXIT.terminated;
  if (r.findings.some((f) => f.severity === "error" && "exit" in CODES[f.code])) return EXIT.usage;
  if (!r.ok) return EXIT.invalid;
  const verdicts = fitVerdicts(r);
  if (!gates.requireFit || verdicts.length === 0) return EXIT.ok;
  return verdicts.some((fits) => fits) ? EXIT.ok : EXIT.doesNotFit;
}

/**
 * The fit verdicts --require-fit gates on: the report's own; for alternatives (a folder of GGUF
 * quantizations, deployed one at a time, with no estimate of their own) each one's, of which one
 * fitting passes the gate.
 */
export function fitVerdicts(r: Report): boolean[] {
  if (r.hardware?.fit) return [r.hardware.fit.fits];
  if (r.hardware !== null || !r.components) return [];
  return r.components.flatMap((c) =>
    c.summary.hardware?.fit ? [c.summary.hardware.fit.fits] : [],
  );
}

export interface VerifyRequest {
  /** Hash every file (--verify, --sha256, --checksums, --lfs-pointers). */
  hash: boolean;
  /** Scan every value (--scan). */
  scan: boolean;
  sha256?: string;
  checksums?: string;
  lfsPointers?: string;
  /** --follow-symlinks: files found for verifying are read even where links lead outside. */
  followSymlinks?: boolean;
  /** --against: compare the folder with this Hub revision (every file hashed). */
  against?: HubRevision;
  /** Where the progress bar goes (stderr); drawn only when it is a terminal. */
  progress: NodeJS.WriteStream;
  /**
   * Started with the work: calls `stop` if the work should end early (the output has gone), and
   * returns the function that ends the watch.
   */
  watch?: (stop: () => void) => () => void;
}

export interface Verified {
  verification?: Verification;
  findings: Finding[];
  /** Why the work stopped before its end: a signal, or the output's reader went away. */
  stopped?: StopReason;
}

export const STDIN_UNVERIFIABLE =
  "--verify and --scan read every byte of every file; name the file instead of `-`";

export const REMOTE_UNVERIFIABLE =
  "--verify and --scan read every byte of every file; download first (`hf download <repo>`), then verify the copy (--against compares it with the Hub)";

/** --verify / --scan: reads every byte of the checkpoint, so it is loaded only when asked for. */
export async function verify(cp: Checkpoint, request: VerifyRequest): Promise<Verified> {
  if (cp.kind === "stream") throw new InspectError("USAGE", STDIN_UNVERIFIABLE);
  // The hashing workers open local paths only: a remote checkpoint is refused, never guessed at.
  if (cp.source?.kind === "hub" || cp.source?.kind === "url")
    throw new InspectError("USAGE", `${cp.target}: ${REMOTE_UNVERIFIABLE}`);
  const against = request.against;
  // --against compares the folder even when its weights could not be read.
  if (cp.files.length === 0 && !(against && cp.root !== undefined)) return { findings: [] };
  const { verifyCheckpoint, progressReporter, interruptOnSignals } =
    await import("./integrity/index.js");
  const interrupt = interruptOnSignals();
  const unwatch = request.watch?.(() => interrupt.stop("output-closed"));
  const stopped = (v: Verification): Pick<Verified, "stopped"> => {
    const why = v.interrupted ? interrupt.reason : undefined;
    if (why === "SIGINT" || why === "SIGTERM") v.interruptedBy = why;
    return why !== undefined ? { stopped: why } : {};
  };
  try {
    if (against) {
      const { verifyAgainst } = await import("./integrity/against.js");
      const outcome = await verifyAgainst(cp, against, {
        hash: true,
        scan: request.scan,
        signal: interrupt.signal,
        progress: progressReporter(request.progress, { label: "verifying" }),
      });
      return {
        verification: { ...outcome.verification, against: outcome.against },
        findings: outcome.findings,
        ...stopped(outcome.verification),
      };
    }
    const outcome = await verifyCheckpoint(
      cp,
      {
        ...(request.sha256 !== undefined ? { sha256: request.sha256 } : {}),
        ...(request.checksums !== undefined ? { checksums: request.checksums } : {}),
        ...(request.lfsPointers !== undefined ? { lfsPointers: request.lfsPointers } : {}),
        ...(request.followSymlinks ? { followSymlinks: true } : {}),
      },
      {
        hash: request.hash,
        scan: request.scan,
        signal: interrupt.signal,
        progress: progressReporter(request.progress, {
          label: request.hash ? "verifying" : "scanning",
        }),
      },
    );
    return {
      verification: outcome.verification,
      findings: outcome.findings,
      ...stopped(outcome.verification),
    };
  } catch (e) {
    // A --checksums file that cannot be read is an input that cannot be opened, like a missing
    // target: a finding (exit 2, named on stderr and in the report), not an internal error. The
    // message starts with the checksums file's path; say which option named it, since the stderr
    // line starts with the target's.
    if (e instanceof InspectError && e.code === "CHECKSUMS_UNREADABLE") {
      return {
        findings: [{ ...e.toFinding(), message: `--checksums ${e.message}` }],
      };
    }
    throw e;
  } finally {
    unwatch?.();
    interrupt.dispose();
  }
}
