export {
  EngineCore,
  EngineMirror,
  MAX_HIDDEN,
  engineModule,
  engineStepConfig,
  loadSacEngine,
  type EngineWeights,
} from './core.js';
export {
  SacEngine,
  ENGINE_METRICS,
  type SacEngineConfig,
  type SacEngineState,
  type SacEngineBatch,
  type SacEngineNoise,
  type SacEngineMetrics,
  type SacEnginePriorParams,
  type SacEngineReference,
} from './sac-engine.js';
export {
  DiscreteSacEngine,
  DISCRETE_ENGINE_STATS,
  type DiscreteSacEngineConfig,
  type DiscreteSacEngineState,
  type DiscreteEngineBatch,
  type DiscreteEngineStats,
} from './discrete-engine.js';
