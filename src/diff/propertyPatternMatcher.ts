// Runs patternProperties regexes on property names, refusing patterns that could backtrack exponentially.

/** Longest pattern or name tried; beyond it the answer is "cannot tell". */
const maxLength = 1_000;

export class PropertyPatternMatcher {
  private readonly compiled = new Map<string, RegExp | undefined>();

  /** Whether `pattern` matches `name` (ECMA-262 with the u flag, as ajv runs it); undefined when it will not try. */
  matches(pattern: string, name: string): boolean | undefined {
    if (name.length > maxLength) return undefined;
    if (!this.compiled.has(pattern)) this.compiled.set(pattern, compileSafely(pattern));
    return this.compiled.get(pattern)?.test(name);
  }
}

function compileSafely(pattern: string): RegExp | undefined {
  if (pattern.length > maxLength || mayBacktrackBadly(pattern)) return undefined;
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

/**
 * A conservative screen for catastrophic backtracking: a quantified group that itself contains a quantifier or an
 * alternation (`(a+)+`, `(a|ab)*`), or a backreference. Safe patterns may be refused; the caller then reports 'unknown'.
 */
export function mayBacktrackBadly(pattern: string): boolean {
  const groups: { risky: boolean }[] = [];
  let lastGroupRisky = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (/[1-9k]/.test(pattern[i + 1] ?? '')) return true;
      i += 1;
      lastGroupRisky = false;
      continue;
    }
    if (c === '[') {
      for (i += 1; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i += 1;
      lastGroupRisky = false;
      continue;
    }
    if (c === '(') {
      groups.push({ risky: false });
      // Skip the group kind (?: ?= ?! ?<= ?<! ?<name>) so its '?' is not taken for a quantifier.
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
          const end = pattern.indexOf('>', i);
          i = end < 0 ? pattern.length : end;
        } else {
          i += pattern[i + 2] === '<' ? 3 : 2;
        }
      }
      continue;
    }
    if (c === ')') {
      lastGroupRisky = groups.pop()?.risky ?? false;
      if (groups.length > 0 && lastGroupRisky) groups[groups.length - 1].risky = true;
      continue;
    }
    const quantifier = c === '*' || c === '+' || c === '?' || c === '{';
    if (quantifier && lastGroupRisky) return true;
    if (quantifier || c === '|') {
      if (groups.length > 0) groups[groups.length - 1].risky = true;
    }
    lastGroupRisky = false;
  }
  return false;
}
