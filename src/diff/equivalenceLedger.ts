// Cached, coinductive proofs that two schemas are equivalent, for the checks that need equivalence, not inclusion.

interface Attempt {
  readonly oldKey: object;
  readonly newKey: object;
  /** Index of the lowest attempt on the stack whose assumption this one relied on (Infinity: none below itself). */
  reliesOn: number;
}

/**
 * While a pair is being proven equivalent, meeting it again assumes it is (sound for recursion that descends into the
 * instance, as every schema a validator can run does). A result is cached only when it relied on no assumption made
 * by an attempt below it on the stack: if that outer attempt fails, results derived from its assumption are void.
 */
export class EquivalenceLedger<Proof> {
  private readonly results = new Map<object, Map<object, Proof | false>>();
  private readonly stack: Attempt[] = [];

  constructor(private readonly assumed: Proof) {}

  prove(oldKey: object, newKey: object, attempt: () => Proof | false): Proof | false {
    const known = this.results.get(oldKey)?.get(newKey);
    if (known !== undefined) return known;
    const index = this.stack.findIndex((a) => a.oldKey === oldKey && a.newKey === newKey);
    if (index >= 0) {
      for (let i = index + 1; i < this.stack.length; i++)
        this.stack[i]!.reliesOn = Math.min(this.stack[i]!.reliesOn, index);
      return this.assumed;
    }
    const entry: Attempt = { oldKey, newKey, reliesOn: Infinity };
    this.stack.push(entry);
    let result: Proof | false;
    try {
      result = attempt();
    } finally {
      this.stack.pop();
    }
    // A failure found a real difference (assumptions only ever hide differences), so it is always safe to keep.
    if (result === false || entry.reliesOn >= this.stack.length) {
      let byOld = this.results.get(oldKey);
      if (byOld === undefined) this.results.set(oldKey, (byOld = new Map<object, Proof | false>()));
      byOld.set(newKey, result);
    }
    return result;
  }
}
