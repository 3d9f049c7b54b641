import { validateOptimizerSpec, type OptimizerSpec } from '../optimizer-spec';
import { adamRule } from './adam';
import { lionRule } from './lion';
import { LookaheadOptimizer } from './lookahead';
import { rmspropRule } from './rmsprop';
import { RuleOptimizer } from './rule-optimizer';
import { momentumRule, sgdRule } from './sgd';
import type { TrainOptimizer, UpdateRule } from './types';

export type { RuleResult, StepContext, TrainOptimizer, UpdateRule } from './types';
export { LookaheadOptimizer } from './lookahead';
export { RuleOptimizer } from './rule-optimizer';

function ruleFor(spec: OptimizerSpec): UpdateRule {
  // validateOptimizerSpec has written out every default that applies, so the fallbacks are unused.
  const wd = spec.weightDecay ?? 0;
  switch (spec.name) {
    case 'sgd':
      return sgdRule(wd);
    case 'momentum':
      return momentumRule(spec.momentum ?? 0.9, wd, false);
    case 'nesterov':
      return momentumRule(spec.momentum ?? 0.9, wd, true);
    case 'rmsprop':
      return rmspropRule(spec.rho ?? 0.9, spec.epsilon ?? 1e-8, wd);
    case 'adam':
      return adamRule(spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-8, wd, false);
    case 'adamw':
      return adamRule(spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-8, wd, true);
    case 'lion':
      return lionRule(spec.beta1 ?? 0.9, spec.beta2 ?? 0.99, wd);
  }
}

/**
 * Builds the optimizer a spec describes: validates it (throwing `ConfigError`), picks the update
 * rule, applies schedule and clipping, and wraps it in Lookahead when `spec.lookahead` is set.
 */
export function createOptimizer(spec: OptimizerSpec): TrainOptimizer {
  const full = validateOptimizerSpec(spec);
  const inner = new RuleOptimizer(full, ruleFor(full));
  return full.lookahead ? new LookaheadOptimizer(full, inner, full.lookahead) : inner;
}
