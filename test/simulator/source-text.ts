/**
 * Generated text that compresses like a real build's text (source code, compiler output, logs):
 * 3-6x with deflate, where the simple numbered lines of the "text" fill compress 10x and more,
 * which would flatter any inflate-bound measurement. Words come from one fixed vocabulary
 * (as one project's identifiers do), picked with a skew (a few words are common, most are
 * rare), with numbers, hex ids, paths and timestamps in between. Deterministic per seed.
 *
 * Bytes are copied straight into the chunk (TypedArray.set, digit by digit numbers): building
 * a string per line would be several times slower, and corpora are hundreds of MiB.
 */
import { createHash } from "node:crypto";

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for picking words. */
function prng(seed: string): () => number {
  let a = createHash("sha256").update(seed, "utf8").digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const SYLLABLES =
  "ar be co de el fa gi ha in jo ka lu me no or pa qui re si ta un ve wa xi yo ze bu cha dri fle gro".split(
    " ",
  );

/** The project's identifiers: 4,096 words of 2 to 4 syllables, the same for every seed. */
const WORDS: Buffer[] = (() => {
  const next = prng("vocabulary");
  const words = new Set<string>();
  while (words.size < 4096) {
    let w = "";
    for (let n = 2 + (next() % 3); n > 0; n--) w += SYLLABLES[next() % SYLLABLES.length];
    words.add(w);
  }
  return [...words].map((w) => Buffer.from(w, "latin1"));
})();

/** Messages a program prints again and again, with other values: 512 phrases of 3 to 8 words. */
const PHRASES: Buffer[] = (() => {
  const next = prng("phrases");
  return Array.from({ length: 512 }, () => {
    const words: Buffer[] = [];
    for (let n = 3 + (next() % 6); n > 0; n--) {
      const r = next() / 0x1_0000_0000;
      words.push(WORDS[Math.floor(r * r * WORDS.length)] as Buffer, Buffer.from(" "));
    }
    return Buffer.concat(words);
  });
})();

const b = (s: string) => Buffer.from(s, "latin1");
const LEVELS = ["DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"].map(b);
const KEYWORDS = [
  "const ",
  "let ",
  "return ",
  "if (",
  "export function ",
  "await ",
  "import { ",
  "} else {",
  "for (const ",
  "throw new Error(",
].map(b);
const EXTENSIONS = [".ts", ".js", ".c", ".h", ".py", ".go", ".json", ".o"].map(b);
const PUNCTUATION = [" = ", "(", ", ", ").", " + ", ' } from "./', ": ", " === ", "; "].map(b);

/** The higher, the more often the common words come (so the better the text compresses). */
const SKEW = 5;
/** Percent of lines that repeat one of the RECENT lines seen lately. */
const REPEATS = 30;
const RECENT = 64;
const LONGEST_LINE = 400; // room left past the chunk end for the line that crosses it

/** Writes generated lines; `fill` returns the bytes of `buf` it filled up to at least `n`. */
class LineWriter {
  buf: Buffer;
  used = 0;
  readonly #next: () => number;
  /** Per-seed mix: how often a line is a log line, a build line or source. */
  readonly #style: number;
  #clock: number;
  /** Lines seen lately: programs print the same lines again (retries, loops, repeated warnings). */
  readonly #recent: (Buffer | undefined)[][] = [0, 1, 2].map(() => new Array(RECENT));

  constructor(seed: string, capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.#next = prng(seed);
    this.#style = this.#next() % 3;
    this.#clock = 1_700_000_000 + (this.#next() % 50_000_000);
  }

  #put(bytes: Buffer): void {
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  #char(c: number): void {
    this.buf[this.used++] = c;
  }

  #number(n: number, base = 10, width = 1): void {
    const digits = n.toString(base).padStart(width, "0");
    for (let i = 0; i < digits.length; i++) this.buf[this.used++] = digits.charCodeAt(i);
  }

  /** A skewed pick: low indices (common words) far more often than high ones. */
  #word(): void {
    const r = this.#next() / 0x1_0000_0000;
    this.#put(WORDS[Math.floor(r ** SKEW * WORDS.length)] as Buffer);
  }

  #phrase(): void {
    const r = this.#next() / 0x1_0000_0000;
    this.#put(PHRASES[Math.floor(r * r * PHRASES.length)] as Buffer);
  }

  #pick(list: Buffer[]): void {
    this.#put(list[this.#next() % list.length] as Buffer);
  }

  #path(): void {
    for (let n = 1 + (this.#next() % 3); n > 0; n--) {
      this.#word();
      this.#char(0x2f); // "/"
    }
    this.#word();
    this.#pick(EXTENSIONS);
  }

  #time(): void {
    this.#clock += this.#next() % 3;
    const t = this.#clock;
    this.#number(Math.floor(t / 3600) % 24, 10, 2);
    this.#char(0x3a);
    this.#number(Math.floor(t / 60) % 60, 10, 2);
    this.#char(0x3a);
    this.#number(t % 60, 10, 2);
    this.#char(0x2e);
    this.#number(this.#next() % 1000, 10, 3);
    this.#char(0x20);
  }

  #logLine(): void {
    this.#pick(LEVELS);
    this.#put(b(" ["));
    this.#word();
    this.#char(0x2e);
    this.#word();
    this.#put(b("] "));
    this.#phrase();
    this.#word();
    this.#put(b(" id="));
    this.#number(this.#next() % 0x10000, 16, 4);
    this.#put(b(" took "));
    this.#number(this.#next() % 200);
    this.#put(b("ms"));
  }

  #buildLine(): void {
    const r = this.#next() % 4;
    if (r === 0) {
      this.#put(b("["));
      this.#number(this.#next() % 100, 10, 3);
      this.#put(b("%] Building object "));
      this.#path();
    } else if (r === 1) {
      this.#put(b("  CC      "));
      this.#path();
      this.#put(b(" -o build/"));
      this.#path();
    } else {
      this.#path();
      this.#char(0x3a);
      this.#number(1 + (this.#next() % 900));
      this.#char(0x3a);
      this.#number(1 + (this.#next() % 80));
      this.#put(b(": warning: "));
      this.#phrase();
      this.#put(b("[-W"));
      this.#word();
      this.#char(0x5d);
    }
  }

  #sourceLine(): void {
    for (let n = this.#next() % 4; n > 0; n--) this.#put(b("  "));
    if (this.#next() % 8 === 0) {
      this.#put(b("// "));
      this.#phrase();
      return;
    }
    this.#pick(KEYWORDS);
    for (let n = 1 + (this.#next() % 4); n > 0; n--) {
      this.#word();
      this.#pick(PUNCTUATION);
    }
    if (this.#next() % 3 === 0) this.#number(this.#next() % 100_000);
    else this.#word();
    this.#char(0x3b);
  }

  line(): void {
    const r = this.#next() % 6;
    // Style 0 is mostly logs, 1 mostly build output, 2 mostly source.
    const kind = r < 4 ? this.#style : r % 3;
    if (kind === 0) this.#time();
    const start = this.used;
    const again = this.#next() % 100 < REPEATS;
    const recent = this.#recent[kind] as (Buffer | undefined)[];
    const seen = recent[this.#next() % RECENT];
    if (again && seen) this.#put(seen);
    else {
      if (kind === 0) this.#logLine();
      else if (kind === 1) this.#buildLine();
      else this.#sourceLine();
      recent[this.#next() % RECENT] = Buffer.from(this.buf.subarray(start, this.used));
    }
    this.#char(0x0a);
  }
}

/** `size` bytes of generated text in chunks of `chunk` bytes; a shorter size is a prefix of a longer one. */
export function* sourceTextChunks(size: number, seed: string, chunk: number): Generator<Buffer> {
  const w = new LineWriter(seed, chunk + LONGEST_LINE);
  for (let left = size; left > 0;) {
    const n = Math.min(left, chunk);
    while (w.used < n) w.line();
    // The line that crossed the chunk boundary starts the next buffer.
    const full = w.buf;
    w.buf = Buffer.allocUnsafe(chunk + LONGEST_LINE);
    w.used = full.copy(w.buf, 0, n, w.used);
    yield full.subarray(0, n);
    left -= n;
  }
}
