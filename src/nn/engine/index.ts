export { SacEngine, loadSacEngine, ENGINE_METRICS, type SacEngineConfig, type SacEngineState, type SacEngineBatch, type SacEngineNoise, type SacEngineMetrics } from './sac-engine.js';
