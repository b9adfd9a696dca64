// Bounds on the work one comparison may do: nesting depth and the total number of $ref expansions.

export const defaultMaxDepth = 64;
export const defaultMaxRefExpansions = 20_000;

/** Thrown inside the comparison when the budget is spent; compareSchemas turns it into one 'schema.too-complex'. */
export class BudgetExceeded extends Error {
  constructor(
    readonly pointer: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'BudgetExceeded';
  }
}

export class ComparisonBudget {
  private refExpansions = 0;

  constructor(
    readonly maxDepth: number,
    readonly maxRefExpansions: number,
  ) {}

  /** Counts one $ref followed; throws BudgetExceeded past the cap. */
  expandRef(pointer: string): void {
    this.refExpansions += 1;
    if (this.refExpansions > this.maxRefExpansions) {
      throw new BudgetExceeded(pointer, `more than ${this.maxRefExpansions} $ref expansions`);
    }
  }

  get refsExpanded(): number {
    return this.refExpansions;
  }
}
