// Runs patternProperties regexes on property names, on the linear-time engine that validation uses.
import { compileLinearRegExp, type LinearRegExp } from '../validate/linearRegExp.js';

export class PropertyPatternMatcher {
  private readonly compiled = new Map<string, LinearRegExp | undefined>();

  /**
   * Whether `pattern` matches `name` (ECMA-262 with the u flag, as validation runs it); undefined when the pattern is
   * not valid or not supported by the linear-time engine (a backreference, a lookaround): the caller says "cannot tell".
   */
  matches(pattern: string, name: string): boolean | undefined {
    if (!this.compiled.has(pattern)) this.compiled.set(pattern, compileSafely(pattern));
    return this.compiled.get(pattern)?.test(name);
  }
}

function compileSafely(pattern: string): LinearRegExp | undefined {
  try {
    return compileLinearRegExp(pattern);
  } catch {
    return undefined;
  }
}
