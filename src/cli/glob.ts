// --filter globs over tensor names: `*` any run of characters (dots included: names are not
// paths), `?` one character, `[abc]`, `[a-z]`, `[!abc]` or `[^abc]` a class (`]` first is a
// member), `{a,b}` alternatives (nested too), `\` escapes the next character. The whole name must
// match; characters are Unicode code points.
//
// Matching runs a Thompson automaton over the name: one pass, each character advancing the set of
// live pattern positions, so the time is at most name length × pattern length whatever both
// hold. (A backtracking regex took over 30 s for `*attn*weight` on a 1 MB name.) A malformed
// pattern (a reversed range `[z-a]`, an unclosed `{`) is a usage error.

import { InspectError } from "../core/errors.js";

type Test = (c: number) => boolean;

type Node =
  | { kind: "char"; test: Test; code?: number }
  | { kind: "star" }
  | { kind: "alt"; options: Node[][] };

/** A state consumes one character (test, then next), forks without consuming, or accepts. */
type State =
  | { kind: "consume"; test: Test; code?: number; next: number }
  | { kind: "fork"; next: number[] }
  | { kind: "accept" };

const usage = (glob: string, what: string) =>
  new InspectError("USAGE", `--filter ${glob}: ${what}`, {
    hint: "write * ? [a-z] [!a-z] {a,b} and \\ to escape",
  });

const ANY: Test = () => true;

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BANG = 0x21;
const CARET = 0x5e;
const DASH = 0x2d;

/** Parses the pattern into sequences of nodes, alternatives nested. */
function parse(glob: string): Node[] {
  const p = codePoints(glob);
  let i = 0;
  // Returns at the end, or at a `,` or `}` closing an alternative when depth > 0.
  const sequence = (depth: number): Node[] => {
    const seq: Node[] = [];
    while (i < p.length) {
      const c = p[i]!;
      if (depth > 0 && (c === COMMA || c === CLOSE_BRACE)) return seq;
      i++;
      if (c === BACKSLASH && i < p.length) {
        const lit = p[i++]!;
        seq.push({ kind: "char", test: (x) => x === lit, code: lit });
      } else if (c === STAR) {
        if (seq[seq.length - 1]?.kind !== "star") seq.push({ kind: "star" });
      } else if (c === QUESTION) {
        seq.push({ kind: "char", test: ANY });
      } else if (c === OPEN_BRACKET) {
        const cls = charClass(p, i, glob);
        if (cls === undefined) {
          seq.push({ kind: "char", test: (x) => x === OPEN_BRACKET, code: OPEN_BRACKET });
        } else {
          seq.push({ kind: "char", test: cls.test });
          i = cls.end;
        }
      } else if (c === OPEN_BRACE) {
        const options: Node[][] = [];
        for (;;) {
          options.push(sequence(depth + 1));
          if (i >= p.length) throw usage(glob, "unclosed '{'");
          if (p[i++] === CLOSE_BRACE) break;
        }
        seq.push({ kind: "alt", options });
      } else {
        seq.push({ kind: "char", test: (x) => x === c, code: c });
      }
    }
    return seq;
  };
  return sequence(0);
}

/** A class starting after `[` at `from`: its test and the index after `]`; undefined if unclosed. */
function charClass(
  p: number[],
  from: number,
  glob: string,
): { test: Test; end: number } | undefined {
  let i = from;
  const negate = p[i] === BANG || p[i] === CARET;
  if (negate) i++;
  const ranges: Array<[number, number]> = [];
  let first = true;
  while (i < p.length) {
    let c = p[i]!;
    if (c === CLOSE_BRACKET && !first) {
      const sorted = ranges;
      const inside = (x: number) => sorted.some(([lo, hi]) => x >= lo && x <= hi);
      return { test: negate ? (x) => !inside(x) : inside, end: i + 1 };
    }
    first = false;
    i++;
    if (c === BACKSLASH && i < p.length) c = p[i++]!;
    let hi = c;
    if (p[i] === DASH && i + 1 < p.length && p[i + 1] !== CLOSE_BRACKET) {
      hi = p[i + 1]!;
      i += 2;
      if (hi === BACKSLASH && i < p.length) hi = p[i++]!;
      if (hi < c) {
        throw usage(
          glob,
          `the range ${String.fromCodePoint(c)}-${String.fromCodePoint(hi)} runs backwards`,
        );
      }
    }
    ranges.push([c, hi]);
  }
  return undefined;
}

/** The automaton: states built back to front, each sequence ending in `next`. */
function compile(seq: Node[]): { states: State[]; start: number } {
  const states: State[] = [{ kind: "accept" }];
  const add = (s: State) => states.push(s) - 1;
  const build = (nodes: Node[], next: number): number => {
    let at = next;
    for (let k = nodes.length - 1; k >= 0; k--) {
      const n = nodes[k]!;
      if (n.kind === "char") at = add({ kind: "consume", test: n.test, code: n.code, next: at });
      else if (n.kind === "alt") {
        const after = at;
        at = add({ kind: "fork", next: n.options.map((o) => build(o, after)) });
      } else {
        // A fork to "one more character, then here again" or to what follows.
        const fork: State = { kind: "fork", next: [] };
        const loop = add(fork);
        fork.next.push(add({ kind: "consume", test: ANY, next: loop }), at);
        at = loop;
      }
    }
    return at;
  };
  const start = build(seq, 0);
  return { states, start };
}

export function globPredicate(glob: string): (name: string) => boolean {
  const { states, start } = compile(parse(glob));
  // Each state's closure over forks: the consuming (or accepting) states it stands for, computed
  // once, so that a step costs one look per live state.
  const closure = states.map((_, s) => {
    const out: number[] = [];
    const seen = new Set<number>();
    const stack = [s];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      const st = states[x]!;
      if (st.kind === "fork") for (let k = st.next.length - 1; k >= 0; k--) stack.push(st.next[k]!);
      else out.push(x);
    }
    return out;
  });
  const tests = states.map((st) => (st.kind === "consume" ? st.test : undefined));
  // A literal's code point (the common case, compared without a call); -2 for any character
  // (`?`, `*`), -1 for a class.
  const codes = Int32Array.from(states, (st) =>
    st.kind !== "consume" ? -1 : st.code !== undefined ? st.code : st.test === ANY ? -2 : -1,
  );
  const after = states.map((st) => (st.kind === "consume" ? closure[st.next]! : []));
  // Per-step marks: a state joins a set once per character (float64: the count never wraps).
  const mark = new Float64Array(states.length);
  let step = 0;
  let current: number[] = [];
  let next: number[] = [];
  return (name) => {
    step++;
    current.length = 0;
    for (const x of closure[start]!) current.push(x);
    for (let i = 0; i < name.length && current.length > 0; i++) {
      let c = name.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < name.length) {
        const d = name.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
        }
      }
      step++;
      next.length = 0;
      for (let k = 0; k < current.length; k++) {
        const s = current[k]!;
        const code = codes[s]!;
        if (code >= 0 ? code !== c : code === -1 && !tests[s]?.(c)) continue;
        const to = after[s]!;
        for (let j = 0; j < to.length; j++) {
          const x = to[j]!;
          if (mark[x] !== step) {
            mark[x] = step;
            next.push(x);
          }
        }
      }
      const t = current;
      current = next;
      next = t;
    }
    return current.includes(0);
  };
}
