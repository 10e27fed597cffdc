// Keeps generated identifiers (national IDs, plates, ticket numbers) unique within one population.

export class UniqueCodes {
  readonly #used = new Map<string, Set<string>>();

  /** Marks a fixed code as taken, failing if it already is (two personas sharing an ID is a bug). */
  reserve(kind: string, code: string): string {
    const used = this.#setFor(kind);
    if (used.has(code)) throw new Error(`duplicate ${kind} ${code}`);
    used.add(code);
    return code;
  }

  /** Draws codes until one is free. */
  claim(kind: string, draw: () => string): string {
    const used = this.#setFor(kind);
    for (let attempt = 0; attempt < 1000; attempt++) {
      const code = draw();
      if (!used.has(code)) {
        used.add(code);
        return code;
      }
    }
    throw new Error(`no free ${kind} after 1000 draws`);
  }

  /** Like claim, but settles for a duplicate after a few draws: for names, where clashes are rare but legal. */
  prefer(kind: string, draw: () => string, attempts = 30): string {
    const used = this.#setFor(kind);
    let code = draw();
    for (let attempt = 1; attempt < attempts && used.has(code); attempt++) code = draw();
    used.add(code);
    return code;
  }

  #setFor(kind: string): Set<string> {
    let used = this.#used.get(kind);
    if (!used) {
      used = new Set();
      this.#used.set(kind, used);
    }
    return used;
  }
}
