// Types of eslint.layers.js for the test that lints with it.
import type { Linter } from 'eslint';

export declare const layers: readonly (readonly string[])[];
export declare function importDirectionConfigs(): Linter.Config[];
